/**
 * The outbox between the tailers and Kafka: a FIFO of blocks of line records (one block per read
 * of a file), sent in order in batches of about `batchBytes`, each resolved only after acks=all.
 * A batch is a list of segments (a range of one block), so no object is built per line. Two batches are handed to the producer
 * at a time, so the next one is encoded and compressed while the previous is on the wire; the
 * producer writes them in order and fails the second when the first fails. A failed request is
 * retried from the oldest unacknowledged record, in the same order, until it succeeds or the
 * shipper stops: nothing is dropped. The bytes of
 * queued and unacknowledged lines are bounded by `maxInflightBytes`; tailers stop reading at
 * the bound (`hasRoom()`), which is the backpressure when Kafka is slow or down.
 */
import type { RawProducer } from '../core/kafka.js';
import type { Logger } from '../core/logger.js';
import type { RawLineSegment } from '../core/raw-record.js';
import type { ShipperMetrics } from './events.js';
import type { LineRecord } from './lines.js';

/** Who is told when its records are acknowledged (a tailer). */
export interface AckTarget {
  readonly path: string;
  /** Called once per acknowledged batch with the target's last record in it and how many it had. */
  acked(last: LineRecord, count: number, bytes: number): void;
}

/** Consecutive records of one file, handed over together. */
export interface Block {
  readonly target: AckTarget;
  readonly fileId: string;
  readonly records: readonly LineRecord[];
  /** Bytes of the records' values. */
  readonly bytes: number;
}

/** `block.records[from, to)`, part of one batch; `bytes` counts their values. */
interface Segment {
  readonly block: Block;
  readonly from: number;
  readonly to: number;
  readonly bytes: number;
}

/** A position in the queue: a block and a record in it. */
interface Position {
  block: number;
  record: number;
}

export interface OutboxOptions {
  readonly topic: string;
  readonly host: string;
  readonly batchBytes: number;
  readonly maxInflightBytes: number;
  /** Longest wait between retries of a failed request. */
  readonly maxBackoffMs?: number;
}

/** Records per request; bytes usually bound a request first. */
const MAX_BATCH_RECORDS = 20_000;
/** Requests handed to the producer before the oldest is acknowledged. */
const PIPELINE_DEPTH = 2;
/** Header names, offset digits and record framing per message, bytes (an upper estimate). */
const RECORD_OVERHEAD = 80;

function recordCount(batch: readonly Segment[]): number {
  let n = 0;
  for (const s of batch) n += s.to - s.from;
  return n;
}

function tooLarge(err: unknown): boolean {
  const type = (err as { type?: string }).type;
  return (
    type === 'MESSAGE_TOO_LARGE' ||
    type === 'RECORD_LIST_TOO_LARGE' ||
    /larger than the max message size/.test(String((err as Error).message))
  );
}

export class Outbox {
  private queue: Block[] = [];
  /** Oldest record not yet acknowledged. */
  private head: Position = { block: 0, record: 0 };
  /** Oldest record not yet handed to the producer (head <= next). */
  private next: Position = { block: 0, record: 0 };
  private bytes = 0;
  private producer: RawProducer | undefined;
  private wake: (() => void) | undefined;
  private drainWaiters: (() => void)[] = [];
  private closed = false;
  /** Records per request; halved when the broker finds a request too large for its limit. */
  private recordLimit = MAX_BATCH_RECORDS;
  /** Requests acknowledged since the last one refused as too large. */
  private sinceTooLarge = 0;
  private sendingSince: number | undefined;
  private readonly loopDone: Promise<void>;

  constructor(
    private readonly options: OutboxOptions,
    private readonly connect: () => Promise<RawProducer>,
    private readonly metrics: ShipperMetrics,
    private readonly log: Logger,
    /** Called after every acknowledged batch (the shipper schedules a checkpoint and more reading). */
    private readonly onAcked: () => void,
  ) {
    this.loopDone = this.loop();
  }

  hasRoom(): boolean {
    return this.bytes < this.options.maxInflightBytes;
  }

  get inflightBytes(): number {
    return this.bytes;
  }

  /** Seconds the current produce request (with its retries) has been waiting; 0 when idle. */
  get waitingSeconds(): number {
    return this.sendingSince === undefined ? 0 : (Date.now() - this.sendingSince) / 1000;
  }

  /** Queues a tailer's records (in file order; an empty list is ignored). */
  push(block: Block): void {
    if (block.records.length === 0) return;
    this.queue.push(block);
    this.bytes += block.bytes;
    this.wake?.();
  }

  private atEnd(p: Position): boolean {
    return p.block >= this.queue.length;
  }

  /** Resolves when everything pushed so far is acknowledged, or false after `timeoutMs`. */
  async drained(timeoutMs: number): Promise<boolean> {
    if (this.atEnd(this.head)) return true;
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      new Promise<boolean>((resolve) => this.drainWaiters.push(() => resolve(true))),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return done;
  }

  /** Stops sending (after the request in flight) and disconnects. Unsent records stay unacknowledged. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    // A request stuck retrying against a dead broker must not hold the stop forever.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.loopDone,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 5000);
      }),
    ]);
    clearTimeout(timer);
    await this.producer?.disconnect().catch(() => {});
    this.producer = undefined;
  }

  /**
   * The next batch: about `batchBytes` on the wire (value, key and headers), so that an
   * uncompressed request stays under the broker's message.max.bytes (1 MB by default).
   */
  private takeBatch(): Segment[] {
    const segments: Segment[] = [];
    const fixed = RECORD_OVERHEAD + 2 * this.options.host.length;
    let size = 0;
    let count = 0;
    let full = false;
    const at = this.next;
    while (!full && !this.atEnd(at) && count < this.recordLimit) {
      const block = this.queue[at.block] as Block;
      const perRecord = fixed + block.target.path.length + block.fileId.length;
      const from = at.record;
      let bytes = 0;
      let i = from;
      while (i < block.records.length && count < this.recordLimit) {
        const n = (block.records[i] as LineRecord).value.length;
        // Stop before the record that would pass the bound, not after it: one long line added
        // to a nearly full batch would otherwise pass the broker's limit.
        if (count > 0 && size + n + perRecord > this.options.batchBytes) {
          full = true;
          break;
        }
        bytes += n;
        size += n + perRecord;
        count += 1;
        i += 1;
      }
      if (i === from) break;
      segments.push({ block, from, to: i, bytes });
      if (i >= block.records.length) {
        at.block += 1;
        at.record = 0;
      } else {
        at.record = i;
      }
    }
    return segments;
  }

  private send(producer: RawProducer, batch: Segment[]): Promise<void> {
    const segments: RawLineSegment[] = batch.map((s) => ({
      path: s.block.target.path,
      fileId: s.block.fileId,
      lines: s.block.records,
      from: s.from,
      to: s.to,
    }));
    const sent = producer.sendLines(this.options.topic, this.options.host, segments);
    // Awaited in order by the loop; a rejection seen first by the runtime is not unhandled.
    sent.catch(() => {});
    return sent;
  }

  private async loop(): Promise<void> {
    let failures = 0;
    const inflight: { batch: Segment[]; sent: Promise<void> }[] = [];
    while (!this.closed) {
      if (inflight.length === 0 && this.atEnd(this.next)) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
        continue;
      }
      this.sendingSince ??= Date.now();
      try {
        if (this.producer === undefined) {
          const connected = await this.connect();
          if (this.closed) {
            // close() gave up waiting for the connection; nobody else will disconnect this one.
            await connected.disconnect().catch(() => {});
            break;
          }
          this.producer = connected;
        }
        while (inflight.length < PIPELINE_DEPTH && !this.atEnd(this.next)) {
          const batch = this.takeBatch();
          inflight.push({ batch, sent: this.send(this.producer, batch) });
        }
        await (inflight[0] as { sent: Promise<void> }).sent;
      } catch (err) {
        // The request behind the failed one fails with it; wait for that, so that the producer's
        // order of requests has settled before anything is handed over again.
        await Promise.allSettled(inflight.map((f) => f.sent));
        const failedRecords = recordCount((inflight[0] as { batch: Segment[] } | undefined)?.batch ?? []);
        // Everything handed over after the oldest unacknowledged record goes again, in order.
        inflight.length = 0;
        this.next = { ...this.head };
        if (tooLarge(err) && failedRecords > 1) {
          this.recordLimit = Math.max(1, Math.floor(failedRecords / 2));
          this.sinceTooLarge = 0;
          this.log.warn(
            { recordLimit: this.recordLimit },
            'Kafka refused a request as too large; sending smaller ones.',
          );
          continue;
        }
        failures += 1;
        this.metrics.kafkaErrors.inc();
        this.log.warn(
          { err: (err as Error).message, failures, inflightBytes: this.bytes },
          'Kafka produce failed; retrying the same batch.',
        );
        // A producer that failed may hold a dead connection or a fenced producer id; start afresh.
        const broken = this.producer;
        this.producer = undefined;
        void broken?.disconnect().catch(() => {});
        const backoff = Math.min(this.options.maxBackoffMs ?? 5000, 200 * 2 ** Math.min(failures, 10));
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, backoff);
          this.wake = () => {
            if (this.closed) {
              clearTimeout(t);
              resolve();
            }
          };
        });
        this.wake = undefined;
        continue;
      }
      if (failures > 0) this.log.info({ failures }, 'Kafka produce recovered.');
      failures = 0;
      const done = inflight.shift() as { batch: Segment[] };
      // After a request too large for the broker, the limit grows back slowly once smaller ones
      // pass (a limit set by a single long line should not stay; one set by the broker should).
      this.sinceTooLarge += 1;
      if (this.recordLimit < MAX_BATCH_RECORDS && this.sinceTooLarge % 16 === 0) {
        this.recordLimit = Math.min(MAX_BATCH_RECORDS, this.recordLimit * 2);
      }
      this.sendingSince = inflight.length > 0 ? Date.now() : undefined;
      this.acknowledge(done.batch);
    }
  }

  private acknowledge(batch: Segment[]): void {
    const last = new Map<AckTarget, { record: LineRecord; count: number; bytes: number }>();
    let bytes = 0;
    let count = 0;
    for (const s of batch) {
      const record = s.block.records[s.to - 1] as LineRecord;
      const n = s.to - s.from;
      bytes += s.bytes;
      count += n;
      const seen = last.get(s.block.target);
      if (seen) {
        seen.record = record;
        seen.count += n;
        seen.bytes += s.bytes;
      } else {
        last.set(s.block.target, { record, count: n, bytes: s.bytes });
      }
    }
    const end = batch[batch.length - 1] as Segment;
    this.head =
      end.to >= end.block.records.length
        ? { block: this.queue.indexOf(end.block, this.head.block) + 1, record: 0 }
        : { block: this.queue.indexOf(end.block, this.head.block), record: end.to };
    this.bytes -= bytes;
    // Acknowledged blocks leave at once, so their read buffers can be collected (the queue holds
    // a few blocks: SHIP_MAX_INFLIGHT_BYTES over the read size).
    if (this.head.block > 0) {
      const gone = this.head.block;
      this.queue.splice(0, gone);
      this.head.block -= gone;
      this.next.block -= gone;
    }
    this.metrics.inflightBytes.set(this.bytes);
    this.metrics.linesAcked.inc(count);
    this.metrics.bytesAcked.inc(bytes);
    for (const [target, v] of last) target.acked(v.record, v.count, v.bytes);
    if (this.atEnd(this.head)) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
    this.onAcked();
  }
}
