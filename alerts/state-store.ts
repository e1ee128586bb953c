/**
 * Alert state, history, rule cursors, silences and dead letters in one plain Elasticsearch
 * index, `<prefix>-alerts` (no scripts, no data streams). A `doc` field tells the kinds apart.
 *
 * The engine keeps the live state in memory and writes it here after each evaluation, with the
 * rule's cursor in the same bulk request; at start it reads it back, so a restart neither
 * re-pages (notified alerts stay notified) nor forgets (pending `for` clocks keep running).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { EsClient } from '../core/elasticsearch.js';
import { type AlertState, AlertStatusSchema, NOTICE_KINDS } from './machine.js';
import { ChannelSchema, SeveritySchema } from './rules.js';

export function alertsIndex(prefix: string): string {
  return `${prefix}-alerts`;
}

const iso = z.string();
const labels = z.record(z.string(), z.string());

/** One alert (rule + group) as stored and as the API shows it. */
export const StoredAlertSchema = z.object({
  rule: z.string(),
  group: z.string(),
  labels,
  severity: SeveritySchema,
  status: AlertStatusSchema,
  since: iso,
  active_at: iso.nullable(),
  fired_at: iso.nullable(),
  notified_at: iso.nullable(),
  value: z.number().nullable(),
  summary: z.string(),
  examples: z.array(z.string()),
  updated_at: iso,
});
export type StoredAlert = z.infer<typeof StoredAlertSchema>;

export const HistoryEntrySchema = z.object({
  '@timestamp': iso,
  rule: z.string(),
  group: z.string(),
  labels,
  severity: SeveritySchema,
  from: AlertStatusSchema,
  to: AlertStatusSchema,
  value: z.number().nullable(),
  summary: z.string(),
  /** The notice sent with this change, when one was. */
  notice: z.enum(NOTICE_KINDS).optional(),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

export const SilenceSchema = z.object({
  id: z.string(),
  matchers: labels,
  starts_at: iso,
  ends_at: iso,
  comment: z.string(),
  created_by: z.string(),
  created_at: iso,
});
export type Silence = z.infer<typeof SilenceSchema>;

export const DeadLetterSchema = z.object({
  '@timestamp': iso,
  channel: ChannelSchema,
  rule: z.string(),
  /** The notification id (`webhook-id`), so a receiver's logs can be matched. */
  notification_id: z.string(),
  attempts: z.number().int(),
  error: z.string(),
  payload: z.unknown(),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

const MAPPING = {
  dynamic: false,
  properties: {
    doc: { type: 'keyword' },
    '@timestamp': { type: 'date' },
    rule: { type: 'keyword' },
    group: { type: 'keyword' },
    labels: { type: 'flattened' },
    matchers: { type: 'flattened' },
    severity: { type: 'keyword' },
    status: { type: 'keyword' },
    from: { type: 'keyword' },
    to: { type: 'keyword' },
    notice: { type: 'keyword' },
    since: { type: 'date' },
    active_at: { type: 'date' },
    fired_at: { type: 'date' },
    notified_at: { type: 'date' },
    updated_at: { type: 'date' },
    evaluated_up_to: { type: 'date' },
    starts_at: { type: 'date' },
    ends_at: { type: 'date' },
    created_at: { type: 'date' },
    value: { type: 'double' },
    channel: { type: 'keyword' },
    id: { type: 'keyword' },
    payload: { type: 'object', enabled: false },
  },
} as const;

const toIso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const toMs = (s: string | null) => (s === null ? null : Date.parse(s));

export function stateOf(a: StoredAlert): AlertState {
  return {
    status: a.status,
    since: Date.parse(a.since),
    activeAt: toMs(a.active_at),
    firedAt: toMs(a.fired_at),
    notifiedAt: toMs(a.notified_at),
    value: a.value,
  };
}

export function storedAlert(
  base: Pick<StoredAlert, 'rule' | 'group' | 'labels' | 'severity' | 'summary' | 'examples'>,
  state: AlertState,
  now: number,
): StoredAlert {
  return {
    ...base,
    status: state.status,
    since: new Date(state.since).toISOString(),
    active_at: toIso(state.activeAt),
    fired_at: toIso(state.firedAt),
    notified_at: toIso(state.notifiedAt),
    value: state.value,
    updated_at: new Date(now).toISOString(),
  };
}

const alertId = (rule: string, group: string) => `alert:${rule}:${group}`;
const cursorId = (rule: string) => `cursor:${rule}`;

/** What one evaluation changes, written in one bulk request. */
export interface EvaluationWrite {
  readonly rule: string;
  readonly evaluatedUpTo: number;
  readonly upsert: readonly StoredAlert[];
  readonly remove: readonly { rule: string; group: string }[];
  readonly history: readonly HistoryEntry[];
}

export interface StateStore {
  ensureIndex(): Promise<void>;
  loadAlerts(): Promise<StoredAlert[]>;
  loadCursors(): Promise<Map<string, number>>;
  write(w: EvaluationWrite): Promise<void>;
  listAlerts(statuses?: readonly string[]): Promise<StoredAlert[]>;
  listHistory(options: { from?: number; rule?: string; limit: number }): Promise<HistoryEntry[]>;
  activeSilences(now: number): Promise<Silence[]>;
  listSilences(options: { includeExpiredSince?: number }): Promise<Silence[]>;
  createSilence(input: Omit<Silence, 'id' | 'created_at'>, now: number): Promise<Silence>;
  /** Ends a silence now; false when there is none with that id. */
  expireSilence(id: string, now: number): Promise<boolean>;
  deadLetter(d: DeadLetter): Promise<void>;
  listDeadLetters(limit: number): Promise<DeadLetter[]>;
}

function sources<T>(hits: ReadonlyArray<{ _source?: unknown }>, schema: z.ZodType<T>): T[] {
  const out: T[] = [];
  for (const h of hits) {
    const parsed = schema.safeParse(h._source);
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

export function esStateStore(client: EsClient, prefix: string): StateStore {
  const index = alertsIndex(prefix);
  const all = { index, ignore_unavailable: true, allow_no_indices: true } as const;
  const docIs = (doc: string) => ({ term: { doc } });

  return {
    async ensureIndex() {
      const exists = await client.indices.exists({ index });
      if (exists) return;
      try {
        await client.indices.create({
          index,
          settings: { number_of_shards: 1, number_of_replicas: 0 },
          mappings: MAPPING,
        });
      } catch (err) {
        // Another process created it between our check and our create: what we wanted.
        if (
          (err as { body?: { error?: { type?: string } } }).body?.error?.type !==
          'resource_already_exists_exception'
        )
          throw err;
      }
    },

    async loadAlerts() {
      return this.listAlerts();
    },

    async loadCursors() {
      const res = await client.search({
        ...all,
        size: 10_000,
        query: docIs('cursor'),
        _source: ['rule', 'evaluated_up_to'],
      });
      const out = new Map<string, number>();
      for (const h of res.hits.hits) {
        const s = h._source as { rule?: string; evaluated_up_to?: string } | undefined;
        if (s?.rule && s.evaluated_up_to) out.set(s.rule, Date.parse(s.evaluated_up_to));
      }
      return out;
    },

    async write(w) {
      const operations: object[] = [];
      for (const a of w.upsert)
        operations.push({ index: { _index: index, _id: alertId(a.rule, a.group) } }, { doc: 'alert', ...a });
      for (const r of w.remove) operations.push({ delete: { _index: index, _id: alertId(r.rule, r.group) } });
      for (const h of w.history) operations.push({ index: { _index: index } }, { doc: 'history', ...h });
      operations.push(
        { index: { _index: index, _id: cursorId(w.rule) } },
        { doc: 'cursor', rule: w.rule, evaluated_up_to: new Date(w.evaluatedUpTo).toISOString() },
      );
      const res = await client.bulk({ operations, refresh: true });
      if (res.errors) {
        const failed = res.items.find((i) => {
          const r = Object.values(i)[0];
          // Deleting an alert that was never written is fine.
          return r?.error !== undefined && !(r.status === 404);
        });
        const detail = failed ? JSON.stringify(Object.values(failed)[0]?.error) : 'unknown';
        if (failed) throw new Error(`alert state write failed: ${detail}`);
      }
    },

    async listAlerts(statuses) {
      const filter: object[] = [docIs('alert')];
      if (statuses && statuses.length > 0) filter.push({ terms: { status: statuses } });
      const res = await client.search({
        ...all,
        size: 10_000,
        query: { bool: { filter } },
        sort: [{ since: 'desc' }],
      });
      return sources(res.hits.hits, StoredAlertSchema);
    },

    async listHistory({ from, rule, limit }) {
      const filter: object[] = [docIs('history')];
      if (from !== undefined) filter.push({ range: { '@timestamp': { gte: from, format: 'epoch_millis' } } });
      if (rule) filter.push({ term: { rule } });
      const res = await client.search({
        ...all,
        size: limit,
        query: { bool: { filter } },
        sort: [{ '@timestamp': 'desc' }],
      });
      return sources(res.hits.hits, HistoryEntrySchema);
    },

    async activeSilences(now) {
      const res = await client.search({
        ...all,
        size: 1000,
        query: {
          bool: {
            filter: [
              docIs('silence'),
              { range: { starts_at: { lte: now, format: 'epoch_millis' } } },
              { range: { ends_at: { gt: now, format: 'epoch_millis' } } },
            ],
          },
        },
      });
      return sources(res.hits.hits, SilenceSchema);
    },

    async listSilences({ includeExpiredSince }) {
      const filter: object[] = [docIs('silence')];
      if (includeExpiredSince !== undefined)
        filter.push({ range: { ends_at: { gt: includeExpiredSince, format: 'epoch_millis' } } });
      const res = await client.search({
        ...all,
        size: 1000,
        query: { bool: { filter } },
        sort: [{ ends_at: 'desc' }],
      });
      return sources(res.hits.hits, SilenceSchema);
    },

    async createSilence(input, now) {
      await this.ensureIndex();
      const silence: Silence = { ...input, id: randomUUID(), created_at: new Date(now).toISOString() };
      await client.index({
        index,
        id: `silence:${silence.id}`,
        document: { doc: 'silence', ...silence },
        refresh: true,
      });
      return silence;
    },

    async expireSilence(id, now) {
      try {
        await client.update({
          index,
          id: `silence:${id}`,
          doc: { ends_at: new Date(now).toISOString() },
          refresh: true,
        });
        return true;
      } catch (err) {
        if ((err as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return false;
        throw err;
      }
    },

    async deadLetter(d) {
      await client.index({ index, document: { doc: 'dead_letter', ...d }, refresh: true });
    },

    async listDeadLetters(limit) {
      const res = await client.search({
        ...all,
        size: limit,
        query: docIs('dead_letter'),
        sort: [{ '@timestamp': 'desc' }],
      });
      return sources(res.hits.hits, DeadLetterSchema);
    },
  };
}
