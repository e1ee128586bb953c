/**
 * Every document field a Kibana panel reads, with the Kibana type the panel expects. Panels
 * name fields only through these tables, so a typo is a compile error; the integration test
 * checks each entry against the mapping the real Elasticsearch reports for our templates.
 */
import type { KibanaType } from './lens-schema.js';

/** The recipient's domain, set by the parser (lower-cased part after the last `@`). */
export const RECIPIENT_DOMAIN = 'email.to.domain';

export const EVENT_FIELDS = {
  '@timestamp': 'date',
  'event.action': 'string',
  'host.name': 'string',
  'process.name': 'string',
  'email.local_id': 'string',
  'email.to.address': 'string',
  'postfix.status': 'string',
  'postfix.hop': 'string',
  'postfix.delay': 'number',
  'postfix.relay.hostname': 'string',
  'postfix.reason.category': 'string',
  'postfix.reason.text': 'string',
  'postfix.reason.rbl': 'string',
  'postfix.detail.verdict': 'string',
  'source.ip': 'ip',
  'user.name': 'string',
  'tls.version': 'string',
  [RECIPIENT_DOMAIN]: 'string',
} as const satisfies Record<string, KibanaType>;
export type EventField = keyof typeof EVENT_FIELDS;

export const MESSAGE_FIELDS = {
  '@timestamp': 'date',
  updated: 'date',
  state: 'string',
  'host.name': 'string',
  'email.local_id': 'string',
  'email.from.address': 'string',
  'recipients.address': 'string',
  deferrals: 'number',
} as const satisfies Record<string, KibanaType>;
export type MessageField = keyof typeof MESSAGE_FIELDS;

/**
 * The counting rules of the contract (§3) as KQL over events, shared by every panel so that
 * "delivered" means the same thing everywhere: recipient deliveries with `status=sent`, not
 * counting hand-offs to a local content filter.
 */
export const KQL = {
  delivered: 'postfix.status : "sent" and not postfix.hop : "internal"',
  deferred: 'postfix.status : "deferred"',
  bounced: 'postfix.status : "bounced"',
  expired: 'postfix.status : "expired"',
  finalOutcome: 'postfix.status : ("sent" or "bounced" or "expired") and not postfix.hop : "internal"',
  reject: 'event.action : "reject"',
  rejectWarning: 'event.action : "reject_warning"',
  saslFailure: 'event.action : "sasl_failure"',
  smtpdConnect: 'event.action : "connect" and process.name : "smtpd"',
  smtpdTls: 'event.action : "tls_established" and process.name : "smtpd"',
  postscreen: 'event.action : "postscreen"',
  queued: 'event.action : "queued"',
  removed: 'event.action : "removed"',
} as const;

export const MESSAGE_KQL = {
  inQueue: 'state : ("active" or "deferred")',
  deferred: 'state : "deferred"',
} as const;
