/**
 * One batch of one partition's records, in order: parse, correlate, write, dead-letter.
 *
 * Writes inside a batch: events (`create`) in chunks, several requests in flight while the next
 * chunk is parsed (`bulkConcurrency` per partition, shared with the partition's other batches
 * in flight); the message documents the batch changed (the whole document per message, in its
 * final state in this batch, versioned by Kafka offset: see `versionedMessages`) go with the
 * last chunk; then documents refused by Elasticsearch as dead letters, and all dead letters to
 * the DLQ topic.
 *
 * `takeBatch` returns once everything is parsed and sent, so the partition's next batch can be
 * parsed while Elasticsearch writes this one; its `done` resolves only when every document is
 * acknowledged or dead-lettered, and the caller commits the offsets then. Anything thrown or
 * rejected leaves the batch uncommitted.
 */
import { createHash } from 'node:crypto';
import { setImmediate as turn } from 'node:timers/promises';
import type { EsClient } from '../core/elasticsearch.js';
import type { MailEvent } from '../core/event.js';
import type { OutMessage } from '../core/kafka.js';
import type { Logger } from '../core/logger.js';
import type { MessageDoc } from '../core/message.js';
import { type Correlator, type ParseContext, createCorrelator, createParseContext } from '../parser/index.js';
import {
  type BulkAction,
  BulkBody,
  type BulkMeta,
  type BulkOptions,
  type BulkRejection,
  bulkBodies,
  writeBulk,
} from './bulk.js';
import { type DeadLetter, type SourceRecord, deadLetter, deadLetterMessage } from './dead-letter.js';
import { dailyIndexName, utcDay } from './index-names.js';
import type { IndexerMetrics } from './metrics.js';
import { prepareRecord, tagWithMessage } from './records.js';
import type { Redactor } from './privacy.js';
import { type RestoredPartition, messageDay, messageDocId, messageSlot } from './state.js';

/**
 * Bytes of a `_bulk` body, about (`BulkBody.fits`, `BulkBody.splitOver`): a document that
 * would take a body past it starts the next one, so only a single document larger than this
 * makes a larger request. Elasticsearch refuses bodies over 100 MB by default.
 */
export const MAX_BULK_BYTES = 16 * 1024 * 1024;
/**
 * Lines parsed between two turns of the event loop. Parsing is synchronous, but a `_bulk` body
 * already sent goes out only as the socket drains and an answer is read only when the loop turns.
 * Parsed in one stretch between bodies (tens of milliseconds), Elasticsearch's write threads and
 * the indexer were seen waiting at the same time. On the 2-core benchmark, six rounds of a 1M-line
 * backlog side by side took 241.5 s with a turn every 100 lines against 267.1 s without, faster in
 * every round, at the same CPU per line (README, Benchmarks).
 */
const LINES_PER_TURN = 100;
/**
 * Lines between two expiries of the correlator inside a batch, at least (at most one expiry per
 * message in memory, so that a large state is not scanned every few lines). A message that leaves
 * memory then is written at once instead of with the batch's last chunk, and its state is garbage
 * a few hundred lines after its last line rather than at the end of the batch: held to the end, it
 * outlived two young-generation collections and was copied into the old generation (README).
 */
export const LINES_PER_EXPIRY = 1000;
/** The correlator keeps closed messages this long for late lines; the restore query matches it. */
export const LATE_GRACE_MS = 5 * 60_000;

export type BatchRecord = SourceRecord & { timestamp?: string };

/** What one partition carries from batch to batch. */
export interface PartitionState {
  topic: string;
  partition: number;
  ctx: ParseContext;
  correlator: Correlator;
  replayUntil: Map<string, number>;
  /** Highest `replayUntil` value: past it, no lookups are needed. */
  replayEnd: number;
  /** Newest event time seen (ms), the correlator's clock for releasing finished messages. */
  clockMs: number;
}

export function newPartitionState(
  topic: string,
  partition: number,
  timeZone: string,
  restored?: RestoredPartition,
): PartitionState {
  const correlator = createCorrelator({ lateGraceMs: LATE_GRACE_MS, snapshots: 'live' });
  if (restored) correlator.restore(restored.docs);
  const replayUntil = restored?.replayUntil ?? new Map<string, number>();
  return {
    topic,
    partition,
    ctx: createParseContext({ timeZone }),
    correlator,
    replayUntil,
    replayEnd: Math.max(-1, ...replayUntil.values()),
    clockMs: 0,
  };
}

export interface BatchEnv {
  client: EsClient;
  prefix: string;
  bulkDocs: number;
  bulkConcurrency: number;
  maxLineBytes: number;
  bulk: Omit<BulkOptions, 'metrics' | 'logger'>;
  /** Writes dead letters to the DLQ topic; absent for direct writes (`indexLines`). */
  sendDeadLetters?: (messages: OutMessage[]) => Promise<void>;
  metrics?: IndexerMetrics;
  logger?: Logger;
  /** PRIVACY=hash-local-part: rewrites addresses before the event is stored or correlated. */
  redact?: Redactor;
  /** The partition's request slots, shared by its batches in flight; default: this batch's own. */
  slots?: BulkSlots;
  /**
   * Kafka offsets order a partition's lines, so a message document is written whole with the
   * offset of the last line it reflects as its external version: a copy that arrives late (a
   * batch still in flight when its partition moved to another instance, a replay) never
   * replaces a newer one, whatever the order the writes land in. Direct writes have no such
   * order across runs and upsert instead.
   */
  versionedMessages?: boolean;
}

export interface BatchResult {
  events: number;
  messages: number;
  deadLetters: number;
  withoutSource: number;
}

function deadLetterId(letter: DeadLetter): string {
  const k = letter.kafka;
  return createHash('sha1')
    .update(`${k.topic}\0${k.partition}\0${k.offset}\0${letter.error.code}`)
    .digest('base64url');
}

function deadLetterAction(prefix: string, letter: DeadLetter): BulkAction {
  return {
    op: 'index',
    kind: 'deadletter',
    index: dailyIndexName(prefix, 'deadletter', utcDay(letter['@timestamp']) ?? '1970.01.01'),
    id: deadLetterId(letter),
    source: JSON.stringify(letter),
  };
}

/** The record's Kafka time: a dead letter's `@timestamp`, the same on every replay. */
function recordDate(record: BatchRecord): Date {
  const ms = Number(record.timestamp);
  return new Date(Number.isFinite(ms) && ms > 0 ? ms : Date.now());
}

/** Bounds one partition's `_bulk` requests in flight, across the batches being written at once. */
export class BulkSlots {
  private used = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async acquire(): Promise<void> {
    while (this.used >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.used += 1;
  }

  release(): void {
    this.used -= 1;
    this.waiting.shift()?.();
  }
}

/** A write, with the record of an event (a refused event becomes its dead letter). */
interface BatchMeta extends BulkMeta {
  record?: BatchRecord;
}

/**
 * One batch's `_bulk` requests, sent as slots free up. Promises get a handler at once
 * so a failure while another is awaited is not an unhandled rejection; the first failure is
 * rethrown by the next `submit` (stop parsing a lost batch) and by `settle`.
 */
class Writer {
  private readonly sent: Promise<BulkRejection<BatchMeta>[]>[] = [];
  private failure: unknown;
  private failed = false;

  constructor(
    private readonly env: BatchEnv,
    private readonly slots: BulkSlots,
  ) {}

  async submit(body: BulkBody<BatchMeta>): Promise<void> {
    if (body.count === 0) return;
    if (this.failed) throw this.failure;
    const options: BulkOptions = { ...this.env.bulk, metrics: this.env.metrics, logger: this.env.logger };
    await this.slots.acquire();
    const p = writeBulk(this.env.client, body, options).finally(() => this.slots.release());
    p.catch((err) => {
      if (!this.failed) {
        this.failed = true;
        this.failure = err;
      }
    });
    this.sent.push(p);
  }

  async submitActions(actions: readonly BulkAction[]): Promise<void> {
    for (const body of bulkBodies(actions, this.env.bulkDocs, MAX_BULK_BYTES)) await this.submit(body);
  }

  /** Waits for every request sent so far; their refusals, or the first failure. */
  async settle(): Promise<BulkRejection<BatchMeta>[]> {
    const results = await Promise.allSettled(this.sent.splice(0));
    if (this.failed) throw this.failure;
    return results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
  }
}

/** A batch parsed, correlated and sent: `done` resolves when Elasticsearch has all of it. */
export interface TakenBatch {
  done: Promise<BatchResult>;
}

/** Parses, correlates and sends; the partition's next batch may be taken while `done` is pending. */
export async function takeBatch(
  records: readonly BatchRecord[],
  state: PartitionState,
  env: BatchEnv,
): Promise<TakenBatch> {
  const result: BatchResult = { events: 0, messages: 0, deadLetters: 0, withoutSource: 0 };
  /** The batch's messages not yet written: the newest document of each, and its last line's offset. */
  const changed = new Map<string, { doc: MessageDoc; offset: number }>();
  const letters: { record: BatchRecord; letter: DeadLetter }[] = [];
  const writer = new Writer(env, env.slots ?? new BulkSlots(env.bulkConcurrency));

  /** Applies the line to its message; returns the message's key (undefined when it has none). */
  const correlate = (ev: MailEvent, ms: number, offset: number): string | undefined => {
    const qid = ev.email?.local_id;
    if (qid === undefined) return undefined;
    if (ms > state.clockMs) state.clockMs = ms;
    // A replayed line already applied to the stored message must not count twice. Its event may
    // not be stored yet (a batch can fail after its message documents were written), so it
    // still gets the key of the restored message it belongs to.
    if (offset <= state.replayEnd) {
      const until = state.replayUntil.get(messageSlot(ev.host.name, ev.postfix?.instance, qid));
      if (until !== undefined && offset <= until) {
        return state.correlator.keyOf(ev.host.name, ev.postfix?.instance ?? 'postfix', qid);
      }
    }
    for (const doc of state.correlator.push(ev, ms)) changed.set(doc.key, { doc, offset });
    return state.correlator.lastKey;
  };

  // A full body of events goes out when the next document does not fit, while the rest are
  // parsed; the last partial body waits for the message documents so that a small batch (a live
  // stream) is one round trip.
  let pending = new BulkBody<BatchMeta>();
  // Nearly every line of a batch goes to the same daily index: build its name once per day.
  let eventsDay = '';
  let eventsIndex = '';
  /** Sends a body; the next documents go into a new one. */
  const send = async (body: BulkBody<BatchMeta>): Promise<BulkBody<BatchMeta>> => {
    await writer.submit(body);
    return new BulkBody();
  };
  /**
   * Writes a document (an event, a message document) into the pending body, and returns the body
   * that filled up, for the caller to send: the one that held `bulkDocs` documents already, or the
   * one this document took past MAX_BULK_BYTES (the document then starts the next, `splitOver`).
   * A fresh body holds a single document and is never split, so at most one fills up. Not async:
   * an await per line would cost a turn of the loop each.
   */
  const addValue = (meta: BatchMeta, doc: object, extra?: object): BulkBody<BatchMeta> | undefined => {
    let full: BulkBody<BatchMeta> | undefined;
    if (pending.count >= env.bulkDocs) {
      full = pending;
      pending = new BulkBody();
    }
    pending.addValue(meta, doc, extra);
    const over = pending.splitOver(MAX_BULK_BYTES);
    if (over !== undefined) {
      full = pending;
      pending = over;
    }
    return full;
  };
  /** Writes a message document; returns the body that filled up, if one did (see `addValue`). */
  const addMessage = (doc: MessageDoc, offset: number): BulkBody<BatchMeta> | undefined => {
    result.messages += 1;
    const meta: BatchMeta = {
      ...(env.versionedMessages ? { op: 'index', version: offset } : { op: 'upsert' }),
      kind: 'message',
      index: dailyIndexName(env.prefix, 'messages', messageDay(doc)),
      id: messageDocId(doc.key),
    };
    return addValue(meta, doc, { indexer: { topic: state.topic, partition: state.partition, offset } });
  };
  let sinceTurn = 0;
  let sinceExpiry = 0;
  for (const record of records) {
    if (++sinceTurn === LINES_PER_TURN) {
      sinceTurn = 0;
      await turn();
    }
    if (++sinceExpiry >= LINES_PER_EXPIRY && sinceExpiry >= state.correlator.size) {
      sinceExpiry = 0;
      // What leaves memory now takes no more lines: its document is final for this batch.
      for (const doc of state.correlator.expire(state.clockMs)) {
        const written = changed.get(doc.key);
        if (written?.doc !== doc) continue;
        changed.delete(doc.key);
        const full = addMessage(doc, written.offset);
        if (full !== undefined) await writer.submit(full);
      }
    }
    const offset = Number(record.offset);
    const prepared = prepareRecord(record, state.ctx, env.maxLineBytes);
    // Awaited only when a body goes out: an await per line would cost a turn of the loop each.
    if (prepared.kind === 'dead') {
      prepared.letter['@timestamp'] = recordDate(record).toISOString();
      letters.push({ record, letter: prepared.letter });
      const action = deadLetterAction(env.prefix, prepared.letter);
      if (!pending.fits(action, action.source, env.bulkDocs, MAX_BULK_BYTES)) pending = await send(pending);
      pending.add(action, action.source);
      continue;
    }
    if (env.redact) prepared.event = env.redact(prepared.event);
    if (prepared.day !== eventsDay) {
      eventsDay = prepared.day;
      eventsIndex = dailyIndexName(env.prefix, 'events', eventsDay);
    }
    // Tagged with its message before it is written: distinct messages are counted by key.
    const key = correlate(prepared.event, prepared.ms, offset);
    if (key !== undefined) tagWithMessage(prepared.event, key);
    result.events += 1;
    if (!prepared.hasSource) result.withoutSource += 1;
    const full = addValue(
      { op: 'create', kind: 'event', index: eventsIndex, id: prepared.id, record },
      prepared.event,
    );
    if (full !== undefined) await writer.submit(full);
  }
  for (const { doc, offset } of changed.values()) {
    const full = addMessage(doc, offset);
    if (full !== undefined) await writer.submit(full);
  }
  await writer.submit(pending);
  // Finished messages leave memory: their documents are sent, and a failed batch drops this state.
  state.correlator.expire(state.clockMs);
  const last = Number(records.at(-1)?.offset ?? -1);
  if (last > state.replayEnd && state.replayUntil.size > 0) state.replayUntil.clear();
  return {
    done: writer
      .settle()
      .then((rejections) => finishBatch(rejections, writer, { state, env, result, letters })),
  };
}

/** Everything after Elasticsearch answered: refusals to dead letters, the DLQ topic, metrics. */
async function finishBatch(
  rejections: BulkRejection<BatchMeta>[],
  writer: Writer,
  batch: {
    state: PartitionState;
    env: BatchEnv;
    result: BatchResult;
    letters: { record: BatchRecord; letter: DeadLetter }[];
  },
): Promise<BatchResult> {
  const { state, env, result, letters } = batch;
  // Documents Elasticsearch refused become dead letters with the refusal as their error.
  const refusedLetters: DeadLetter[] = [];
  for (const r of rejections) {
    const error = {
      code: 'MP_ERR_INDEX_REJECTED' as const,
      message: `${r.status} ${r.reason}`,
      type: r.type,
    };
    const record = r.action.record;
    if (record) {
      const letter = deadLetter(record, error, { document: r.source, now: recordDate(record) });
      letters.push({ record, letter });
      refusedLetters.push(letter);
      result.events -= 1;
    } else if (r.action.kind === 'message') {
      const doc = JSON.parse(r.source) as MessageDoc & { indexer: { offset: number } };
      const record: BatchRecord = {
        topic: state.topic,
        partition: state.partition,
        offset: String(doc.indexer.offset),
        key: null,
        value: Buffer.alloc(0),
        headers: {},
      };
      const letter = deadLetter(record, error, { document: r.source, now: new Date() });
      letter['@timestamp'] = doc.updated;
      refusedLetters.push(letter);
      env.logger?.error(
        { key: doc.key, type: r.type, reason: r.reason },
        'Elasticsearch refused a message document.',
      );
    } else {
      // A dead letter itself refused: the DLQ topic still holds the record.
      env.logger?.error(
        { index: r.action.index, type: r.type, reason: r.reason },
        'Elasticsearch refused a dead letter.',
      );
    }
  }
  if (refusedLetters.length > 0) {
    await writer.submitActions(refusedLetters.map((l) => deadLetterAction(env.prefix, l)));
    await writer.settle();
  }
  result.messages -= rejections.filter((r) => r.action.kind === 'message').length;

  if (letters.length > 0 && env.sendDeadLetters) {
    await env.sendDeadLetters(letters.map(({ record, letter }) => deadLetterMessage(record, letter)));
  }
  result.deadLetters = letters.length;
  for (const { letter } of letters) env.metrics?.deadLettered.inc({ code: letter.error.code });
  env.metrics?.indexed.inc({ kind: 'event' }, result.events);
  env.metrics?.indexed.inc({ kind: 'message' }, result.messages);
  env.metrics?.indexed.inc({ kind: 'deadletter' }, result.deadLetters);
  if (result.withoutSource > 0) env.metrics?.withoutSource.inc(result.withoutSource);
  return result;
}

/** One batch from start to acknowledged (direct writes and tests). */
export async function processBatch(
  records: readonly BatchRecord[],
  state: PartitionState,
  env: BatchEnv,
): Promise<BatchResult> {
  return (await takeBatch(records, state, env)).done;
}
