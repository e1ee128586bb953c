/**
 * The normalized event: one per log line, Elastic Common Schema names, `postfix.*` for the rest.
 *
 * Events are nested JSON objects (`{"email": {"local_id": ...}}`), the shape ECS documents and
 * Elasticsearch stores in `_source`; `jq .email.local_id` reads them. This schema is the one
 * source of truth for the shape: the parser builds it, the indexer maps it (index templates),
 * the API and dashboards query its fields. Contract: `../shared/contract.md` §2.
 */
import { z } from 'zod';

export const EVENT_ACTIONS = [
  'connect',
  'disconnect',
  'lost_connection',
  'timeout',
  'client',
  'message_id',
  'resent_message_id',
  'queued',
  'delivery',
  'removed',
  'expired',
  'reject',
  'reject_warning',
  'hold',
  'discard',
  'redirect',
  'filter',
  'bounce_notification',
  'sasl_failure',
  'tls_established',
  'postscreen',
  'dnsblog',
  'anvil',
  'scache',
  'warning',
  'fatal',
  'panic',
  'daemon',
  'pickup',
  'rate_limit',
  'tls_failed',
  'protocol_violation',
  'connection_failed',
  'remote_reply',
  'released',
  'requeued',
  'rewrite',
  'other',
  'unparsed',
] as const;
export const EventActionSchema = z.enum(EVENT_ACTIONS);
export type EventAction = z.infer<typeof EventActionSchema>;

export const DELIVERY_STATUSES = [
  'sent',
  'deferred',
  'bounced',
  'expired',
  'deliverable',
  'undeliverable',
] as const;
export const DeliveryStatusSchema = z.enum(DELIVERY_STATUSES);
export type DeliveryStatus = z.infer<typeof DeliveryStatusSchema>;

export const REASON_CATEGORIES = [
  'rbl',
  'unknown_user',
  'relay_denied',
  'helo',
  'sender_domain',
  'client_hostname',
  'greylist',
  'policy',
  'spf',
  'dkim',
  'content',
  'rate_limit',
  'tls',
  'dns',
  'connection',
  'mailbox_full',
  'remote_reject',
  'other',
] as const;
export const ReasonCategorySchema = z.enum(REASON_CATEGORIES);
export type ReasonCategory = z.infer<typeof ReasonCategorySchema>;

export const REJECT_STAGES = [
  'CONNECT',
  'HELO',
  'EHLO',
  'STARTTLS',
  'AUTH',
  'MAIL',
  'RCPT',
  'DATA',
  'END-OF-MESSAGE',
  'VRFY',
  'ETRN',
  'UNKNOWN',
] as const;

const address = z.object({
  address: z.string(),
  /**
   * `addressDomain(address)`: indexed so that per-domain figures are plain `terms`
   * aggregations (no query-time scripts, which not every Elasticsearch has).
   */
  domain: z.string().optional(),
});
const seconds = z.number().nonnegative();

export const EventSchema = z.object({
  '@timestamp': z.string(),
  event: z.object({
    original: z.string(),
    action: EventActionSchema,
    /** Why the parser could not read the line (for `unparsed`), or a parse note. */
    reason: z.string().optional(),
  }),
  host: z.object({ name: z.string() }),
  process: z.object({
    name: z.string(),
    pid: z.number().int().optional(),
  }),
  log: z
    .object({
      file: z.object({ path: z.string().optional(), id: z.string().optional() }).optional(),
      offset: z.number().int().nonnegative().optional(),
      /** The shipper split a line longer than its limit; this is one piece. */
      truncated: z.boolean().optional(),
    })
    .optional(),
  email: z
    .object({
      local_id: z.string().optional(),
      message_id: z.string().optional(),
      from: address.optional(),
      to: address.optional(),
    })
    .optional(),
  source: z
    .object({
      domain: z.string().optional(),
      ip: z.string().optional(),
      port: z.number().int().optional(),
    })
    .optional(),
  tls: z.object({ version: z.string().optional(), cipher: z.string().optional() }).optional(),
  user: z.object({ name: z.string() }).optional(),
  postfix: z
    .object({
      instance: z.string().optional(),
      service: z.string().optional(),
      status: DeliveryStatusSchema.optional(),
      dsn: z.string().optional(),
      relay: z
        .object({
          hostname: z.string().optional(),
          ip: z.string().optional(),
          port: z.number().int().optional(),
        })
        .optional(),
      delay: seconds.optional(),
      delays: z
        .object({
          before_qmgr: seconds,
          in_qmgr: seconds,
          conn_setup: seconds,
          transmission: seconds,
        })
        .optional(),
      conn_use: z.number().int().optional(),
      size: z.number().int().nonnegative().optional(),
      nrcpt: z.number().int().nonnegative().optional(),
      orig_to: z.string().optional(),
      response: z.string().optional(),
      /**
       * The message this line belongs to (`MessageDoc.key`), set by the indexer from the
       * correlator: distinct messages are counted by it, since Postfix reuses queue IDs.
       */
      message_key: z.string().optional(),
      /** Queue ID of the next hop: `queued as X` (re-injection), `forwarded as X`, bounce notification. */
      next_queue_id: z.string().optional(),
      hop: z.enum(['internal']).optional(),
      reject: z
        .object({
          stage: z.string().optional(),
          code: z.number().int().optional(),
          dsn: z.string().optional(),
        })
        .optional(),
      reason: z
        .object({
          category: ReasonCategorySchema,
          /** The reason with variable parts (IPs, addresses, IDs) removed, for "top reasons" grouping. */
          text: z.string().optional(),
          rbl: z.string().optional(),
        })
        .optional(),
      sasl: z.object({ method: z.string().optional() }).optional(),
      /** Daemon-specific detail that has no ECS home (postscreen verdict, anvil figures, ...). */
      detail: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    })
    .optional(),
});
export type MailEvent = z.infer<typeof EventSchema>;

/**
 * The domain of an address as operators group by it: the part after the last `@`, lower-cased;
 * `(local)` for a bare local part, `(none)` for the null sender `<>`. The report's per-domain
 * table and the API's use the same rule.
 */
export function addressDomain(address: string): string {
  if (address === '') return '(none)';
  const at = address.lastIndexOf('@');
  return at < 0 ? '(local)' : address.slice(at + 1).toLowerCase();
}

/** Sets `domain` beside each envelope address of the event. */
export function withAddressDomains(event: MailEvent): MailEvent {
  const email = event.email;
  if (email?.from !== undefined) email.from.domain = addressDomain(email.from.address);
  if (email?.to !== undefined) email.to.domain = addressDomain(email.to.address);
  return event;
}
