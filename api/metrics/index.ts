/**
 * The metric queries: one module for the API's answers and the alert engine's rules, so the
 * two can never disagree about a number.
 *
 * Design:
 * - Counting rules (contract §3) live in `counting.ts` as query clauses; every figure is an
 *   Elasticsearch aggregation over them, never documents pulled into Node (message search and
 *   trace return documents by design, paged and capped).
 * - Each resource has a pure query builder (`xQuery(prefix, range, filters, ...)` → search
 *   request) and a pure shaper (aggregations → answer), table-tested, and an async function
 *   that runs them with a client. Time is resolved by the caller once (`TimeRange`, UTC ms,
 *   `to` exclusive), so one answer never mixes two `now`s.
 * - User values reach Elasticsearch only as values inside term / wildcard / range objects.
 * - Missing indices answer zeros (a fresh install); Elasticsearch unreachable or busy throws
 *   `MP_ERR_ES_UNREACHABLE` (503), a refused query `MP_ERR_API_ES_QUERY` (502).
 */
export {
  BUCKET_DISTINCT_PRECISION,
  COUNTED,
  DELIVERED_MESSAGE,
  DISTINCT_PRECISION,
  deliveryRate,
  distinctMessages,
  RECEIVED_MESSAGE,
} from './counting.js';
export { deferrals, deferralsQuery, shapeDeferrals } from './deferrals.js';
export { DELAY_PERCENTS, type Delays, delayAggs, nearestRank, readDelays } from './delays.js';
export {
  DELIVERY_EVENTS,
  deliveryFigureAggs,
  deliveryOverTime,
  deliveryQuery,
  deliveryStats,
  readDeliveryFigures,
  shapeDelivery,
} from './delivery.js';
export { domainsQuery, domainTable, shapeDomains } from './domains.js';
export { type Aggs, type Bucket, buckets, num, numOrNull, search, toMailpulseError } from './es.js';
export { eventsIndex, F, M, messagesIndex, RECIPIENT_DOMAIN } from './fields.js';
export {
  eventFilterClauses,
  eventScope,
  type Filters,
  FiltersSchema,
  messageFilterClauses,
  timeRangeQuery,
} from './filters.js';
export {
  type Cursor,
  decodeCursor,
  encodeCursor,
  messageSearchQuery,
  messageTrace,
  searchMessages,
} from './messages.js';
export { backlogAt, queueOverTime, queueQuery, shapeQueue } from './queue.js';
export { autoInterval, parseInterval, parseTimeExpression, type TimeRange } from './range.js';
export { rejections, rejectionsQuery, shapeRejections } from './rejections.js';
export { security, securityQuery, shapeSecurity } from './security.js';
export {
  shapeSummary,
  summary,
  summaryEventsQuery,
  summaryLinesQuery,
  summaryMessagesQuery,
} from './summary.js';
export { connectionsQuery, messageTrafficQuery, shapeTraffic, traffic } from './traffic.js';
