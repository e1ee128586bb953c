/**
 * The message document: one per (host, Postfix instance, queue ID, first-seen time), built by
 * the correlator from a message's lines and stored in `<prefix>-messages-*`. The correlator
 * always produces the whole current document, so the indexer replaces the stored one (no
 * scripts): with the Kafka offset of its last line as external version when consuming, with a
 * partial update + `doc_as_upsert` on direct writes. Arrays such as `recipients` are replaced,
 * never merged.
 *
 * Queue IDs are reused over time (short IDs within days), so the identity includes the time the
 * queue ID was first seen: `messageKey()`.
 */
import { z } from 'zod';
import { DeliveryStatusSchema, ReasonCategorySchema } from './event.js';

export const MESSAGE_STATES = [
  /** cleanup/pickup saw it; qmgr has not yet. */
  'received',
  /** qmgr took it (from=, size=, nrcpt=) and not every recipient is final. */
  'active',
  /** at least one recipient is deferred and none is pending otherwise. */
  'deferred',
  /** every recipient final, at least one sent. */
  'delivered',
  /** every recipient final and none sent (bounced / expired). */
  'bounced',
  'expired',
  /** rejected by cleanup (milter-reject, header/body checks) before entering the queue. */
  'rejected',
  'held',
  'discarded',
] as const;
export const MessageStateSchema = z.enum(MESSAGE_STATES);
export type MessageState = z.infer<typeof MessageStateSchema>;

/** How a message entered this Postfix instance, as far as its own lines say. */
export const MESSAGE_ORIGINS = ['smtpd', 'pickup'] as const;

/**
 * Why a message has a previous hop: re-injected by a content filter (`internal`), created by
 * `local` forwarding (`forwarded as X`), or a bounce/delay notification about the previous one.
 */
export const HOP_KINDS = ['internal', 'forwarded', 'notification'] as const;
export const HopKindSchema = z.enum(HOP_KINDS);
export type HopKind = z.infer<typeof HopKindSchema>;

export const RecipientSchema = z.object({
  address: z.string(),
  orig_to: z.string().optional(),
  status: DeliveryStatusSchema,
  dsn: z.string().optional(),
  relay: z.string().optional(),
  /** Delivery went to a local content filter or was re-injected: not a final delivery. */
  internal: z.boolean().optional(),
  /** `local` handed it on as a new message (`forwarded as X`): counted as forwarded, not delivered. */
  forwarded: z.boolean().optional(),
  /** The queue ID the receiving side gave it (`queued as X`, `forwarded as X`). */
  next_queue_id: z.string().optional(),
  delay: z.number().optional(),
  response: z.string().optional(),
  reason_category: ReasonCategorySchema.optional(),
  /** Delivery attempts logged for this recipient (deferrals + the final one). */
  attempts: z.number().int().nonnegative(),
  last_attempt: z.string(),
});
export type Recipient = z.infer<typeof RecipientSchema>;

export const MessageDocSchema = z.object({
  /** First time any line of this message was seen (the earliest timestamp, even out of order). */
  '@timestamp': z.string(),
  /** Last time any line of this message was seen. */
  updated: z.string(),
  key: z.string(),
  host: z.object({ name: z.string() }),
  postfix: z.object({ instance: z.string() }),
  email: z.object({
    local_id: z.string(),
    message_id: z.string().optional(),
    from: z.object({ address: z.string() }).optional(),
  }),
  source: z.object({ domain: z.string().optional(), ip: z.string().optional() }).optional(),
  user: z.object({ name: z.string() }).optional(),
  /** smtpd `client=` or pickup; absent for messages Postfix made itself (bounces, forwards). */
  origin: z.enum(MESSAGE_ORIGINS).optional(),
  size: z.number().int().nonnegative().optional(),
  nrcpt: z.number().int().nonnegative().optional(),
  state: MessageStateSchema,
  recipients: z.array(RecipientSchema),
  /** qmgr first took it (entered the queue manager). */
  queued_at: z.string().optional(),
  /** qmgr logged `removed`. */
  removed_at: z.string().optional(),
  /** qmgr logged `status=expired` (maximal_queue_lifetime reached). */
  expired_at: z.string().optional(),
  /** Deferral lines logged for this message. */
  deferrals: z.number().int().nonnegative(),
  /** Trace links: queue IDs (same host) this message came from / was handed to. */
  hops: z.object({
    previous: z.array(z.string()),
    next: z.array(z.string()),
    /** How this message came from `previous` (absent when it has none). */
    kind: HopKindSchema.optional(),
  }),
  /** Shared by every message of one trace (the key of the first hop). */
  trace_id: z.string(),
});
export type MessageDoc = z.infer<typeof MessageDocSchema>;

export { messageKey, timestampMs } from './message-key.js';
