/**
 * The narrow view the alert engine has of the metrics: one number per group for a metric over
 * a time range. Threshold and spike rules read only this, so the figures an alert quotes are
 * the figures the API answers for the same range and filters (field names and the recipient
 * domain runtime field come from api/metrics/fields.ts, the API's own definitions).
 */
import type { estypes } from '@elastic/elasticsearch';
import { F, M, RECIPIENT_DOMAIN, RECIPIENT_DOMAIN_RUNTIME, eventsIndex, messagesIndex } from '../api/metrics/fields.js';
import type { EsClient } from '../core/elasticsearch.js';
import type { Filters, GroupField, MetricName } from './rules.js';

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

type Query = estypes.QueryDslQueryContainer;
type Agg = estypes.AggregationsAggregationContainer;

const term = (field: string, value: string | number): Query => ({ term: { [field]: value } });

const ACTION = {
  delivered: { bool: { filter: [term(F.action, 'delivery'), term(F.status, 'sent')], must_not: [term(F.hop, 'internal')] } },
  bounced: { bool: { filter: [term(F.action, 'delivery'), term(F.status, 'bounced')] } },
  // qmgr logs one `status=expired` line per message; the parser may call it `expired` or a delivery.
  expired: { bool: { should: [term(F.action, 'expired'), term(F.status, 'expired')], minimum_should_match: 1 } },
  deferrals: { bool: { filter: [term(F.action, 'delivery'), term(F.status, 'deferred')] } },
  rejected: term(F.action, 'reject'),
  received: term(F.action, 'queued'),
  sasl_failures: term(F.action, 'sasl_failure'),
} as const satisfies Record<string, Query>;

const GROUP_FIELD: Record<GroupField, string> = {
  domain: RECIPIENT_DOMAIN,
  relay: F.relayHost,
  sender: F.from,
  host: F.host,
};

/** Most groups one evaluation considers; the busiest come first. */
const MAX_GROUPS = 1000;

function filterClauses(filters: Filters | undefined): Query[] {
  const out: Query[] = [];
  if (filters?.host) out.push(term(F.host, filters.host));
  if (filters?.domain) out.push(term(RECIPIENT_DOMAIN, filters.domain.toLowerCase()));
  if (filters?.sender) out.push(term(F.from, filters.sender));
  if (filters?.recipient) out.push(term(F.to, filters.recipient));
  return out;
}

/** Sub-aggregations computing `metric` inside one bucket, and how to read it back. */
function metricAggs(metric: Exclude<MetricName, 'queue_backlog'>): { aggs: Record<string, Agg>; read: (b: Record<string, unknown>) => { value: number | null; volume: number } } {
  const count = (name: string) => (b: Record<string, unknown>) => (b[name] as { doc_count: number }).doc_count;
  switch (metric) {
    case 'delivered':
    case 'bounced':
    case 'expired':
    case 'deferrals':
    case 'rejected':
    case 'received':
    case 'sasl_failures': {
      const read = count(metric);
      return { aggs: { [metric]: { filter: ACTION[metric] } }, read: (b) => ({ value: read(b), volume: read(b) }) };
    }
    case 'deferred':
      return {
        aggs: { deferrals: { filter: ACTION.deferrals, aggs: { messages: { cardinality: { field: F.queueId } } } } },
        read: (b) => {
          const v = (b.deferrals as { messages: { value: number } }).messages.value;
          return { value: v, volume: v };
        },
      };
    case 'delivery_rate':
    case 'bounce_rate': {
      const aggs = { delivered: { filter: ACTION.delivered }, bounced: { filter: ACTION.bounced }, expired: { filter: ACTION.expired } };
      return {
        aggs,
        read: (b) => {
          const [d, bo, e] = [count('delivered')(b), count('bounced')(b), count('expired')(b)];
          const total = d + bo + e;
          if (total === 0) return { value: null, volume: 0 };
          return { value: metric === 'delivery_rate' ? d / total : bo / total, volume: total };
        },
      };
    }
    case 'delay_p95':
      return {
        aggs: { delivered: { filter: ACTION.delivered, aggs: { delay: { percentiles: { field: F.delay, percents: [95] } } } } },
        read: (b) => {
          const d = b.delivered as { doc_count: number; delay: { values: Record<string, number | null> } };
          const v = Object.values(d.delay.values)[0] ?? null;
          return { value: d.doc_count === 0 ? null : v, volume: d.doc_count };
        },
      };
    default: {
      const unreachable: never = metric;
      throw new Error(`unknown metric ${String(unreachable)}`);
    }
  }
}

async function eventMetric(client: EsClient, prefix: string, metric: Exclude<MetricName, 'queue_backlog'>, q: MetricQuery): Promise<MetricPoint[]> {
  const { aggs, read } = metricAggs(metric);
  const usesDomain = q.groupBy === 'domain' || q.filters?.domain !== undefined;
  const query: Query = {
    bool: { filter: [{ range: { [F.timestamp]: { gte: q.from, lt: q.to, format: 'epoch_millis' } } }, ...filterClauses(q.filters)] },
  };
  const body = {
    index: eventsIndex(prefix),
    size: 0,
    ignore_unavailable: true,
    allow_no_indices: true,
    query,
    ...(usesDomain ? { runtime_mappings: RECIPIENT_DOMAIN_RUNTIME as unknown as estypes.MappingRuntimeFields } : {}),
    aggs: q.groupBy
      ? { groups: { terms: { field: GROUP_FIELD[q.groupBy], size: MAX_GROUPS }, aggs } }
      : aggs,
  };
  const res = await client.search(body);
  const top = (res.aggregations ?? {}) as Record<string, unknown>;
  if (!q.groupBy) return [{ group: null, ...read(top) }];
  const buckets = (top.groups as { buckets: Array<Record<string, unknown> & { key: string }> } | undefined)?.buckets ?? [];
  return buckets.map((b) => ({ group: String(b.key), ...read(b) }));
}

/** Messages that entered the queue manager before `to` and were not removed by then. */
async function queueBacklog(client: EsClient, prefix: string, q: MetricQuery): Promise<MetricPoint[]> {
  const filter: Query[] = [{ range: { [M.queuedAt]: { lt: q.to, format: 'epoch_millis' } } }];
  if (q.filters?.host) filter.push(term(M.host, q.filters.host));
  if (q.filters?.sender) filter.push(term(M.from, q.filters.sender));
  const query: Query = {
    bool: {
      filter,
      should: [
        { bool: { must_not: [{ exists: { field: M.removedAt } }] } },
        { range: { [M.removedAt]: { gte: q.to, format: 'epoch_millis' } } },
      ],
      minimum_should_match: 1,
    },
  };
  const index = messagesIndex(prefix);
  if (q.groupBy === 'host' || q.groupBy === 'sender') {
    const field = q.groupBy === 'host' ? M.host : M.from;
    const res = await client.search({
      index,
      size: 0,
      ignore_unavailable: true,
      allow_no_indices: true,
      query,
      aggs: { groups: { terms: { field, size: MAX_GROUPS } } },
    });
    const buckets = (res.aggregations?.groups as { buckets: Array<{ key: string; doc_count: number }> } | undefined)?.buckets ?? [];
    return buckets.map((b) => ({ group: String(b.key), value: b.doc_count, volume: b.doc_count }));
  }
  const res = await client.count({ index, ignore_unavailable: true, allow_no_indices: true, query });
  return [{ group: null, value: res.count, volume: res.count }];
}

export function esMetricSource(client: EsClient, prefix: string): MetricSource {
  return (metric, q) => (metric === 'queue_backlog' ? queueBacklog(client, prefix, q) : eventMetric(client, prefix, metric, q));
}
