/**
 * `_bulk` writes with per-document outcomes. A document is done when Elasticsearch acknowledged
 * it: 2xx, or 409 on `create` (the event is already there: a replay) or on a versioned `index`
 * (a newer copy is there). 429, 5xx and an
 * unreachable cluster are retried with exponential backoff for as long as the caller is still
 * running; any other refusal (a mapping error) is returned to the caller to dead-letter, so
 * one bad document never blocks the rest.
 */
import { errors } from '@elastic/elasticsearch';
import type { EsClient } from '../core/elasticsearch.js';
import type { Logger } from '../core/logger.js';
import type { BulkBody, BulkEntry, BulkMeta } from './bulk-body.js';
import { type ItemResult, bulkItems } from './bulk-response.js';
import type { IndexerMetrics } from './metrics.js';

export { type BulkAction, BulkBody, type BulkMeta, bulkBodies } from './bulk-body.js';

export interface BulkRejection<M extends BulkMeta = BulkMeta> {
  action: M;
  /** The refused document as JSON text. */
  source: string;
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

/**
 * Sends one body and returns the answer's text. The answer is read as text, not by the client's
 * JSON parser: `bulkItems` recognises the usual all-acknowledged answer without parsing it.
 * Failures come out as the client's own would: a refused request as a `ResponseError` with its
 * status, an answer cut off as a `ConnectionError` (retried: every action is idempotent).
 */
async function postBulk(client: EsClient, payload: Buffer): Promise<string> {
  const res = await client.transport.request(
    {
      method: 'POST',
      path: '/_bulk',
      bulkBody: payload,
      querystring: { filter_path: 'items.*.status,items.*.error' },
    },
    { maxRetries: 0, asStream: true, meta: true },
  );
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) chunks.push(chunk);
  } catch (err) {
    throw new errors.ConnectionError(`the answer to _bulk was cut off: ${(err as Error).message}`);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (res.statusCode !== null && res.statusCode >= 400) {
    throw new errors.ResponseError({ ...res, body: errorBody(text) });
  }
  return text;
}

/** A refusal's body as the client would give it: parsed when it is JSON, else the text. */
function errorBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

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

export async function writeBulk<M extends BulkMeta>(
  client: EsClient,
  body: BulkBody<M>,
  options: BulkOptions,
): Promise<BulkRejection<M>[]> {
  const rejections: BulkRejection<M>[] = [];
  let pending = body;
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
        { reason, detail, pending: pending.count, attempt, waitMs: Math.round(wait) },
        'Elasticsearch is not taking writes; retrying.',
      );
    }
    const until = Date.now() + wait;
    while (Date.now() < until) {
      if (!options.isRunning()) throw new BulkAbandoned();
      await delay(Math.min(1000, until - Date.now()));
    }
  };

  while (pending.count > 0) {
    if (!options.isRunning()) throw new BulkAbandoned();
    const stop = options.metrics?.bulkSeconds.startTimer();
    let items: ItemResult[] | 'acknowledged';
    try {
      items = bulkItems(await postBulk(client, pending.payload()), pending.count);
    } catch (err) {
      stop?.();
      const reason = retryableRequestError(err);
      if (reason === undefined) throw err;
      await backoff(reason, (err as Error).message);
      continue;
    }
    stop?.();
    const retry: BulkEntry<M>[] = [];
    for (let i = 0; items !== 'acknowledged' && i < items.length; i++) {
      const entry = pending.entries[i] as BulkEntry<M>;
      const action = entry.meta;
      const item = items[i] as ItemResult;
      // 409: the event is already there (create), or a newer copy of the document is (version).
      if (
        item.status < 300 ||
        (item.status === 409 && (action.op === 'create' || action.version !== undefined))
      )
        continue;
      // An upsert still in conflict after retry_on_conflict lost a race: writing it again is safe.
      if (retryableItem(item) || (item.status === 409 && action.op === 'upsert')) retry.push(entry);
      else {
        rejections.push({
          action,
          source: pending.sourceOf(entry),
          status: item.status,
          type: item.error?.type ?? 'unknown',
          reason: item.error?.reason ?? `status ${item.status}`,
        });
      }
    }
    if (retry.length === 0) {
      if (attempt > 0) {
        options.logger?.info({ attempts: attempt }, 'Elasticsearch takes writes again.');
        options.onRecovered?.();
      }
      return rejections;
    }
    pending = pending.subset(retry);
    await backoff('document', `${retry.length} documents refused with 429/5xx`);
  }
  return rejections;
}
