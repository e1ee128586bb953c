/**
 * `_bulk` writes with per-document outcomes. A document is done when Elasticsearch acknowledged
 * it: 2xx, or 409 on `create` (the event is already there: a replay) or on a versioned `index`
 * (a newer copy is there). 429, 5xx and an
 * unreachable cluster are retried with exponential backoff for as long as the caller is still
 * running; any other refusal (a mapping error) is returned to the caller to dead-letter, so
 * one bad document never blocks the rest.
 */
import type { EsClient } from '../core/elasticsearch.js';
import type { Logger } from '../core/logger.js';
import type { IndexerMetrics } from './metrics.js';

export interface BulkAction {
  /**
   * `create` for events (idempotent by id, 409 = already there); `index` for message documents
   * from Kafka (with `version`) and dead letters; `upsert` (partial update with `doc_as_upsert`,
   * the whole document) for message documents of direct writes.
   */
  op: 'create' | 'upsert' | 'index';
  /**
   * With `index`: the document replaces the stored one only if its version is not lower
   * (`external_gte`); a 409 then means a newer copy is stored, which is success.
   */
  version?: number;
  /** What the document is, for the caller's bookkeeping of refusals. */
  kind?: 'event' | 'message' | 'deadletter';
  index: string;
  id?: string;
  /** The document as JSON text. */
  source: string;
}

export interface BulkRejection {
  action: BulkAction;
  status: number;
  type: string;
  reason: string;
}

/** The caller stopped (shutdown, rebalance) before every document was acknowledged. */
export class BulkAbandoned extends Error {
  constructor() {
    super('bulk write abandoned: the consumer is stopping or lost the partition');
    this.name = 'BulkAbandoned';
  }
}

export interface BulkOptions {
  /** Checked before each attempt; false abandons the write with `BulkAbandoned`. */
  isRunning(): boolean;
  /** Called when a retry starts / when a write succeeds after retries (pause / resume consumption). */
  onBackoff?(): void;
  onRecovered?(): void;
  retryMaxMs: number;
  retryMinMs?: number;
  metrics?: IndexerMetrics;
  logger?: Logger;
}

/** The action's metadata object as JSON text, built directly (one per document, so it counts). */
function actionMeta(a: BulkAction, extra = ''): string {
  const id = a.id === undefined ? '' : `,"_id":${JSON.stringify(a.id)}`;
  return `{"_index":${JSON.stringify(a.index)}${id}${extra}}`;
}

function actionLine(a: BulkAction): string {
  switch (a.op) {
    case 'create':
      return `{"create":${actionMeta(a)}}\n${a.source}\n`;
    case 'index':
      return a.version === undefined
        ? `{"index":${actionMeta(a)}}\n${a.source}\n`
        : `{"index":${actionMeta(a, `,"version":${a.version},"version_type":"external_gte"`)}}\n${a.source}\n`;
    case 'upsert':
      // Two indexers can race on one message during a rebalance; the later whole document wins.
      return `{"update":${actionMeta(a, ',"retry_on_conflict":5')}}\n{"doc":${a.source},"doc_as_upsert":true}\n`;
  }
}

/** Approximate bytes an action adds to a request (for splitting by size). */
export function actionBytes(a: BulkAction): number {
  return a.source.length + a.index.length + (a.id?.length ?? 0) + 64;
}

type ItemResult = { status: number; error?: { type?: string; reason?: string } };

/** Whole-request failures worth retrying: the cluster is unreachable, overloaded or starting. */
function retryableRequestError(err: unknown): string | undefined {
  const e = err as { name?: string; meta?: { statusCode?: number } };
  if (e.name === 'ConnectionError' || e.name === 'TimeoutError' || e.name === 'NoLivingConnectionsError') {
    return 'unreachable';
  }
  const status = e.meta?.statusCode;
  if (status === 429) return 'overloaded';
  if (status !== undefined && status >= 500) return 'server_error';
  return undefined;
}

function retryableItem(item: ItemResult): boolean {
  if (item.status === 429 || item.status >= 500) return true;
  // A read-only block (flood-stage disk) lifts once space is freed: wait, do not dead-letter.
  return item.error?.type === 'cluster_block_exception';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function writeBulk(
  client: EsClient,
  actions: readonly BulkAction[],
  options: BulkOptions,
): Promise<BulkRejection[]> {
  const rejections: BulkRejection[] = [];
  let pending = actions;
  let attempt = 0;
  let lastLog = 0;
  const backoff = async (reason: string, detail: string): Promise<void> => {
    if (attempt === 0) options.onBackoff?.();
    options.metrics?.retries.inc({ reason });
    const base = Math.min(options.retryMaxMs, (options.retryMinMs ?? 200) * 2 ** Math.min(attempt, 20));
    const wait = base / 2 + Math.random() * (base / 2);
    attempt += 1;
    if (Date.now() - lastLog > 30_000) {
      lastLog = Date.now();
      options.logger?.warn(
        { reason, detail, pending: pending.length, attempt, waitMs: Math.round(wait) },
        'Elasticsearch is not taking writes; retrying.',
      );
    }
    const until = Date.now() + wait;
    while (Date.now() < until) {
      if (!options.isRunning()) throw new BulkAbandoned();
      await delay(Math.min(1000, until - Date.now()));
    }
  };

  while (pending.length > 0) {
    if (!options.isRunning()) throw new BulkAbandoned();
    const body = pending.map(actionLine).join('');
    const stop = options.metrics?.bulkSeconds.startTimer();
    let items: Record<string, ItemResult>[];
    try {
      const res = (await client.transport.request(
        {
          method: 'POST',
          path: '/_bulk',
          bulkBody: body,
          querystring: { filter_path: 'items.*.status,items.*.error' },
        },
        { maxRetries: 0 },
      )) as { items?: Record<string, ItemResult>[] };
      items = res.items ?? [];
    } catch (err) {
      stop?.();
      const reason = retryableRequestError(err);
      if (reason === undefined) throw err;
      await backoff(reason, (err as Error).message);
      continue;
    }
    stop?.();
    if (items.length !== pending.length) {
      throw new Error(`_bulk answered ${items.length} items for ${pending.length} actions`);
    }
    const retry: BulkAction[] = [];
    items.forEach((entry, i) => {
      const action = pending[i] as BulkAction;
      const item = Object.values(entry)[0] as ItemResult;
      // 409: the event is already there (create), or a newer copy of the document is (version).
      if (item.status < 300 || (item.status === 409 && (action.op === 'create' || action.version !== undefined)))
        return;
      // An upsert still in conflict after retry_on_conflict lost a race: writing it again is safe.
      if (retryableItem(item) || (item.status === 409 && action.op === 'upsert')) retry.push(action);
      else {
        rejections.push({
          action,
          status: item.status,
          type: item.error?.type ?? 'unknown',
          reason: item.error?.reason ?? `status ${item.status}`,
        });
      }
    });
    pending = retry;
    if (retry.length > 0) await backoff('document', `${retry.length} documents refused with 429/5xx`);
    else if (attempt > 0) {
      options.logger?.info({ attempts: attempt }, 'Elasticsearch takes writes again.');
      options.onRecovered?.();
    }
  }
  return rejections;
}

/** Splits actions into requests of at most `maxDocs` documents and about `maxBytes` bytes. */
export function chunkActions(
  actions: readonly BulkAction[],
  maxDocs: number,
  maxBytes: number,
): BulkAction[][] {
  const chunks: BulkAction[][] = [];
  let current: BulkAction[] = [];
  let bytes = 0;
  for (const a of actions) {
    const size = actionBytes(a);
    if (current.length > 0 && (current.length >= maxDocs || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(a);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
