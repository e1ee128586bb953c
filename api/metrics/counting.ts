/**
 * The contract's counting rules (§3) as Elasticsearch queries over event documents, one
 * clause per figure. The report command counts the same lines in memory; the integration test
 * checks that both agree on the same input.
 *
 * - delivered: recipient deliveries with status sent, neither internal hops (`postfix.hop:
 *   internal`: a content filter on a loopback relay) nor local forwarding (`forwarded as X`,
 *   counted as `forwarded`). The report also treats a `queued as X` naming a queue ID of the same
 *   host on a non-loopback address as internal; the event alone cannot tell, so such a hop is
 *   counted as delivered here (rare: content filters listen on loopback).
 * - deferrals: deferral lines; deferred: distinct messages (queue IDs) with at least one.
 * - bounced: recipients; expired: messages (qmgr logs one expired line per message).
 * - rejected: `reject` events (smtpd, postscreen, cleanup, milter-reject).
 */
import type { estypes } from '@elastic/elasticsearch';
import { F } from './fields.js';

type Query = estypes.QueryDslQueryContainer;

const is = (field: string, value: string): Query => ({ term: { [field]: value } });
const internal: Query = is(F.hop, 'internal');
/** `local` handed the mail on as a new message; the correlator uses the same phrase. */
const forwarded: Query = { match_phrase: { [`${F.responseText}.text`]: 'forwarded as' } };
const sentDelivery = [is(F.action, 'delivery'), is(F.status, 'sent')];

export const COUNTED = {
  /** qmgr took the message (from=, size=, nrcpt=); counted per distinct queue ID. */
  received: is(F.action, 'queued'),
  delivered: { bool: { filter: sentDelivery, must_not: [internal, forwarded] } },
  internal_hops: { bool: { filter: [...sentDelivery, internal] } },
  forwarded: { bool: { filter: [...sentDelivery, forwarded], must_not: [internal] } },
  deferral: { bool: { filter: [is(F.action, 'delivery'), is(F.status, 'deferred')] } },
  bounced: { bool: { filter: [is(F.action, 'delivery'), is(F.status, 'bounced')] } },
  expired: { bool: { should: [is(F.action, 'expired'), is(F.status, 'expired')], minimum_should_match: 1 } },
  rejected: is(F.action, 'reject'),
  reject_warning: is(F.action, 'reject_warning'),
  held: is(F.action, 'hold'),
  discarded: is(F.action, 'discard'),
} as const satisfies Record<string, Query>;

/**
 * Message documents (the report counts these from messages, not lines): a message came in from
 * outside when smtpd or pickup took it, a content filter did not re-inject it, and cleanup did
 * not reject it.
 */
export const RECEIVED_MESSAGE: Query = {
  bool: {
    filter: [{ exists: { field: 'origin' } }],
    must_not: [{ term: { 'hops.kind': 'internal' } }, { term: { state: 'rejected' } }],
  },
};

/** Messages with a final delivery that was neither a content-filter hand-off nor a forward. */
export const DELIVERED_MESSAGE: Query = {
  bool: {
    filter: [{ term: { 'recipients.status': 'sent' } }],
    must_not: [{ term: { 'recipients.internal': true } }, { term: { 'recipients.forwarded': true } }],
  },
};

/**
 * Distinct messages are counted with a `cardinality` aggregation on the message key the indexer
 * puts on each line (not on the queue ID: Postfix reuses queue IDs, and two hosts may use the
 * same one): exact (up to hash collisions of 64-bit hashes) below this many distinct values,
 * approximate above.
 */
export const DISTINCT_PRECISION = 40_000;
/**
 * The same inside time buckets: a 5-minute bucket holds far fewer distinct messages, and the
 * threshold is also the memory each bucket may take (8 bytes per value), times 288 buckets a day.
 */
export const BUCKET_DISTINCT_PRECISION = 2000;

export function distinctMessages(precision = DISTINCT_PRECISION): estypes.AggregationsAggregationContainer {
  return { cardinality: { field: F.messageKey, precision_threshold: precision } };
}

/**
 * Delivery rate as the contract defines it, rounded to 6 decimals as the report rounds it;
 * `null` when nothing reached a final state.
 */
export function deliveryRate(delivered: number, bounced: number, expired: number): number | null {
  const denominator = delivered + bounced + expired;
  return denominator === 0 ? null : Math.round((delivered / denominator) * 1e6) / 1e6;
}
