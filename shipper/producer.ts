/**
 * The outbox between the tailers and Kafka: a FIFO of line records, sent in order in batches of
 * about `batchBytes`, each resolved only after acks=all. Two batches are handed to the producer
 * at a time, so the next one is encoded and compressed while the previous is on the wire; the
 * producer writes them in order and fails the second when the first fails. A failed request is
 * retried from the oldest unacknowledged record, in the same order, until it succeeds or the
 * shipper stops: nothing is dropped. The bytes of
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

/** Records per request; bytes usually bound a request first. */
const MAX_BATCH_RECORDS = 20_000;
/** Requests handed to the producer before the oldest is acknowledged. */
const PIPELINE_DEPTH = 2;
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
  /** Oldest record not yet acknowledged. */
  private head = 0;
  /** Oldest record not yet handed to the producer (head <= next). */
  private next = 0;
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
    let end = this.next;
    let size = 0;
    const fixed = RECORD_OVERHEAD + 2 * this.options.host.length;
    while (end < this.queue.length && end - this.next < this.recordLimit && size < this.options.batchBytes) {
      const q = this.queue[end] as Queued;
      size += q.record.value.length + fixed + q.target.path.length + q.fileId.length;
      end += 1;
    }
    const batch = this.queue.slice(this.next, end);
    this.next = end;
    return batch;
  }

  private send(producer: RawProducer, batch: Queued[]): Promise<void> {
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
    const sent = producer.send(topic, messages);
    // Awaited in order by the loop; a rejection seen first by the runtime is not unhandled.
    sent.catch(() => {});
    return sent;
  }

  private async loop(): Promise<void> {
    let failures = 0;
    const inflight: { batch: Queued[]; sent: Promise<void> }[] = [];
    while (!this.closed) {
      if (inflight.length === 0 && this.next >= this.queue.length) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
        continue;
      }
      this.sendingSince ??= Date.now();
      try {
        this.producer ??= await this.connect();
        while (inflight.length < PIPELINE_DEPTH && this.next < this.queue.length) {
          const batch = this.takeBatch();
          inflight.push({ batch, sent: this.send(this.producer, batch) });
        }
        await (inflight[0] as { sent: Promise<void> }).sent;
      } catch (err) {
        // Everything handed over after the oldest unacknowledged record goes again, in order.
        inflight.length = 0;
        this.next = this.head;
        if (tooLarge(err) && this.recordLimit > 1) {
          this.recordLimit = Math.max(1, Math.floor(this.recordLimit / 2));
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
      const done = inflight.shift() as { batch: Queued[] };
      this.sendingSince = inflight.length > 0 ? Date.now() : undefined;
      this.acknowledge(done.batch);
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
      this.next -= this.head;
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
