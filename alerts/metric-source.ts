/**
 * The narrow view the alert engine has of the metrics: one number per group for a metric over
 * a time range. Threshold and spike rules read only this. It is assembled from the API's own
 * metric pieces (api/metrics: the counting clauses, the filter and time scope, the delivery
 * figures and delay readers, the backlog), so an alert quotes the figure the API answers for
 * the same range and filters; what is added here is only the grouping.
 */
import type { estypes } from '@elastic/elasticsearch';
import { COUNTED, distinctMessages } from '../api/metrics/counting.js';
import { delayAggs, readDelays } from '../api/metrics/delays.js';
import { deliveryFigureAggs, readDeliveryFigures } from '../api/metrics/delivery.js';
import { type Bucket, buckets, num, search } from '../api/metrics/es.js';
import { eventsIndex, F, M, messagesIndex } from '../api/metrics/fields.js';
import { eventScope, type Filters } from '../api/metrics/filters.js';
import { backlogAt } from '../api/metrics/queue.js';
import type { EsClient } from '../core/elasticsearch.js';
import type { GroupField, MetricName } from './rules.js';

export interface MetricQuery {
  /** Inclusive start, UTC ms. */
  readonly from: number;
  /** Exclusive end, UTC ms. */
  readonly to: number;
  readonly filters?: Filters;
  readonly groupBy?: GroupField;
}

export interface MetricPoint {
  /** The group's value (a domain, a host ...); null for an ungrouped query. */
  readonly group: string | null;
  /** null when the metric is undefined for the range (a rate with nothing delivered or bounced). */
  readonly value: number | null;
  /** What the figure rests on: a rate's denominator, a count itself. */
  readonly volume: number;
}

export type MetricSource = (metric: MetricName, query: MetricQuery) => Promise<MetricPoint[]>;

type Agg = estypes.AggregationsAggregationContainer;
type Reading = { value: number | null; volume: number };

const GROUP_FIELD: Record<Exclude<GroupField, 'domain'>, string> = {
  relay: F.relayHost,
  sender: F.from,
  host: F.host,
};

/** Most groups one evaluation considers; the busiest come first. */
export const MAX_GROUPS = 500;

const SASL_FAILURE = { term: { [F.action]: 'sasl_failure' } };

const count = (value: number): Reading => ({ value, volume: value });

/** Sub-aggregations computing `metric` inside one bucket, and how to read them back. */
function metricAggs(metric: Exclude<MetricName, 'queue_backlog'>): {
  aggs: Record<string, Agg>;
  read: (b: unknown) => Reading;
} {
  switch (metric) {
    case 'delivered':
    case 'bounced':
    case 'expired':
    case 'deferrals':
    case 'deferred': {
      const field = metric;
      return { aggs: deliveryFigureAggs(), read: (b) => count(readDeliveryFigures(b)[field]) };
    }
    case 'delivery_rate':
      return {
        aggs: deliveryFigureAggs(),
        read: (b) => {
          const f = readDeliveryFigures(b);
          return { value: f.delivery_rate, volume: f.delivered + f.bounced + f.expired };
        },
      };
    case 'bounce_rate':
      return {
        aggs: deliveryFigureAggs(),
        read: (b) => {
          const f = readDeliveryFigures(b);
          const total = f.delivered + f.bounced + f.expired;
          return { value: total === 0 ? null : f.bounced / total, volume: total };
        },
      };
    case 'rejected':
      return {
        aggs: { rejected: { filter: COUNTED.rejected } },
        read: (b) => count(num(b, 'rejected', 'doc_count')),
      };
    case 'received':
      return {
        aggs: { received: { filter: COUNTED.received, aggs: { messages: distinctMessages() } } },
        read: (b) => count(num(b, 'received', 'messages', 'value')),
      };
    case 'sasl_failures':
      return { aggs: { sasl: { filter: SASL_FAILURE } }, read: (b) => count(num(b, 'sasl', 'doc_count')) };
    case 'delay_p95':
      return {
        aggs: { delivered: { filter: COUNTED.delivered, aggs: delayAggs() } },
        read: (b) => {
          const n = num(b, 'delivered', 'doc_count');
          const inner = (b as Record<string, unknown> | undefined)?.delivered;
          return { value: n === 0 ? null : readDelays(inner).p95, volume: n };
        },
      };
    default: {
      const unreachable: never = metric;
      throw new Error(`unknown metric ${String(unreachable)}`);
    }
  }
}

/** The recipient domain of an address, as api/metrics/fields.ts defines it. */
export function domainOf(address: string): string {
  if (address === '') return '(none)';
  const i = address.lastIndexOf('@');
  return i < 0 ? '(local)' : address.slice(i + 1).toLowerCase();
}

/** Sums two buckets of filter-only aggregations: doc counts are additive, and nothing else is read. */
function addCounts(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b as Record<string, unknown>))
      out[k] = k in out ? addCounts(out[k], v) : v;
    return out;
  }
  return a;
}

/**
 * Per recipient domain without a script: Elasticsearch may run without Painless (the local
 * stack does: "script_lang not supported"), so the API's domain runtime field is not used here;
 * the figures are aggregated per recipient address and summed per domain. Only additive figures
 * (counts, and rates made of counts) survive the sum, which is why the rules schema refuses
 * distinct and percentile metrics per domain.
 */
export const MAX_ADDRESSES = 10_000;

async function eventMetric(
  client: EsClient,
  prefix: string,
  metric: Exclude<MetricName, 'queue_backlog'>,
  q: MetricQuery,
): Promise<MetricPoint[]> {
  const { aggs, read } = metricAggs(metric);
  const byDomain = q.groupBy === 'domain';
  const terms =
    q.groupBy === undefined
      ? undefined
      : q.groupBy === 'domain'
        ? { field: F.to, size: MAX_ADDRESSES }
        : { field: GROUP_FIELD[q.groupBy], size: MAX_GROUPS };
  const res = await search(client, {
    index: eventsIndex(prefix),
    size: 0,
    track_total_hits: false,
    query: eventScope({ from: q.from, to: q.to }, q.filters ?? {}),
    aggs: terms ? { groups: { terms, aggs } } : aggs,
  });
  if (!terms) return [{ group: null, ...read(res.aggregations) }];
  const groups = buckets(res.aggregations, 'groups');
  if (!byDomain) return groups.map((b: Bucket) => ({ group: String(b.key), ...read(b) }));
  const folded = new Map<string, unknown>();
  for (const b of groups) {
    const d = domainOf(String(b.key));
    folded.set(d, folded.has(d) ? addCounts(folded.get(d), b) : b);
  }
  return [...folded].map(([group, b]) => ({ group, ...read(b) }));
}

/** The backlog at the end of the range; per host when grouped by host (the only grouping a message has one value for). */
async function queueBacklog(client: EsClient, prefix: string, q: MetricQuery): Promise<MetricPoint[]> {
  if (q.groupBy === 'host') {
    const res = await search(client, {
      index: messagesIndex(prefix),
      size: 0,
      track_total_hits: false,
      // Hosts with a message in the queue at `to` (the backlog's own condition); backlogAt then counts each.
      query: {
        bool: {
          filter: [{ range: { [M.queuedAt]: { lte: new Date(q.to).toISOString() } } }],
          should: [
            { bool: { must_not: { exists: { field: M.removedAt } } } },
            { range: { [M.removedAt]: { gt: new Date(q.to).toISOString() } } },
          ],
          minimum_should_match: 1,
        },
      },
      aggs: { groups: { terms: { field: M.host, size: MAX_GROUPS } } },
    });
    const hosts = buckets(res.aggregations, 'groups').map((b) => String(b.key));
    return Promise.all(
      hosts.map(async (host) => {
        const b = await backlogAt(client, prefix, q.to, { ...q.filters, host });
        return { group: host, value: b.backlog, volume: b.backlog };
      }),
    );
  }
  const b = await backlogAt(client, prefix, q.to, q.filters ?? {});
  return [{ group: null, value: b.backlog, volume: b.backlog }];
}

export function esMetricSource(client: EsClient, prefix: string): MetricSource {
  return (metric, q) =>
    metric === 'queue_backlog' ? queueBacklog(client, prefix, q) : eventMetric(client, prefix, metric, q);
}
