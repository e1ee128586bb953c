/**
 * The few Kafka requests the producer needs, as pure encoders and decoders (no sockets here).
 * Versions are chosen to be served by every broker from Kafka 2.1 to 4.x, and to avoid the
 * "flexible" (tagged-field) encodings: Metadata v5, InitProducerId v1, Produce v7,
 * SaslHandshake v1, SaslAuthenticate v0.
 */

export const ApiKey = {
  produce: 0,
  metadata: 3,
  saslHandshake: 17,
  initProducerId: 22,
  saslAuthenticate: 36,
} as const;

export const ApiVersion = {
  produce: 7,
  metadata: 5,
  saslHandshake: 1,
  initProducerId: 1,
  saslAuthenticate: 0,
} as const;

/** Error codes this client acts on; the rest are reported by name from `errorName`. */
export const ErrorCode = {
  none: 0,
  corruptMessage: 2,
  unknownTopicOrPartition: 3,
  leaderNotAvailable: 5,
  notLeaderOrFollower: 6,
  requestTimedOut: 7,
  messageTooLarge: 10,
  networkException: 13,
  notEnoughReplicas: 19,
  notEnoughReplicasAfterAppend: 20,
  recordListTooLarge: 18,
  coordinatorLoadInProgress: 14,
  coordinatorNotAvailable: 15,
  notCoordinator: 16,
  outOfOrderSequenceNumber: 45,
  duplicateSequenceNumber: 46,
  invalidProducerEpoch: 47,
  unknownProducerId: 59,
  kafkaStorageError: 56,
} as const;

const NAMES: Record<number, string> = {
  [-1]: 'UNKNOWN_SERVER_ERROR',
  1: 'OFFSET_OUT_OF_RANGE',
  2: 'CORRUPT_MESSAGE',
  3: 'UNKNOWN_TOPIC_OR_PARTITION',
  4: 'INVALID_FETCH_SIZE',
  5: 'LEADER_NOT_AVAILABLE',
  6: 'NOT_LEADER_OR_FOLLOWER',
  7: 'REQUEST_TIMED_OUT',
  8: 'BROKER_NOT_AVAILABLE',
  10: 'MESSAGE_TOO_LARGE',
  13: 'NETWORK_EXCEPTION',
  14: 'COORDINATOR_LOAD_IN_PROGRESS',
  15: 'COORDINATOR_NOT_AVAILABLE',
  16: 'NOT_COORDINATOR',
  17: 'INVALID_TOPIC_EXCEPTION',
  18: 'RECORD_LIST_TOO_LARGE',
  19: 'NOT_ENOUGH_REPLICAS',
  20: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  21: 'INVALID_REQUIRED_ACKS',
  29: 'TOPIC_AUTHORIZATION_FAILED',
  31: 'CLUSTER_AUTHORIZATION_FAILED',
  32: 'INVALID_TIMESTAMP',
  33: 'UNSUPPORTED_SASL_MECHANISM',
  34: 'ILLEGAL_SASL_STATE',
  35: 'UNSUPPORTED_VERSION',
  45: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
  46: 'DUPLICATE_SEQUENCE_NUMBER',
  47: 'INVALID_PRODUCER_EPOCH',
  56: 'KAFKA_STORAGE_ERROR',
  58: 'SASL_AUTHENTICATION_FAILED',
  59: 'UNKNOWN_PRODUCER_ID',
  87: 'INVALID_RECORD',
};

export function errorName(code: number): string {
  return NAMES[code] ?? `KAFKA_ERROR_${code}`;
}

/** Errors after which the same request may succeed once leaders and connections are fresh. */
export function isRetriable(code: number): boolean {
  return (
    code === ErrorCode.corruptMessage ||
    code === ErrorCode.unknownTopicOrPartition ||
    code === ErrorCode.leaderNotAvailable ||
    code === ErrorCode.notLeaderOrFollower ||
    code === ErrorCode.requestTimedOut ||
    code === ErrorCode.networkException ||
    code === ErrorCode.notEnoughReplicas ||
    code === ErrorCode.notEnoughReplicasAfterAppend ||
    code === ErrorCode.kafkaStorageError ||
    code === ErrorCode.coordinatorLoadInProgress ||
    code === ErrorCode.coordinatorNotAvailable
  );
}

/** Sequential big-endian writer for request bodies (small: the record batches are appended as-is). */
export class Writer {
  private readonly parts: Buffer[] = [];

  int8(n: number): this {
    const b = Buffer.allocUnsafe(1);
    b.writeInt8(n);
    this.parts.push(b);
    return this;
  }

  int16(n: number): this {
    const b = Buffer.allocUnsafe(2);
    b.writeInt16BE(n);
    this.parts.push(b);
    return this;
  }

  int32(n: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(n);
    this.parts.push(b);
    return this;
  }

  string(s: string | null): this {
    if (s === null) return this.int16(-1);
    const bytes = Buffer.from(s);
    this.int16(bytes.length);
    this.parts.push(bytes);
    return this;
  }

  /** Nullable bytes with an int32 length (record sets, SASL tokens). */
  bytes(b: Buffer | null): this {
    if (b === null) return this.int32(-1);
    this.int32(b.length);
    this.parts.push(b);
    return this;
  }

  array<T>(items: readonly T[] | null, each: (item: T, w: this) => void): this {
    if (items === null) return this.int32(-1);
    this.int32(items.length);
    for (const item of items) each(item, this);
    return this;
  }

  done(): Buffer[] {
    return this.parts;
  }
}

export class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  int8(): number {
    const v = this.buf.readInt8(this.pos);
    this.pos += 1;
    return v;
  }

  int16(): number {
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  int64(): bigint {
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  boolean(): boolean {
    return this.int8() !== 0;
  }

  string(): string | null {
    const n = this.int16();
    if (n < 0) return null;
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  bytes(): Buffer | null {
    const n = this.int32();
    if (n < 0) return null;
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  array<T>(each: (r: this) => T): T[] {
    const n = this.int32();
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(each(this));
    return out;
  }
}

export function requestHeader(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  clientId: string,
): Buffer[] {
  return new Writer().int16(apiKey).int16(apiVersion).int32(correlationId).string(clientId).done();
}

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
}

export interface PartitionInfo {
  errorCode: number;
  partition: number;
  leader: number;
}

export interface TopicInfo {
  errorCode: number;
  name: string;
  partitions: PartitionInfo[];
}

export interface MetadataResponse {
  brokers: BrokerInfo[];
  topics: TopicInfo[];
}

export function metadataRequest(topics: string[]): Buffer[] {
  return new Writer()
    .array(topics, (t, w) => w.string(t))
    .int8(0)
    .done();
}

export function readMetadata(body: Buffer): MetadataResponse {
  const r = new Reader(body);
  r.int32();
  const brokers = r.array((b) => {
    const nodeId = b.int32();
    const host = b.string() ?? '';
    const port = b.int32();
    b.string();
    return { nodeId, host, port };
  });
  r.string();
  r.int32();
  const topics = r.array((t) => {
    const errorCode = t.int16();
    const name = t.string() ?? '';
    t.boolean();
    const partitions = t.array((p) => {
      const errorCode = p.int16();
      const partition = p.int32();
      const leader = p.int32();
      p.array((x) => x.int32());
      p.array((x) => x.int32());
      p.array((x) => x.int32());
      return { errorCode, partition, leader };
    });
    return { errorCode, name, partitions };
  });
  return { brokers, topics };
}

export function initProducerIdRequest(): Buffer[] {
  return new Writer().string(null).int32(60_000).done();
}

export function readInitProducerId(body: Buffer): {
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
} {
  const r = new Reader(body);
  r.int32();
  return { errorCode: r.int16(), producerId: r.int64(), producerEpoch: r.int16() };
}

export interface ProduceTopicData {
  topic: string;
  partitions: { partition: number; batch: Buffer }[];
}

export function produceRequest(acks: number, timeoutMs: number, data: ProduceTopicData[]): Buffer[] {
  return new Writer()
    .string(null)
    .int16(acks)
    .int32(timeoutMs)
    .array(data, (t, w) => {
      w.string(t.topic);
      w.array(t.partitions, (p, pw) => {
        pw.int32(p.partition);
        pw.bytes(p.batch);
      });
    })
    .done();
}

export interface ProducePartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  baseOffset: bigint;
}

export function readProduce(body: Buffer): ProducePartitionResult[] {
  const r = new Reader(body);
  const out: ProducePartitionResult[] = [];
  r.array((t) => {
    const topic = t.string() ?? '';
    t.array((p) => {
      const partition = p.int32();
      const errorCode = p.int16();
      const baseOffset = p.int64();
      p.int64();
      p.int64();
      out.push({ topic, partition, errorCode, baseOffset });
    });
  });
  return out;
}

export function saslHandshakeRequest(mechanism: string): Buffer[] {
  return new Writer().string(mechanism).done();
}

export function readSaslHandshake(body: Buffer): { errorCode: number; mechanisms: string[] } {
  const r = new Reader(body);
  const errorCode = r.int16();
  return { errorCode, mechanisms: r.array((x) => x.string() ?? '') };
}

export function saslAuthenticateRequest(token: Buffer): Buffer[] {
  return new Writer().bytes(token).done();
}

export function readSaslAuthenticate(body: Buffer): { errorCode: number; message: string | null } {
  const r = new Reader(body);
  return { errorCode: r.int16(), message: r.string() };
}
