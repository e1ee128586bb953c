/**
 * Delay percentiles, nearest rank, exactly as the report computes them. Postfix logs delays
 * with at most two significant decimals, so a range holds few distinct values: a `terms`
 * aggregation on the delay gives the exact value → count histogram. Only when there are more
 * distinct values than it holds does the answer fall back to Elasticsearch's t-digest
 * percentiles (approximate) and say so.
 */
import type { estypes } from '@elastic/elasticsearch';
import { buckets, num, numOrNull } from './es.js';
import { F } from './fields.js';

export const DELAY_PERCENTS = [50, 95, 99] as const;
/** Distinct delay values read exactly; above this the t-digest fallback answers. */
export const EXACT_DELAY_VALUES = 20_000;

type AggMap = Record<string, estypes.AggregationsAggregationContainer>;

/** The exact value → count histogram and the maximum: all `readDelays` needs when exact. */
export function exactDelayAggs(): AggMap {
  return {
    values: { terms: { field: F.delay, size: EXACT_DELAY_VALUES, order: { _key: 'asc' } } },
    max: { max: { field: F.delay } },
  };
}

/**
 * The t-digest fallback alone. Computing it costs about as much as the exact histogram, so a
 * caller that can afford a second request asks for it only when `delaysExact` says no.
 */
export function delayDigestAggs(): AggMap {
  return { digest: { percentiles: { field: F.delay, percents: [...DELAY_PERCENTS] } } };
}

export function delayAggs(): AggMap {
  return { ...exactDelayAggs(), ...delayDigestAggs() };
}

/** Whether the exact histogram in `aggs` holds every delay value. */
export function delaysExact(aggs: unknown): boolean {
  return num(aggs, 'values', 'sum_other_doc_count') === 0;
}

export interface Delays {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  exact: boolean;
}

/** Nearest rank over a sorted value → count list: the smallest v with count(≤ v) ≥ ⌈p·n/100⌉. */
export function nearestRank(sorted: readonly (readonly [number, number])[], p: number): number {
  const n = sorted.reduce((s, [, c]) => s + c, 0);
  if (n === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  let seen = 0;
  for (const [v, c] of sorted) {
    seen += c;
    if (seen >= rank) return v;
  }
  return sorted[sorted.length - 1]?.[0] ?? 0;
}

export function readDelays(aggs: unknown): Delays {
  const max = numOrNull(aggs, 'max', 'value') ?? 0;
  const exact = delaysExact(aggs);
  if (exact) {
    const sorted = buckets(aggs, 'values')
      .map((b) => [Number(b.key), b.doc_count] as const)
      .filter(([v]) => Number.isFinite(v))
      .sort((a, b) => a[0] - b[0]);
    const [p50, p95, p99] = DELAY_PERCENTS.map((p) => nearestRank(sorted, p)) as [number, number, number];
    return { p50, p95, p99, max, exact };
  }
  const [p50, p95, p99] = DELAY_PERCENTS.map((p) => numOrNull(aggs, 'digest', 'values', `${p}.0`) ?? 0) as [
    number,
    number,
    number,
  ];
  return { p50, p95, p99, max, exact };
}
