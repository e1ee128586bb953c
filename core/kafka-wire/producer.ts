/**
 * A Kafka producer written against the wire protocol, for the raw topic's hot path: records
 * are encoded by hand into v2 batches (record-batch.ts), gzip runs on libuv's thread pool, and
 * a produce request carries thousands of records. kafkajs spends about 50 µs per record on the
 * same job, which capped the shipper near 20k lines/s.
 *
 * Same guarantees as the kafkajs producer it replaces: acks=all, idempotent (a producer id
 * from InitProducerId and a sequence number per partition, so a batch retried after a lost
 * answer is written once), murmur2 key partitioning, and `send` resolves only when every
 * partition's batch is acknowledged. Sends are serialised: one request in flight, in order.
 *
 * Retriable broker errors and broken connections are retried inside `send` with fresh metadata
 * and the same sequence numbers (so no duplicates); after `maxAttempts` the last error is
 * thrown with its Kafka error name in `type`, and the caller decides (the shipper's outbox
 * keeps retrying the same lines with a new producer).
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Logger } from '../logger.js';
import { RAW_HEADERS, type RawLine, type RawLineSegment } from '../raw-record.js';
import {
  BrokerConnection,
  type ConnectionOptions,
  KafkaWireError,
  parseBroker,
  type WireSettings,
} from './connection.js';
import { partitionFor } from './murmur2.js';
import { SendChain } from './send-chain.js';
import {
  ApiKey,
  ApiVersion,
  type BrokerInfo,
  ErrorCode,
  errorName,
  initProducerIdRequest,
  isRetriable,
  metadataRequest,
  type PartitionInfo,
  type ProduceTopicData,
  produceRequest,
  readInitProducerId,
  readMetadata,
  readProduce,
} from './protocol.js';
import {
  BATCH_HEADER_BYTES,
  Compression,
  type CompressionCode,
  type EncodedHeaders,
  encodeBatch,
  encodeHeaders,
  RecordsWriter,
} from './record-batch.js';

const gzipAsync = promisify(gzip);

export interface WireMessage {
  key?: string | Buffer | null;
  value: string | Buffer;
  headers?: Record<string, string | Buffer | null>;
  timestamp?: string;
}

export interface WireProducerOptions extends WireSettings {
  compression: 'gzip' | 'none';
  /** zlib level for gzip: 1 is several times faster than the default 6 and only slightly larger on log lines. */
  gzipLevel?: number;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Tries per `send` before the error is thrown (retriable errors only). */
  maxAttempts?: number;
}

export interface WireProducer {
  /**
   * Resolves when every message is acknowledged by all in-sync replicas. Calls are written in
   * the order they are made; a call made before the previous one resolved fails when that one
   * fails, so a caller may keep a second batch in flight without risking reordering.
   */
  send(topic: string, messages: WireMessage[]): Promise<void>;
  /**
   * The shipper's lines, keyed by `host`, with the raw-record headers (core/raw-record.ts); same
   * guarantees and order as `send`. Exists so that the hot path builds no object per line.
   */
  sendLines(topic: string, host: string, segments: readonly RawLineSegment[]): Promise<void>;
  disconnect(): Promise<void>;
}

interface PartitionBatch {
  partition: number;
  /** The compressed records, or the writer holding the uncompressed ones (header written in place). */
  records: Buffer | RecordsWriter;
  count: number;
  baseTimestamp: number;
  maxTimestamp: number;
}

function closedError(): KafkaWireError {
  return new KafkaWireError('producer is disconnected', 'PRODUCER_CLOSED', false);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function createWireProducer(options: WireProducerOptions, log?: Logger): Promise<WireProducer> {
  const producer = new Producer(options, log);
  try {
    await producer.start();
  } catch (err) {
    await producer.disconnect();
    throw err;
  }
  return producer;
}

class Producer implements WireProducer {
  private readonly connections = new Map<number, Promise<BrokerConnection>>();
  private brokers = new Map<number, BrokerInfo>();
  private readonly partitions = new Map<string, PartitionInfo[]>();
  private readonly sequences = new Map<string, number>();
  private producerId = -1n;
  private producerEpoch = -1;
  private roundRobin = 0;
  private lastKey: { key: string; bytes: Buffer } | undefined;
  private readonly chain = new SendChain();
  private closed = false;
  private readonly compression: CompressionCode;
  /**
   * Record buffers of finished batches, reused: a fresh megabyte per request is garbage the
   * collector only frees in bulk, and that, not live data, is what drives the shipper's RSS.
   */
  private readonly pool: Buffer[] = [];
  private readonly encodedFiles = new Map<string, EncodedHeaders>();
  /** Set when a send failed: the next one starts with a new producer id. */
  private identityLost = false;
  /** Connections to bootstrap brokers while in use, so that `disconnect` can close them too. */
  private readonly bootstrapping = new Set<BrokerConnection>();

  constructor(
    private readonly options: WireProducerOptions,
    private readonly log?: Logger,
  ) {
    this.compression = options.compression === 'gzip' ? Compression.gzip : Compression.none;
  }

  async start(): Promise<void> {
    await this.refreshMetadata([]);
    await this.initProducerId();
  }

  /**
   * A new producer id, and sequence numbers from 0 again. Needed after a send that failed:
   * whether the broker wrote its batch is unknown, so its sequence numbers cannot be reused
   * (the broker could take different records for a duplicate) nor skipped (it would refuse
   * the gap).
   */
  private async initProducerId(): Promise<void> {
    this.sequences.clear();
    // Producer ids come in blocks from the controller; right after a broker starts it can
    // answer "load in progress" for a moment.
    for (let attempt = 1; ; attempt++) {
      const { conn, bootstrap } = await this.anyConnection();
      let body: Buffer;
      try {
        body = await conn.request(ApiKey.initProducerId, ApiVersion.initProducerId, initProducerIdRequest());
      } finally {
        if (bootstrap) this.closeBootstrap(conn);
      }
      const r = readInitProducerId(body);
      if (r.errorCode === ErrorCode.none) {
        this.producerId = r.producerId;
        this.producerEpoch = r.producerEpoch;
        return;
      }
      const retriable = isRetriable(r.errorCode) || r.errorCode === ErrorCode.notCoordinator;
      if (!retriable || attempt >= 20) {
        throw new KafkaWireError(
          `InitProducerId failed: ${errorName(r.errorCode)}`,
          errorName(r.errorCode),
          retriable,
        );
      }
      await sleep(Math.min(1000, 50 * 2 ** attempt));
    }
  }

  sendLines(topic: string, host: string, segments: readonly RawLineSegment[]): Promise<void> {
    return this.enqueue(topic, () => this.encodeLines(topic, host, segments));
  }

  send(topic: string, messages: WireMessage[]): Promise<void> {
    if (messages.length === 0 && !this.closed) return this.chain.run(async () => {});
    return this.enqueue(topic, () => this.encode(topic, messages));
  }

  /**
   * Encoding and compression start at once; the request goes out after every earlier one was
   * acknowledged, so a caller may hand over its next batch while the previous is in flight.
   */
  private enqueue(topic: string, encode: () => Promise<PartitionBatch[]>): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    const encoded = encode();
    encoded.catch(() => {});
    return this.chain.run(async () => this.sendNow(topic, await encoded));
  }

  /** Sends with a fresh identity when the previous send failed (see `initProducerId`). */
  private async sendNow(topic: string, encoded: PartitionBatch[]): Promise<void> {
    if (this.closed) throw closedError();
    if (this.identityLost) {
      await this.initProducerId();
      this.identityLost = false;
    }
    try {
      await this.produceAll(topic, encoded);
    } catch (err) {
      this.identityLost = true;
      throw err;
    }
    for (const b of encoded) if (b.records instanceof RecordsWriter) this.recycle(b.records);
  }

  /**
   * Closes the connections at once: a request still in flight fails (its records were not
   * acknowledged, so the caller sends them again later) rather than holding a shutdown for as
   * long as a dead broker takes to time out.
   */
  async disconnect(): Promise<void> {
    this.closed = true;
    for (const c of this.connections.values()) void c.then((conn) => conn.close()).catch(() => {});
    this.connections.clear();
    for (const conn of this.bootstrapping) conn.close();
    this.bootstrapping.clear();
    await this.chain.settled();
  }

  private connectionOptions(b: { host: string; port: number }): ConnectionOptions {
    return {
      host: b.host,
      port: b.port,
      clientId: this.options.clientId,
      ssl: this.options.ssl,
      sasl: this.options.sasl,
      connectTimeoutMs: this.options.connectTimeoutMs ?? 3000,
      // Above the produce timeout the broker is given, so that its own REQUEST_TIMED_OUT
      // answer arrives before this side gives up on the connection.
      requestTimeoutMs: (this.options.requestTimeoutMs ?? 30_000) + 5000,
    };
  }

  /**
   * A connection to any reachable broker: a known one first, then the bootstrap list.
   * `bootstrap` connections are not kept (their node id is unknown); the caller closes them.
   */
  private async anyConnection(): Promise<{ conn: BrokerConnection; bootstrap: boolean }> {
    let last: unknown;
    for (const nodeId of this.brokers.keys()) {
      try {
        return { conn: await this.connection(nodeId), bootstrap: false };
      } catch (err) {
        last = err;
      }
    }
    for (const b of this.options.brokers) {
      try {
        const conn = await BrokerConnection.open(this.connectionOptions(parseBroker(b)));
        if (this.closed) {
          conn.close();
          break;
        }
        this.bootstrapping.add(conn);
        return { conn, bootstrap: true };
      } catch (err) {
        last = err;
      }
    }
    throw last ?? new KafkaWireError('no broker configured', 'CONNECTION_ERROR', true);
  }

  private closeBootstrap(conn: BrokerConnection): void {
    this.bootstrapping.delete(conn);
    conn.close();
  }

  private connection(nodeId: number): Promise<BrokerConnection> {
    if (this.closed) return Promise.reject(closedError());
    const existing = this.connections.get(nodeId);
    if (existing !== undefined) {
      return existing.then((c) => {
        if (!c.dead) return c;
        if (this.connections.get(nodeId) === existing) this.connections.delete(nodeId);
        return this.connection(nodeId);
      });
    }
    const broker = this.brokers.get(nodeId);
    if (broker === undefined) {
      return Promise.reject(
        new KafkaWireError(`broker ${nodeId} is not in the metadata`, 'LEADER_NOT_AVAILABLE', true),
      );
    }
    const opening = BrokerConnection.open(this.connectionOptions(broker));
    this.connections.set(nodeId, opening);
    opening.catch(() => {
      if (this.connections.get(nodeId) === opening) this.connections.delete(nodeId);
    });
    return opening;
  }

  private async refreshMetadata(topics: string[]): Promise<void> {
    const { conn, bootstrap } = await this.anyConnection();
    let body: Buffer;
    try {
      body = await conn.request(ApiKey.metadata, ApiVersion.metadata, metadataRequest(topics));
    } finally {
      if (bootstrap) this.closeBootstrap(conn);
    }
    const meta = readMetadata(body);
    this.brokers = new Map(meta.brokers.map((b) => [b.nodeId, b]));
    for (const t of meta.topics) {
      if (t.errorCode !== ErrorCode.none) {
        this.partitions.delete(t.name);
        throw new KafkaWireError(
          `topic ${t.name}: ${errorName(t.errorCode)}`,
          errorName(t.errorCode),
          isRetriable(t.errorCode),
        );
      }
      this.partitions.set(
        t.name,
        [...t.partitions].sort((a, b) => a.partition - b.partition),
      );
    }
  }

  private keyBytes(key: string | Buffer | null | undefined): Buffer | null {
    if (key === undefined || key === null) return null;
    if (typeof key !== 'string') return key;
    if (this.lastKey?.key !== key) this.lastKey = { key, bytes: Buffer.from(key) };
    return this.lastKey.bytes;
  }

  private async partitionCount(topic: string): Promise<number> {
    let parts = this.partitions.get(topic);
    if (parts === undefined) {
      await this.refreshMetadata([topic]);
      parts = this.partitions.get(topic) as PartitionInfo[];
    }
    return parts.length;
  }

  private writer(now: number, guess: number): RecordsWriter {
    return new RecordsWriter(now, this.pool.pop() ?? Buffer.allocUnsafe(guess + BATCH_HEADER_BYTES));
  }

  private async encode(topic: string, messages: WireMessage[]): Promise<PartitionBatch[]> {
    const n = await this.partitionCount(topic);
    const now = Date.now();
    const writers = new Map<number, RecordsWriter>();
    let guess = 0;
    for (const m of messages) guess += m.value.length;
    // Values plus about 100 bytes of framing and headers per record; a raw-topic record's
    // headers (host, path, file id, offset) take about that.
    guess = Math.ceil((guess + 100 * messages.length) / Math.max(1, Math.min(n, messages.length)));
    for (const m of messages) {
      const key = this.keyBytes(m.key);
      const partition = key === null ? this.roundRobin++ % n : partitionFor(key, n);
      let w = writers.get(partition);
      if (w === undefined) {
        w = this.writer(now, guess);
        writers.set(partition, w);
      }
      w.add({
        key,
        value: m.value,
        headers: m.headers,
        timestamp: m.timestamp === undefined ? undefined : Number(m.timestamp),
      });
    }
    return Promise.all([...writers].map(([partition, w]) => this.finish(partition, w, now)));
  }

  /** Raw-topic lines of one host: one partition, records written straight from the line buffers. */
  private async encodeLines(
    topic: string,
    host: string,
    segments: readonly RawLineSegment[],
  ): Promise<PartitionBatch[]> {
    const n = await this.partitionCount(topic);
    const now = Date.now();
    const key = this.keyBytes(host) as Buffer;
    let guess = 0;
    for (const seg of segments) {
      for (let i = seg.from; i < seg.to; i++) guess += (seg.lines[i] as RawLine).value.length + 100;
    }
    const w = this.writer(now, guess);
    for (const seg of segments) {
      const fixed = this.fileHeaders(host, seg.path, seg.fileId);
      const lines = seg.lines;
      for (let i = seg.from; i < seg.to; i++) {
        const line = lines[i] as RawLine;
        w.addRawLine(key, fixed, line.value, line.offset, line.piece);
      }
    }
    if (w.records === 0) return [];
    return [await this.finish(partitionFor(key, n), w, now)];
  }

  /** The headers every line of a file shares, encoded once per file. */
  private fileHeaders(host: string, path: string, fileId: string): EncodedHeaders {
    const id = `${host}\0${path}\0${fileId}`;
    let h = this.encodedFiles.get(id);
    if (h === undefined) {
      // A shipper follows a handful of files; a long-lived process sees them rotate away.
      if (this.encodedFiles.size >= 64) this.encodedFiles.clear();
      h = encodeHeaders({ [RAW_HEADERS.host]: host, [RAW_HEADERS.path]: path, [RAW_HEADERS.fileId]: fileId });
      this.encodedFiles.set(id, h);
    }
    return h;
  }

  private async finish(partition: number, w: RecordsWriter, now: number): Promise<PartitionBatch> {
    let records: Buffer | RecordsWriter = w;
    if (this.compression === Compression.gzip) {
      const raw = w.bytes();
      // One output chunk for the whole batch: the default 16 KB chunks cost a thread-pool
      // round trip each.
      records = await gzipAsync(raw, {
        level: this.options.gzipLevel ?? 1,
        chunkSize: Math.max(64 * 1024, raw.length),
      });
      this.recycle(w);
    }
    return { partition, records, count: w.records, baseTimestamp: now, maxTimestamp: w.maxTimestampMs };
  }

  private recycle(w: RecordsWriter): void {
    if (this.pool.length < 4) this.pool.push(w.buffer);
  }

  private async produceAll(topic: string, encoded: PartitionBatch[]): Promise<void> {
    let pending = encoded;
    const maxAttempts = this.options.maxAttempts ?? 6;
    let lastError: KafkaWireError | undefined;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) {
        if (attempt > maxAttempts || this.closed) throw lastError;
        await sleep(Math.min(2000, 100 * 2 ** (attempt - 2)));
        try {
          await this.refreshMetadata([topic]);
        } catch (err) {
          lastError = asWireError(err);
          if (!lastError.retriable) throw lastError;
          continue;
        }
      }
      const failed: PartitionBatch[] = [];
      const byLeader = new Map<number, PartitionBatch[]>();
      const parts = this.partitions.get(topic) ?? [];
      for (const b of pending) {
        const leader = parts[b.partition]?.leader ?? -1;
        const list = byLeader.get(leader);
        if (list) list.push(b);
        else byLeader.set(leader, [b]);
      }
      let fatal: KafkaWireError | undefined;
      await Promise.all(
        [...byLeader].map(async ([leader, batches]) => {
          try {
            for (const [b, code] of await this.produceTo(leader, topic, batches)) {
              const e = new KafkaWireError(
                `produce to ${topic}[${b.partition}] failed: ${errorName(code)}`,
                errorName(code),
                isRetriable(code),
              );
              if (e.retriable) {
                lastError = e;
                failed.push(b);
              } else {
                fatal ??= e;
              }
            }
          } catch (err) {
            const e = asWireError(err);
            if (e.retriable) {
              lastError = e;
              failed.push(...batches);
            } else {
              fatal ??= e;
            }
          }
        }),
      );
      if (fatal) throw fatal;
      if (failed.length > 0) {
        this.log?.debug(
          { attempt, error: lastError?.message, partitions: failed.length },
          'Kafka produce retry',
        );
      }
      pending = failed;
    }
  }

  /** Sends one request to a leader; returns the batches that failed with their error codes. */
  private async produceTo(
    leader: number,
    topic: string,
    batches: PartitionBatch[],
  ): Promise<[PartitionBatch, number][]> {
    const conn = await this.connection(leader);
    const data: ProduceTopicData[] = [
      {
        topic,
        partitions: batches.map((b) => {
          const header = {
            compression: this.compression,
            recordCount: b.count,
            baseTimestamp: b.baseTimestamp,
            maxTimestamp: b.maxTimestamp,
            producerId: this.producerId,
            producerEpoch: this.producerEpoch,
            baseSequence: this.sequences.get(`${topic}:${b.partition}`) ?? 0,
          };
          const batch =
            b.records instanceof RecordsWriter ? b.records.batch(header) : encodeBatch(header, b.records);
          return { partition: b.partition, batch };
        }),
      },
    ];
    const timeoutMs = this.options.requestTimeoutMs ?? 30_000;
    const results = readProduce(
      await conn.request(ApiKey.produce, ApiVersion.produce, produceRequest(-1, timeoutMs, data)),
    );
    const failed: [PartitionBatch, number][] = [];
    for (const b of batches) {
      const r = results.find((x) => x.topic === topic && x.partition === b.partition);
      const code = r === undefined ? ErrorCode.networkException : r.errorCode;
      if (code === ErrorCode.none || code === ErrorCode.duplicateSequenceNumber) {
        const key = `${topic}:${b.partition}`;
        // Sequence numbers wrap to 0 after 2^31 - 1, as the Java client's do.
        this.sequences.set(key, ((this.sequences.get(key) ?? 0) + b.count) % 2 ** 31);
      } else {
        failed.push([b, code]);
      }
    }
    return failed;
  }
}

function asWireError(err: unknown): KafkaWireError {
  if (err instanceof KafkaWireError) return err;
  return new KafkaWireError((err as Error).message ?? String(err), 'UNKNOWN', true);
}
