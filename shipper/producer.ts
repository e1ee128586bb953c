/**
 * The outbox between the tailers and Kafka: a FIFO of line records, sent in order in batches of
 * about `batchBytes`, one produce request at a time (the idempotent producer keeps one request
 * in flight), each resolved only after acks=all. A failed request is retried, the same batch in
 * the same order, until it succeeds or the shipper stops: nothing is dropped. The bytes of
 * queued and unacknowledged lines are bounded by `maxInflightBytes`; tailers stop reading at
 * the bound (`hasRoom()`), which is the backpressure when Kafka is slow or down.
 */
import type { RawProducer } from '../core/kafka.js';
import type { Logger } from '../core/logger.js';
import { rawHeaders } from '../core/raw-record.js';
import type { ShipperMetrics } from './events.js';
import type { LineRecord } from './lines.js';

/** Who is told when its records are acknowledged (a tailer). */
export interface AckTarget {
  readonly path: string;
  /** Called once per acknowledged batch with the target's last record in it and how many it had. */
  acked(last: LineRecord, count: number, bytes: number): void;
}

export interface Queued {
  readonly target: AckTarget;
  readonly fileId: string;
  readonly record: LineRecord;
}

export interface OutboxOptions {
  readonly topic: string;
  readonly host: string;
  readonly batchBytes: number;
  readonly maxInflightBytes: number;
  /** Longest wait between retries of a failed request. */
  readonly maxBackoffMs?: number;
}

/**
 * kafkajs groups a request's messages per partition by copying an array per message
 * (quadratic), so requests stay at a thousand records; bytes usually bound them first.
 */
const MAX_BATCH_RECORDS = 1000;
/** Header names, offset digits and record framing per message, bytes (an upper estimate). */
const RECORD_OVERHEAD = 80;

function tooLarge(err: unknown): boolean {
  return (
    (err as { type?: string }).type === 'MESSAGE_TOO_LARGE' ||
    /larger than the max message size/.test(String((err as Error).message))
  );
}

export class Outbox {
  private queue: Queued[] = [];
  private head = 0;
  private bytes = 0;
  private producer: RawProducer | undefined;
  private wake: (() => void) | undefined;
  private drainWaiters: (() => void)[] = [];
  private closed = false;
  /** Records per request; halved when the broker finds a request too large for its limit. */
  private recordLimit = MAX_BATCH_RECORDS;
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

  push(q: Queued): void {
    this.queue.push(q);
    this.bytes += q.record.value.length;
    this.wake?.();
  }

  /** Resolves when everything pushed so far is acknowledged, or false after `timeoutMs`. */
  async drained(timeoutMs: number): Promise<boolean> {
    if (this.head >= this.queue.length) return true;
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
  private takeBatch(): Queued[] {
    let end = this.head;
    let size = 0;
    const fixed = RECORD_OVERHEAD + 2 * this.options.host.length;
    while (end < this.queue.length && end - this.head < this.recordLimit && size < this.options.batchBytes) {
      const q = this.queue[end] as Queued;
      size += q.record.value.length + fixed + q.target.path.length + q.fileId.length;
      end += 1;
    }
    return this.queue.slice(this.head, end);
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      if (this.head >= this.queue.length) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
        continue;
      }
      const batch = this.takeBatch();
      const { host, topic } = this.options;
      const messages = batch.map((q) => ({
        key: host,
        value: q.record.value,
        headers: rawHeaders({
          host,
          path: q.target.path,
          fileId: q.fileId,
          offset: q.record.offset,
          piece: q.record.piece,
        }),
      }));
      this.sendingSince ??= Date.now();
      try {
        this.producer ??= await this.connect();
        await this.producer.send(topic, messages);
      } catch (err) {
        if (tooLarge(err) && batch.length > 1) {
          this.recordLimit = Math.max(1, Math.floor(batch.length / 2));
          this.log.warn(
            { records: batch.length, recordLimit: this.recordLimit },
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
      this.sendingSince = undefined;
      this.acknowledge(batch);
    }
  }

  private acknowledge(batch: Queued[]): void {
    this.head += batch.length;
    const last = new Map<AckTarget, { record: LineRecord; count: number; bytes: number }>();
    let bytes = 0;
    for (const q of batch) {
      const n = q.record.value.length;
      bytes += n;
      const seen = last.get(q.target);
      if (seen) {
        seen.record = q.record;
        seen.count += 1;
        seen.bytes += n;
      } else {
        last.set(q.target, { record: q.record, count: 1, bytes: n });
      }
    }
    this.bytes -= bytes;
    // Acknowledged records leave the array soon, so their chunk buffers can be collected.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.metrics.inflightBytes.set(this.bytes);
    this.metrics.linesAcked.inc(batch.length);
    this.metrics.bytesAcked.inc(bytes);
    for (const [target, v] of last) target.acked(v.record, v.count, v.bytes);
    if (this.head >= this.queue.length) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
    this.onAcked();
  }
}
