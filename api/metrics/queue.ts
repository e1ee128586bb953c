/**
 * Queue backlog from the message lifecycle: a message is in the backlog at time t when qmgr
 * took it (`queued_at ≤ t`) and had not removed it (`removed_at` absent or later than t).
 *
 * One search answers every bucket: the backlog at the first bucket's start, plus per bucket
 * the messages that entered and the messages that left; the running sum gives the backlog at
 * each bucket end. "Deferred" are backlog messages with at least one deferral: the message
 * document keeps the count, not the time of the first deferral, so a message that is deferred
 * later in its life counts as deferred from its entry on (at 5-minute buckets the first
 * deferral nearly always falls in the entry bucket).
 */
import type { estypes } from '@elastic/elasticsearch';
import type { EsClient } from '../../core/elasticsearch.js';
import type { Backlog, QueueResponse } from '../schemas/queue.js';
import { type Aggs, type Bucket, buckets, num, type SearchRequest, search } from './es.js';
import { M, messagesIndex } from './fields.js';
import { type Filters, messageFilterClauses } from './filters.js';
import { dateHistogram } from './histogram.js';
import { bucketStarts, isoString, type TimeRange } from './range.js';

type Query = estypes.QueryDslQueryContainer;

const DEFERRED: Query = { range: { [M.deferrals]: { gt: 0 } } };
const iso = isoString;

/** Messages whose queue life overlaps [start, end): the only ones that matter for the answer. */
function overlapping(start: number, end: number, filters: Filters): Query {
  return {
    bool: {
      filter: [
        { range: { [M.queuedAt]: { lt: iso(end) } } },
        {
          bool: {
            should: [
              { bool: { must_not: { exists: { field: M.removedAt } } } },
              { range: { [M.removedAt]: { gte: iso(start) } } },
            ],
            minimum_should_match: 1,
          },
        },
        ...messageFilterClauses(filters),
      ],
    },
  };
}

export function queueQuery(
  prefix: string,
  range: TimeRange,
  filters: Filters,
  intervalMs: number,
): SearchRequest {
  const start = bucketStarts(range, intervalMs)[0] ?? range.from;
  const histRange = { from: start, to: range.to };
  return {
    index: messagesIndex(prefix),
    size: 0,
    track_total_hits: false,
    query: overlapping(start, range.to, filters),
    aggs: {
      base: {
        filter: { range: { [M.queuedAt]: { lt: iso(start) } } },
        aggs: { deferred: { filter: DEFERRED } },
      },
      entered: {
        filter: { range: { [M.queuedAt]: { gte: iso(start) } } },
        aggs: {
          over_time: dateHistogram(M.queuedAt, histRange, intervalMs, { deferred: { filter: DEFERRED } }),
        },
      },
      left: {
        filter: { range: { [M.removedAt]: { gte: iso(start), lt: iso(range.to) } } },
        aggs: {
          over_time: dateHistogram(M.removedAt, histRange, intervalMs, { deferred: { filter: DEFERRED } }),
        },
      },
    },
  };
}

function byStart(list: Bucket[]): Map<number, Bucket> {
  const out = new Map<number, Bucket>();
  for (const b of list) if (typeof b.key === 'number') out.set(b.key, b);
  return out;
}

function backlog(total: number, deferred: number): Backlog {
  // Clock skew between hosts can make a removal look earlier than its entry; never below 0.
  const t = Math.max(0, total);
  const d = Math.min(t, Math.max(0, deferred));
  return { backlog: t, active: t - d, deferred: d };
}

export function shapeQueue(
  aggs: Aggs | undefined,
  range: TimeRange,
  interval: string,
  intervalMs: number,
): QueueResponse {
  let total = num(aggs, 'base', 'doc_count');
  let deferred = num(aggs, 'base', 'deferred', 'doc_count');
  const entered = byStart(buckets(aggs, 'entered', 'over_time'));
  const left = byStart(buckets(aggs, 'left', 'over_time'));
  const rows = bucketStarts(range, intervalMs).map((start) => {
    const e = entered.get(start);
    const l = left.get(start);
    total += num(e, 'doc_count') - num(l, 'doc_count');
    deferred += num(e, 'deferred', 'doc_count') - num(l, 'deferred', 'doc_count');
    return { time: iso(start), ...backlog(total, deferred) };
  });
  return {
    period: { from: iso(range.from), to: iso(range.to) },
    interval,
    source: 'lifecycle',
    at_end: backlog(total, deferred),
    buckets: rows,
  };
}

export async function queueOverTime(
  client: EsClient,
  prefix: string,
  range: TimeRange,
  filters: Filters,
  interval: { text: string; ms: number },
): Promise<QueueResponse> {
  const res = await search(client, queueQuery(prefix, range, filters, interval.ms));
  return shapeQueue(res.aggregations as Aggs | undefined, range, interval.text, interval.ms);
}

/** The backlog at one instant (what a backlog threshold rule and `/metrics` read). */
export async function backlogAt(
  client: EsClient,
  prefix: string,
  at: number,
  filters: Filters = {},
): Promise<Backlog> {
  const res = await search(client, {
    index: messagesIndex(prefix),
    size: 0,
    track_total_hits: false,
    query: {
      bool: {
        filter: [
          { range: { [M.queuedAt]: { lte: iso(at) } } },
          {
            bool: {
              should: [
                { bool: { must_not: { exists: { field: M.removedAt } } } },
                { range: { [M.removedAt]: { gt: iso(at) } } },
              ],
              minimum_should_match: 1,
            },
          },
          ...messageFilterClauses(filters),
        ],
      },
    },
    aggs: { all: { filter: { match_all: {} }, aggs: { deferred: { filter: DEFERRED } } } },
  });
  return backlog(
    num(res.aggregations, 'all', 'doc_count'),
    num(res.aggregations, 'all', 'deferred', 'doc_count'),
  );
}
