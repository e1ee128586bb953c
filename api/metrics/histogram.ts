/**
 * Time buckets: the `date_histogram` every bucketed figure uses, and the zero-filling shaper.
 * Elasticsearch already returns empty buckets inside `extended_bounds`, but not when no index
 * exists yet; filling from our own bucket list makes the answer's length depend only on the
 * range and interval.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { Bucket } from './es.js';
import { bucketStarts, isoString, type TimeRange } from './range.js';

export function dateHistogram(
  field: string,
  range: TimeRange,
  intervalMs: number,
  aggs?: Record<string, estypes.AggregationsAggregationContainer>,
): estypes.AggregationsAggregationContainer {
  return {
    date_histogram: {
      field,
      fixed_interval: `${intervalMs / 1000}s`,
      min_doc_count: 0,
      extended_bounds: { min: range.from, max: range.to - 1 },
    },
    ...(aggs ? { aggs } : {}),
  };
}

/** One row per bucket start in the range, `shape` applied to the ES bucket (or to none). */
export function fillBuckets<T>(
  range: TimeRange,
  intervalMs: number,
  esBuckets: Bucket[],
  shape: (bucket: Bucket | undefined, start: number) => T,
): ({ time: string } & T)[] {
  const byStart = new Map<number, Bucket>();
  for (const b of esBuckets) if (typeof b.key === 'number') byStart.set(b.key, b);
  return bucketStarts(range, intervalMs).map((start) => ({
    time: isoString(start),
    ...shape(byStart.get(start), start),
  }));
}
