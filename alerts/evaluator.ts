/**
 * One evaluation of one rule at one instant `at` (data time): what holds for each group. Reads
 * Elasticsearch through the metric source (threshold, spike) or its own small queries (pattern,
 * absence); decides nothing about notifying: that is the state machine's job.
 */
import type { estypes } from '@elastic/elasticsearch';
import { eventsIndex, F } from '../api/metrics/fields.js';
import type { EsClient } from '../core/elasticsearch.js';
import type { MetricPoint, MetricSource } from './metric-source.js';
import type { AbsenceRule, PatternQuery, PatternRule, Rule, SpikeRule, ThresholdRule } from './rules.js';

export interface GroupObservation {
  /** '' for an ungrouped rule. */
  readonly group: string;
  /** Label name → value identifying the group (`{ domain: 'example.org' }`). */
  readonly labels: Readonly<Record<string, string>>;
  readonly active: boolean;
  readonly value: number | null;
  /** One line for a person: the figure and what it is compared with. */
  readonly summary: string;
  /** Raw lines or top reasons backing the figure. */
  readonly examples: readonly string[];
}

export interface EvaluatorDeps {
  readonly client: EsClient;
  readonly prefix: string;
  readonly metrics: MetricSource;
}

const DAY_MS = 86_400_000;

export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', DAY_MS],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

export function formatValue(metric: string, value: number | null): string {
  if (value === null) return 'n/a';
  if (metric.endsWith('_rate')) return `${(value * 100).toFixed(1)}%`;
  if (metric.startsWith('delay')) return `${value.toFixed(1)}s`;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

export function compare(op: ThresholdRule['op'], value: number, threshold: number): boolean {
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    default: {
      const unreachable: never = op;
      throw new Error(`unknown comparison ${String(unreachable)}`);
    }
  }
}

/**
 * Labels follow Prometheus' naming (`[a-zA-Z_][a-zA-Z0-9_]*`) so Alertmanager receivers accept
 * them: a pattern rule grouped by `host.name` labels its alerts `host_name`.
 */
export function labelName(field: string): string {
  const name = field.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
}

function groupLabels(field: string | undefined, group: string | null): Record<string, string> {
  return field && group !== null ? { [labelName(field)]: group } : {};
}

async function evaluateThreshold(
  rule: ThresholdRule,
  at: number,
  deps: EvaluatorDeps,
): Promise<GroupObservation[]> {
  const points = await deps.metrics(rule.metric, {
    from: at - rule.window,
    to: at,
    filters: rule.filters,
    groupBy: rule.group_by,
  });
  const threshold = formatValue(rule.metric, rule.value);
  return points.map((p) => {
    const enough = p.volume >= rule.min_volume;
    const active = p.value !== null && enough && compare(rule.op, p.value, rule.value);
    const figure = formatValue(rule.metric, p.value);
    const note = enough ? '' : ` (volume ${p.volume} below min_volume ${rule.min_volume})`;
    return {
      group: p.group ?? '',
      labels: groupLabels(rule.group_by, p.group),
      active,
      value: p.value,
      summary: `${rule.metric} ${figure} over ${formatDuration(rule.window)} (threshold ${rule.op} ${threshold})${note}`,
      examples: [],
    };
  });
}

function byGroup(points: readonly MetricPoint[]): Map<string, number> {
  return new Map(points.map((p) => [p.group ?? '', p.value ?? 0]));
}

async function evaluateSpike(rule: SpikeRule, at: number, deps: EvaluatorDeps): Promise<GroupObservation[]> {
  const query = (from: number) =>
    deps.metrics(rule.metric, {
      from,
      to: from + rule.window,
      filters: rule.filters,
      groupBy: rule.group_by,
    });
  const current = await query(at - rule.window);
  const shifts =
    rule.baseline === 'previous'
      ? [rule.window]
      : Array.from({ length: rule.days }, (_, i) => (i + 1) * DAY_MS);
  const past = await Promise.all(shifts.map((shift) => query(at - rule.window - shift).then(byGroup)));
  const baselineOf = (group: string) => past.reduce((sum, m) => sum + (m.get(group) ?? 0), 0) / past.length;
  const what =
    rule.baseline === 'previous' ? 'the previous window' : `the same hour on the past ${rule.days} days`;
  return current.map((p) => {
    const now = p.value ?? 0;
    const baseline = baselineOf(p.group ?? '');
    const active = now >= rule.min_count && now >= rule.factor * baseline;
    return {
      group: p.group ?? '',
      labels: groupLabels(rule.group_by, p.group),
      active,
      value: now,
      summary: `${rule.metric} ${now} in ${formatDuration(rule.window)} vs ${baseline.toFixed(1)} in ${what} (fires at ×${rule.factor}, at least ${rule.min_count})`,
      examples: [],
    };
  });
}

/**
 * Where a pattern's `text` is looked for. The raw line (`event.original`) is stored but not
 * indexed (indexer/mapping.ts), so phrases are matched in the analysed reply text, which holds
 * the remote or local server's words (`... blocked using zen.spamhaus.org`).
 */
export const TEXT_FIELDS = [`${F.responseText}.text`] as const;

/** Events matching the rule's query. */
export function patternQuery(q: PatternQuery): estypes.QueryDslQueryContainer[] {
  const clauses: estypes.QueryDslQueryContainer[] = [];
  if (q.action) clauses.push({ terms: { [F.action]: q.action } });
  for (const [field, value] of Object.entries(q.fields ?? {})) {
    clauses.push(Array.isArray(value) ? { terms: { [field]: value } } : { term: { [field]: value } });
  }
  if (q.text !== undefined)
    clauses.push({ multi_match: { query: q.text, type: 'phrase', fields: [...TEXT_FIELDS] } });
  return clauses;
}

interface Hit {
  _source?: { event?: { original?: string } };
}

function lines(hits: readonly Hit[]): string[] {
  return hits.map((h) => h._source?.event?.original ?? '').filter((l) => l.length > 0);
}

async function evaluatePattern(
  rule: PatternRule,
  at: number,
  deps: EvaluatorDeps,
): Promise<GroupObservation[]> {
  const query = {
    bool: {
      filter: [
        { range: { [F.timestamp]: { gte: at - rule.window, lt: at, format: 'epoch_millis' } } },
        ...patternQuery(rule.query),
      ],
    },
  };
  const inner: Record<string, estypes.AggregationsAggregationContainer> = {};
  if (rule.distinct) inner.distinct = { cardinality: { field: rule.distinct } };
  if (rule.examples > 0)
    inner.examples = {
      top_hits: {
        size: rule.examples,
        sort: [{ [F.timestamp]: { order: 'desc' } }],
        _source: ['event.original'],
      },
    };
  const res = await deps.client.search({
    index: eventsIndex(deps.prefix),
    size: 0,
    track_total_hits: true,
    ignore_unavailable: true,
    allow_no_indices: true,
    query,
    aggs: rule.group_by ? { groups: { terms: { field: rule.group_by, size: 500 }, aggs: inner } } : inner,
  });
  const what = rule.distinct ? `distinct ${rule.distinct}` : 'matching events';
  const observe = (group: string | null, agg: Record<string, unknown>, count: number): GroupObservation => {
    const value = rule.distinct ? ((agg.distinct as { value: number } | undefined)?.value ?? 0) : count;
    const hits = (agg.examples as { hits: { hits: Hit[] } } | undefined)?.hits.hits ?? [];
    return {
      group: group ?? '',
      labels: groupLabels(rule.group_by, group),
      active: value >= rule.min_count,
      value,
      summary: `${value} ${what} in ${formatDuration(rule.window)} (fires at ${rule.min_count})`,
      examples: lines(hits),
    };
  };
  const aggs = (res.aggregations ?? {}) as Record<string, unknown>;
  if (!rule.group_by) {
    const total = res.hits.total;
    return [observe(null, aggs, typeof total === 'number' ? total : (total?.value ?? 0))];
  }
  const buckets =
    (
      aggs.groups as
        | { buckets: Array<Record<string, unknown> & { key: string; doc_count: number }> }
        | undefined
    )?.buckets ?? [];
  return buckets.map((b) => observe(String(b.key), b, b.doc_count));
}

/**
 * `known`: hosts already pending or firing. A host silent for longer than `lookback` drops out
 * of the query, and must not look resolved for that.
 */
async function evaluateAbsence(
  rule: AbsenceRule,
  at: number,
  deps: EvaluatorDeps,
  known: readonly string[],
): Promise<GroupObservation[]> {
  const res = await deps.client.search({
    index: eventsIndex(deps.prefix),
    size: 0,
    ignore_unavailable: true,
    allow_no_indices: true,
    query: { range: { [F.timestamp]: { gte: at - rule.lookback, lt: at, format: 'epoch_millis' } } },
    aggs: {
      hosts: {
        terms: { field: F.host, size: 1000, ...(rule.hosts.length > 0 ? { include: rule.hosts } : {}) },
        aggs: { last: { max: { field: F.timestamp } } },
      },
    },
  });
  const buckets =
    (
      res.aggregations?.hosts as
        | { buckets: Array<{ key: string; last: { value: number | null } }> }
        | undefined
    )?.buckets ?? [];
  const last = new Map(buckets.map((b) => [String(b.key), b.last.value]));
  const hosts = rule.hosts.length > 0 ? rule.hosts : [...new Set([...last.keys(), ...known])];
  return hosts.map((host) => {
    const seen = last.get(host) ?? null;
    const silentMs = seen === null ? null : at - seen;
    const active = silentMs === null || silentMs >= rule.window;
    const value = silentMs === null ? null : Math.floor(silentMs / 60_000);
    return {
      group: host,
      labels: { host },
      active,
      value,
      summary:
        seen === null
          ? `no events from ${host} in the last ${formatDuration(rule.lookback)} (fires after ${formatDuration(rule.window)})`
          : `last event from ${host} ${value} min ago at ${new Date(seen).toISOString()} (fires after ${formatDuration(rule.window)})`,
      examples: [],
    };
  });
}

/** `known`: groups of this rule that are pending or firing now. */
export function evaluateRule(
  rule: Rule,
  at: number,
  deps: EvaluatorDeps,
  known: readonly string[] = [],
): Promise<GroupObservation[]> {
  const kind = rule.kind;
  switch (kind) {
    case 'threshold':
      return evaluateThreshold(rule as ThresholdRule, at, deps);
    case 'spike':
      return evaluateSpike(rule as SpikeRule, at, deps);
    case 'pattern':
      return evaluatePattern(rule as PatternRule, at, deps);
    case 'absence':
      return evaluateAbsence(rule as AbsenceRule, at, deps, known);
    default: {
      const unreachable: never = kind;
      throw new Error(`unknown rule kind ${String(unreachable)}`);
    }
  }
}
