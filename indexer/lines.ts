/**
 * Direct writes without Kafka: lines in, events and message documents out, through the same
 * batch code the consumer uses (`mailpulse import` without a broker, API tests). Lines are
 * read in order with one parse context and one correlator; each batch is acknowledged before
 * the next is read. Dead letters go to the dead-letter index only.
 */
import type { EsClient } from '../core/elasticsearch.js';
import type { Logger } from '../core/logger.js';
import { type RawRecord, rawHeaders } from '../core/raw-record.js';
import { type BatchRecord, type BatchResult, newPartitionState, processBatch } from './batch.js';
import type { IndexerMetrics } from './metrics.js';
import type { Redactor } from './privacy.js';

export interface LineInput {
  line: string | Buffer;
  /** Where the line came from; its identity makes the event id (re-importing is idempotent). */
  source?: RawRecord;
}

export interface IndexLinesOptions {
  /** Zone for zone-less timestamps; default UTC. */
  timeZone?: string;
  /** Lines per batch (default 5000). */
  batchLines?: number;
  bulkDocs?: number;
  bulkConcurrency?: number;
  maxLineBytes?: number;
  /** Refresh the indices at the end so the documents are searchable at once (default true). */
  refresh?: boolean;
  /** Name used in dead letters' `kafka.topic` for lines without a source (default `direct`). */
  stream?: string;
  metrics?: IndexerMetrics;
  logger?: Logger;
  /** PRIVACY=hash-local-part: see `privacy.ts`. */
  redact?: Redactor;
  /** Progress after each batch. */
  onBatch?: (totals: BatchResult & { lines: number }) => void;
}

export async function indexLines(
  client: EsClient,
  prefix: string,
  lines: Iterable<LineInput | string> | AsyncIterable<LineInput | string>,
  options: IndexLinesOptions = {},
): Promise<BatchResult & { lines: number }> {
  const stream = options.stream ?? 'direct';
  const state = newPartitionState(stream, 0, options.timeZone ?? 'UTC');
  const batchLines = options.batchLines ?? 5000;
  const totals = { lines: 0, events: 0, messages: 0, deadLetters: 0, withoutSource: 0 };
  const env = {
    client,
    prefix,
    bulkDocs: options.bulkDocs ?? 2000,
    bulkConcurrency: options.bulkConcurrency ?? 2,
    maxLineBytes: options.maxLineBytes ?? 512 * 1024,
    bulk: { isRunning: () => true, retryMaxMs: 30_000 },
    metrics: options.metrics,
    logger: options.logger,
    redact: options.redact,
  };
  let batch: BatchRecord[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const r = await processBatch(batch, state, env);
    totals.events += r.events;
    totals.messages += r.messages;
    totals.deadLetters += r.deadLetters;
    totals.withoutSource += r.withoutSource;
    batch = [];
    options.onBatch?.({ ...totals });
  };
  const now = String(Date.now());
  for await (const input of lines) {
    const item = typeof input === 'string' ? { line: input } : input;
    batch.push({
      topic: stream,
      partition: 0,
      offset: String(totals.lines),
      key: item.source ? Buffer.from(item.source.host) : null,
      value: typeof item.line === 'string' ? Buffer.from(item.line) : item.line,
      headers: item.source ? rawHeaders(item.source) : {},
      timestamp: now,
    });
    totals.lines += 1;
    if (batch.length >= batchLines) await flush();
  }
  await flush();
  if (options.refresh ?? true) {
    await client.indices.refresh({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true });
  }
  return totals;
}
