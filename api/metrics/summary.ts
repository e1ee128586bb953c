/**
 * The report's figures (contract §3) for a time range, from three concurrent searches: all the
 * range's lines for their number and span, the events the figures count for what the report
 * counts from lines, message documents for what it counts from messages (received,
 * backlog, bytes, senders). Where the report counts from messages and the events say the same
 * thing (recipient deliveries, bounces, expiries, delays) the events answer, so that a range
 * cut through the middle of a message's life counts what happened inside the range.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { EsClient } from '../../core/elasticsearch.js';
import type { SummaryResponse } from '../schemas/summary.js';
import { COUNTED, DELIVERED_MESSAGE, deliveryRate, distinctMessages, RECEIVED_MESSAGE } from './counting.js';
import { delayDigestAggs, delaysExact, exactDelayAggs, readDelays } from './delays.js';
import { type Aggs, buckets, num, numOrNull, type SearchRequest, search } from './es.js';
import { eventsIndex, F, M, messagesIndex, RECIPIENT_DOMAIN } from './fields.js';
import { eventScope, type Filters, messageFilterClauses, timeRangeQuery } from './filters.js';
import { dateHistogram, fillBuckets } from './histogram.js';
import { isoString, type TimeRange } from './range.js';
import { readReasons, reasonAggs, topTerms } from './reasons.js';

type Query = estypes.QueryDslQueryContainer;
type AggMap = Record<string, estypes.AggregationsAggregationContainer>;

const HOUR_MS = 3_600_000;

/** The report writes hours as `2026-03-14T09:00:00Z` (no milliseconds). */
function reportHour(iso: string): string {
  return `${iso.slice(0, 13)}:00:00Z`;
}

/** Rows of each reason table and top list, as the report's default. */
export const SUMMARY_TOP = 50;
/** Destination domains listed; the report lists every domain, the API the busiest ones. */
export const SUMMARY_DOMAINS = 1000;

/**
 * A reason table: the top reasons of each category, flattened and cut to the top rows overall
 * in `shapeSummary` (exact: a row of the overall top N is in its category's top N).
 */
function reasonTable(filter: Query): estypes.AggregationsAggregationContainer {
  return { filter, aggs: reasonAggs(SUMMARY_TOP) };
}

/**
 * Every event a counted figure can come from (a superset of each `COUNTED` clause below): about
 * one line in six of a typical log, so the many aggregations of `summaryEventsQuery` look at
 * those only instead of checking each of them against every line of the range.
 */
export const SUMMARY_EVENTS: Query = {
  bool: {
    should: [
      { terms: { [F.action]: ['delivery', 'expired', 'reject', 'reject_warning', 'hold', 'discard'] } },
      COUNTED.expired,
    ],
    minimum_should_match: 1,
  },
};

/** What the report counts over all lines: their number, span, and the Postfix and unparsed ones. */
export function summaryLinesQuery(prefix: string, range: TimeRange, filters: Filters): SearchRequest {
  return {
    index: eventsIndex(prefix),
    size: 0,
    track_total_hits: true,
    query: eventScope(range, filters),
    aggs: {
      span: { stats: { field: F.timestamp } },
      postfix: { filter: { exists: { field: F.instance } } },
      unparsed: { filter: { term: { [F.action]: 'unparsed' } } },
    },
  };
}

export function summaryEventsQuery(prefix: string, range: TimeRange, filters: Filters): SearchRequest {
  const perHour: AggMap = {
    delivered: { filter: COUNTED.delivered },
    deferred: { filter: COUNTED.deferral },
    bounced: { filter: COUNTED.bounced },
    rejected: { filter: COUNTED.rejected },
  };
  return {
    index: eventsIndex(prefix),
    size: 0,
    track_total_hits: false,
    query: { bool: { filter: [eventScope(range, filters), SUMMARY_EVENTS] } },
    aggs: {
      delivered: {
        filter: COUNTED.delivered,
        aggs: { ...exactDelayAggs(), recipients: topTerms(F.to, SUMMARY_TOP) },
      },
      internal_hops: { filter: COUNTED.internal_hops },
      forwarded: { filter: COUNTED.forwarded },
      deferrals: { filter: COUNTED.deferral, aggs: { messages: distinctMessages() } },
      bounced: { filter: COUNTED.bounced },
      expired: { filter: COUNTED.expired },
      rejected: { filter: COUNTED.rejected },
      reject_warnings: { filter: COUNTED.reject_warning },
      held: { filter: COUNTED.held },
      discarded: { filter: COUNTED.discarded },
      rejections: reasonTable(COUNTED.rejected),
      deferral_reasons: reasonTable(COUNTED.deferral),
      bounce_reasons: reasonTable(COUNTED.bounced),
      per_domain: {
        filter: {
          bool: { should: [COUNTED.delivered, COUNTED.deferral, COUNTED.bounced], minimum_should_match: 1 },
        },
        aggs: {
          domains: {
            terms: {
              field: RECIPIENT_DOMAIN,
              size: SUMMARY_DOMAINS,
              order: [{ _count: 'desc' }, { _key: 'asc' }],
            },
            aggs: {
              delivered: { filter: COUNTED.delivered },
              deferred: { filter: COUNTED.deferral },
              bounced: { filter: COUNTED.bounced },
            },
          },
        },
      },
      // Only the lines the hourly table counts go through the histogram.
      hourly: {
        filter: {
          bool: {
            should: [COUNTED.delivered, COUNTED.deferral, COUNTED.bounced, COUNTED.rejected],
            minimum_should_match: 1,
          },
        },
        aggs: { per_hour: dateHistogram(F.timestamp, range, HOUR_MS, perHour) },
      },
    },
  };
}

export function summaryMessagesQuery(prefix: string, range: TimeRange, filters: Filters): SearchRequest {
  const inRange = timeRangeQuery(M.timestamp, range);
  return {
    index: messagesIndex(prefix),
    size: 0,
    track_total_hits: false,
    query: { bool: { filter: messageFilterClauses(filters) } },
    aggs: {
      received: {
        filter: { bool: { filter: [inRange, RECEIVED_MESSAGE] } },
        aggs: {
          bytes: { sum: { field: M.size } },
          senders: topTerms(M.from, SUMMARY_TOP, '(unknown)'),
          per_hour: dateHistogram(M.timestamp, range, HOUR_MS),
        },
      },
      delivered: {
        filter: { bool: { filter: [inRange, DELIVERED_MESSAGE] } },
        aggs: { bytes: { sum: { field: M.size } } },
      },
      backlog: {
        filter: {
          bool: {
            filter: [{ range: { [M.queuedAt]: { lt: isoString(range.to) } } }],
            should: [
              { bool: { must_not: { exists: { field: M.removedAt } } } },
              { range: { [M.removedAt]: { gte: isoString(range.to) } } },
            ],
            minimum_should_match: 1,
            must_not: [{ terms: { [M.state]: ['rejected', 'discarded'] } }],
          },
        },
      },
    },
  };
}

function reasonRows(aggs: unknown, name: string): SummaryResponse['rejections'] {
  const table = (aggs as Record<string, unknown> | undefined)?.[name];
  return readReasons(table, SUMMARY_TOP).reasons;
}

export function shapeSummary(
  events: Aggs | undefined,
  totalLines: number,
  msgs: Aggs | undefined,
  range: TimeRange,
): SummaryResponse {
  const count = (name: string) => num(events, name, 'doc_count');
  const messages = {
    received: num(msgs, 'received', 'doc_count'),
    delivered: count('delivered'),
    internal_hops: count('internal_hops'),
    forwarded: count('forwarded'),
    deferred: num(events, 'deferrals', 'messages', 'value'),
    deferrals: count('deferrals'),
    bounced: count('bounced'),
    expired: count('expired'),
    rejected: count('rejected'),
    reject_warnings: count('reject_warnings'),
    held: count('held'),
    discarded: count('discarded'),
  };
  const first = numOrNull(events, 'span', 'min');
  const last = numOrNull(events, 'span', 'max');
  const delays = readDelays(events?.delivered);
  const received = new Map(buckets(msgs, 'received', 'per_hour').map((b) => [b.key, b.doc_count]));
  const notes: string[] = [];
  if (!delays.exact)
    notes.push('More distinct delays than can be counted exactly: delay percentiles are estimates.');
  if (messages.deferred > 40_000)
    notes.push('Over 40,000 deferred messages: the count is an estimate (within about 1%).');
  notes.push(
    'bytes.delivered counts each delivered message once, not once per recipient as the report does.',
  );
  const unparsed = count('unparsed');
  if (unparsed > 0)
    notes.push(`${unparsed} line(s) were not understood (run \`mailpulse parse\` to see them).`);
  return {
    range: { from: isoString(range.from), to: isoString(range.to) },
    period:
      first === null || last === null
        ? { from: null, to: null }
        : { from: isoString(first), to: isoString(last) },
    messages,
    delivery_rate: deliveryRate(messages.delivered, messages.bounced, messages.expired),
    rejections: reasonRows(events, 'rejections'),
    deferral_reasons: reasonRows(events, 'deferral_reasons'),
    bounce_reasons: reasonRows(events, 'bounce_reasons'),
    queue: { backlog_at_end: num(msgs, 'backlog', 'doc_count') },
    per_domain: buckets(events, 'per_domain', 'domains').map((b) => ({
      domain: String(b.key),
      delivered: num(b, 'delivered', 'doc_count'),
      deferred: num(b, 'deferred', 'doc_count'),
      bounced: num(b, 'bounced', 'doc_count'),
    })),
    per_hour: fillBuckets(range, HOUR_MS, buckets(events, 'hourly', 'per_hour'), (b, start) => ({
      received: received.get(start) ?? 0,
      delivered: num(b, 'delivered', 'doc_count'),
      deferred: num(b, 'deferred', 'doc_count'),
      bounced: num(b, 'bounced', 'doc_count'),
      rejected: num(b, 'rejected', 'doc_count'),
    })).map(({ time, ...row }) => ({ hour: reportHour(time), ...row })),
    delays: { p50: delays.p50, p95: delays.p95, p99: delays.p99, max: delays.max },
    lines: { total: totalLines, postfix: count('postfix'), unparsed },
    bytes: {
      received: Math.round(num(msgs, 'received', 'bytes', 'value')),
      delivered: Math.round(num(msgs, 'delivered', 'bytes', 'value')),
    },
    top_senders: buckets(msgs, 'received', 'senders').map((b) => ({
      address: String(b.key),
      count: b.doc_count,
    })),
    top_recipients: buckets(events, 'delivered', 'recipients').map((b) => ({
      address: String(b.key),
      count: b.doc_count,
    })),
    notes,
  };
}

/** The delay percentiles' t-digest, for a range with more distinct delays than counted exactly. */
export function summaryDelayDigestQuery(prefix: string, range: TimeRange, filters: Filters): SearchRequest {
  return {
    index: eventsIndex(prefix),
    size: 0,
    track_total_hits: false,
    query: eventScope(range, filters),
    aggs: { delivered: { filter: COUNTED.delivered, aggs: delayDigestAggs() } },
  };
}

export async function summary(
  client: EsClient,
  prefix: string,
  range: TimeRange,
  filters: Filters,
): Promise<SummaryResponse> {
  const [lines, events, msgs] = await Promise.all([
    search(client, summaryLinesQuery(prefix, range, filters)),
    search(client, summaryEventsQuery(prefix, range, filters)),
    search(client, summaryMessagesQuery(prefix, range, filters)),
  ]);
  const total = typeof lines.hits.total === 'number' ? lines.hits.total : (lines.hits.total?.value ?? 0);
  let aggs: Aggs | undefined =
    lines.aggregations || events.aggregations
      ? { ...(lines.aggregations as Aggs | undefined), ...(events.aggregations as Aggs | undefined) }
      : undefined;
  const delivered = aggs?.delivered as Aggs | undefined;
  if (delivered && !delaysExact(delivered)) {
    const digest = await search(client, summaryDelayDigestQuery(prefix, range, filters));
    const inner = (digest.aggregations as Aggs | undefined)?.delivered as Aggs | undefined;
    aggs = { ...aggs, delivered: { ...delivered, digest: inner?.digest } };
  }
  return shapeSummary(aggs, total, msgs.aggregations as Aggs | undefined, range);
}
