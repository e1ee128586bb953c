/**
 * Field names of the event and message documents (core/event.ts, core/message.ts) as the
 * queries use them: one place, so a renamed field is one edit here.
 */
export const F = {
  timestamp: '@timestamp',
  action: 'event.action',
  host: 'host.name',
  process: 'process.name',
  instance: 'postfix.instance',
  queueId: 'email.local_id',
  /** The message a line belongs to, set by the indexer (a queue ID may name several messages). */
  messageKey: 'postfix.message_key',
  messageId: 'email.message_id',
  from: 'email.from.address',
  to: 'email.to.address',
  status: 'postfix.status',
  hop: 'postfix.hop',
  delay: 'postfix.delay',
  size: 'postfix.size',
  relayHost: 'postfix.relay.hostname',
  reasonCategory: 'postfix.reason.category',
  reasonText: 'postfix.reason.text',
  reasonRbl: 'postfix.reason.rbl',
  clientIp: 'source.ip',
  user: 'user.name',
  tlsVersion: 'tls.version',
  responseText: 'postfix.response',
  postscreenVerdict: 'postfix.detail.verdict',
} as const;

/** Message documents. */
export const M = {
  timestamp: '@timestamp',
  key: 'key',
  host: 'host.name',
  queueId: 'email.local_id',
  messageId: 'email.message_id',
  from: 'email.from.address',
  to: 'recipients.address',
  recipientStatus: 'recipients.status',
  state: 'state',
  queuedAt: 'queued_at',
  removedAt: 'removed_at',
  deferrals: 'deferrals',
  size: 'size',
  previousHops: 'hops.previous',
  traceId: 'trace_id',
} as const;

/**
 * The recipient's domain, set by the parser (`addressDomain`: lower-cased part after the last
 * `@`, `(local)`, `(none)`), the report's rule; a plain keyword, so grouping by domain needs no
 * query-time script.
 */
export const RECIPIENT_DOMAIN = 'email.to.domain';

export function eventsIndex(prefix: string): string {
  return `${prefix}-events`;
}

export function messagesIndex(prefix: string): string {
  return `${prefix}-messages`;
}
