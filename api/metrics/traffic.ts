/**
 * Traffic per bucket: SMTP connections (events) and messages and bytes in and out (message
 * documents, which carry the size once per message; qmgr repeats `size=` on every retry).
 * Received counts as the report does (by first-seen time, content-filter re-injections and
 * cleanup rejects excluded); delivered are messages removed after a final delivery, by removal
 * time, each counted once whatever its number of recipients.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { EsClient } from '../../core/elasticsearch.js';
import type { TrafficFigures, TrafficResponse } from '../schemas/traffic.js';
import { DELIVERED_MESSAGE, RECEIVED_MESSAGE } from './counting.js';
import { type Aggs, type Bucket, buckets, num, type SearchRequest, search } from './es.js';
import { eventsIndex, F, M, messagesIndex } from './fields.js';
import { eventScope, type Filters, messageFilterClauses, timeRangeQuery } from './filters.js';
import { dateHistogram, fillBuckets } from './histogram.js';
import { isoString, type TimeRange } from './range.js';

type Query = estypes.QueryDslQueryContainer;

const connect = (process: string): Query => ({
  bool: { filter: [{ term: { [F.action]: 'connect' } }, { term: { [F.process]: process } }] },
});

export function connectionsQuery(
  prefix: string,
  range: TimeRange,
  filters: Filters,
  intervalMs: number,
): SearchRequest {
  const aggs = { smtpd: { filter: connect('smtpd') }, postscreen: { filter: connect('postscreen') } };
  return {
    index: eventsIndex(prefix),
    size: 0,
    track_total_hits: false,
    query: { bool: { filter: [eventScope(range, filters), { term: { [F.action]: 'connect' } }] } },
    aggs: { ...aggs, over_time: dateHistogram(F.timestamp, range, intervalMs, aggs) },
  };
}

export function messageTrafficQuery(
  prefix: string,
  range: TimeRange,
  filters: Filters,
  intervalMs: number,
): SearchRequest {
  const received = { filter: { bool: { filter: [timeRangeQuery(M.timestamp, range), RECEIVED_MESSAGE] } } };
  const delivered = { filter: { bool: { filter: [timeRangeQuery(M.removedAt, range), DELIVERED_MESSAGE] } } };
  const bytes = { bytes: { sum: { field: M.size } } };
  return {
    index: messagesIndex(prefix),
    size: 0,
    track_total_hits: false,
    query: {
      bool: {
        filter: messageFilterClauses(filters),
        should: [timeRangeQuery(M.timestamp, range), timeRangeQuery(M.removedAt, range)],
        minimum_should_match: 1,
      },
    },
    aggs: {
      received: {
        ...received,
        aggs: { ...bytes, over_time: dateHistogram(M.timestamp, range, intervalMs, bytes) },
      },
      delivered: {
        ...delivered,
        aggs: { ...bytes, over_time: dateHistogram(M.removedAt, range, intervalMs, bytes) },
      },
    },
  };
}

function figures(conn: unknown, received: unknown, delivered: unknown): TrafficFigures {
  return {
    connections_smtpd: num(conn, 'smtpd', 'doc_count'),
    connections_postscreen: num(conn, 'postscreen', 'doc_count'),
    messages_received: num(received, 'doc_count'),
    bytes_received: Math.round(num(received, 'bytes', 'value')),
    messages_delivered: num(delivered, 'doc_count'),
    bytes_delivered: Math.round(num(delivered, 'bytes', 'value')),
  };
}

function byStart(list: Bucket[]): Map<number, Bucket> {
  return new Map(list.filter((b) => typeof b.key === 'number').map((b) => [b.key as number, b]));
}

export function shapeTraffic(
  conn: Aggs | undefined,
  msgs: Aggs | undefined,
  range: TimeRange,
  interval: string,
  intervalMs: number,
): TrafficResponse {
  const received = byStart(buckets(msgs, 'received', 'over_time'));
  const delivered = byStart(buckets(msgs, 'delivered', 'over_time'));
  return {
    period: { from: isoString(range.from), to: isoString(range.to) },
    interval,
    totals: figures(conn, msgs?.received, msgs?.delivered),
    buckets: fillBuckets(range, intervalMs, buckets(conn, 'over_time'), (b, start) =>
      figures(b, received.get(start), delivered.get(start)),
    ),
  };
}

export async function traffic(
  client: EsClient,
  prefix: string,
  range: TimeRange,
  filters: Filters,
  interval: { text: string; ms: number },
): Promise<TrafficResponse> {
  const [conn, msgs] = await Promise.all([
    search(client, connectionsQuery(prefix, range, filters, interval.ms)),
    search(client, messageTrafficQuery(prefix, range, filters, interval.ms)),
  ]);
  return shapeTraffic(
    conn.aggregations as Aggs | undefined,
    msgs.aggregations as Aggs | undefined,
    range,
    interval.text,
    interval.ms,
  );
}
