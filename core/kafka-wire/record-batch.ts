/**
 * Kafka record batches, message format v2 (KIP-98), encoded by hand. The producer of the raw
 * topic writes about a million small records per minute of backlog; building them with plain
 * buffer writes into one growing buffer costs about a microsecond per record, where a generic
 * encoder that allocates per field costs tens.
 *
 * Layout (all integers big-endian; "varint" is zigzag LEB128):
 *
 *   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 = 2 |
 *   crc uint32 (CRC-32C of everything after it) | attributes int16 | lastOffsetDelta int32 |
 *   baseTimestamp int64 | maxTimestamp int64 | producerId int64 | producerEpoch int16 |
 *   baseSequence int32 | recordCount int32 | records (compressed as one block when compressed)
 *
 *   record: length varint | attributes int8 | timestampDelta varint | offsetDelta varint |
 *           keyLength varint | key | valueLength varint | value | headerCount varint |
 *           (keyLength varint | key | valueLength varint | value)*
 */
import { RAW_HEADERS } from '../raw-record.js';
import { crc32c } from './crc32c.js';

export const BATCH_HEADER_BYTES = 61;
/** Bytes covered by batchLength start after baseOffset and batchLength themselves. */
const LENGTH_FIELD_END = 12;
const CRC_OFFSET = 17;
const ATTRIBUTES_OFFSET = 21;

export const Compression = { none: 0, gzip: 1 } as const;
export type CompressionCode = (typeof Compression)[keyof typeof Compression];

export interface BatchRecord {
  key: Buffer | null;
  value: Buffer | string | null;
  /** A null value is sent as Kafka's null (length -1), as other producers may send one. */
  headers?: Record<string, string | Buffer | null>;
  /** Milliseconds since the epoch; the batch's base timestamp when absent. */
  timestamp?: number;
}

/** Bytes of a zigzag varint for a value that fits in 32 bits. */
export function varintSize(n: number): number {
  let v = ((n << 1) ^ (n >> 31)) >>> 0;
  let size = 1;
  while (v >= 0x80) {
    v >>>= 7;
    size += 1;
  }
  return size;
}

/**
 * Appends records to one buffer that grows by doubling. Header names and the last value seen
 * per header name are kept encoded, so the per-file headers of consecutive lines (host, path,
 * file id) are copied, not re-encoded.
 */
export class RecordsWriter {
  private buf: Buffer;
  /** Records start after room for the batch header, so an uncompressed batch needs no copy. */
  private pos = BATCH_HEADER_BYTES;
  private count = 0;
  private maxTimestamp = 0;
  private readonly names = new Map<string, Buffer>();
  private readonly lastValue = new Map<string, { value: string; bytes: Buffer }>();
  /** Reused per record: the encoded header names and values, in order. */
  private readonly parts: (Buffer | null)[] = [];

  constructor(
    private readonly baseTimestamp: number,
    /** A buffer to write into (reused from an earlier batch), grown when too small. */
    buffer: Buffer = Buffer.allocUnsafe(64 * 1024),
  ) {
    this.buf = buffer.length > BATCH_HEADER_BYTES ? buffer : Buffer.allocUnsafe(64 * 1024);
    this.maxTimestamp = baseTimestamp;
  }

  get records(): number {
    return this.count;
  }

  get maxTimestampMs(): number {
    return this.maxTimestamp;
  }

  /** The encoded records (a view of the internal buffer, valid until the next `add`). */
  bytes(): Buffer {
    return this.buf.subarray(BATCH_HEADER_BYTES, this.pos);
  }

  /** The uncompressed batch, header written in front of the records in place. */
  batch(h: BatchHeader): Buffer {
    const out = this.buf.subarray(0, this.pos);
    writeBatchHeader(h, out);
    return out;
  }

  /** The internal buffer, for reuse by a later writer once nothing reads this one's output. */
  get buffer(): Buffer {
    return this.buf;
  }

  add(record: BatchRecord): void {
    const ts = record.timestamp ?? this.baseTimestamp;
    if (ts > this.maxTimestamp) this.maxTimestamp = ts;
    // A 64-bit varint: a timestamp 25 days away from the batch's does not fit in 32 bits.
    const tsDelta = ts - this.baseTimestamp;
    const key = record.key;
    const value = typeof record.value === 'string' ? Buffer.from(record.value) : record.value;
    const headers = record.headers;
    let headerCount = 0;
    let headerBytes = 0;
    const parts = this.parts;
    parts.length = 0;
    if (headers !== undefined) {
      for (const name in headers) {
        const raw = headers[name] as string | Buffer | null;
        const nameBytes = this.nameBytes(name);
        const valueBytes = typeof raw === 'string' ? this.valueBytes(name, raw) : raw;
        parts.push(nameBytes, valueBytes);
        headerBytes +=
          varintSize(nameBytes.length) +
          nameBytes.length +
          (valueBytes === null ? varintSize(-1) : varintSize(valueBytes.length) + valueBytes.length);
        headerCount += 1;
      }
    }
    const keyLength = key === null ? -1 : key.length;
    const valueLength = value === null ? -1 : value.length;
    const bodyLength =
      1 +
      varlongSize(tsDelta) +
      varintSize(this.count) +
      varintSize(keyLength) +
      Math.max(0, keyLength) +
      varintSize(valueLength) +
      Math.max(0, valueLength) +
      varintSize(headerCount) +
      headerBytes;
    this.ensure(varintSize(bodyLength) + bodyLength);
    const buf = this.buf;
    let p = writeVarint(buf, this.pos, bodyLength);
    buf[p++] = 0;
    p = writeVarlong(buf, p, tsDelta);
    p = writeVarint(buf, p, this.count);
    p = writeVarint(buf, p, keyLength);
    if (key !== null) p += key.copy(buf, p);
    p = writeVarint(buf, p, valueLength);
    if (value !== null) p += value.copy(buf, p);
    p = writeVarint(buf, p, headerCount);
    for (const part of parts) {
      p = writeVarint(buf, p, part === null ? -1 : part.length);
      if (part !== null) p += part.copy(buf, p);
    }
    this.pos = p;
    this.count += 1;
  }

  /**
   * One raw-topic line (core/raw-record.ts) without a header object: `fixed` holds the encoded
   * headers every line of its file shares (`encodeHeaders`), the offset (and piece) headers
   * are written here digit by digit. Byte for byte what `add` writes for the same headers.
   */
  addRawLine(
    key: Buffer,
    fixed: EncodedHeaders,
    value: Buffer,
    offset: number,
    piece: number | undefined,
  ): void {
    const offsetDigits = decimalDigits(offset);
    const pieceDigits = piece === undefined ? 0 : decimalDigits(piece);
    const headerCount = fixed.count + (piece === undefined ? 1 : 2);
    const headerBytes =
      fixed.bytes.length +
      OFFSET_NAME.length +
      1 +
      offsetDigits +
      (piece === undefined ? 0 : PIECE_NAME.length + 1 + pieceDigits);
    const bodyLength =
      2 +
      varintSize(this.count) +
      varintSize(key.length) +
      key.length +
      varintSize(value.length) +
      value.length +
      varintSize(headerCount) +
      headerBytes;
    this.ensure(5 + bodyLength);
    const buf = this.buf;
    let p = writeVarint(buf, this.pos, bodyLength);
    // attributes, then a timestamp delta of 0: raw lines carry the batch's timestamp.
    buf[p++] = 0;
    buf[p++] = 0;
    p = writeVarint(buf, p, this.count);
    p = writeVarint(buf, p, key.length);
    p = copyInto(key, buf, p);
    p = writeVarint(buf, p, value.length);
    p = copyInto(value, buf, p);
    p = writeVarint(buf, p, headerCount);
    p = copyInto(fixed.bytes, buf, p);
    p = copyInto(OFFSET_NAME, buf, p);
    p = writeDecimal(buf, writeVarint(buf, p, offsetDigits), offset, offsetDigits);
    if (piece !== undefined) {
      p = copyInto(PIECE_NAME, buf, p);
      p = writeDecimal(buf, writeVarint(buf, p, pieceDigits), piece, pieceDigits);
    }
    this.pos = p;
    this.count += 1;
  }

  private nameBytes(name: string): Buffer {
    let bytes = this.names.get(name);
    if (bytes === undefined) {
      bytes = Buffer.from(name);
      this.names.set(name, bytes);
    }
    return bytes;
  }

  private valueBytes(name: string, value: string): Buffer {
    const last = this.lastValue.get(name);
    if (last !== undefined && last.value === value) return last.bytes;
    const bytes = Buffer.from(value);
    this.lastValue.set(name, { value, bytes });
    return bytes;
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}

/** Headers encoded once and copied into every record that carries them. */
export interface EncodedHeaders {
  readonly bytes: Buffer;
  readonly count: number;
}

export function encodeHeaders(headers: Record<string, string>): EncodedHeaders {
  const parts: Buffer[] = [];
  let count = 0;
  for (const [name, value] of Object.entries(headers)) {
    parts.push(lengthPrefixed(Buffer.from(name)), lengthPrefixed(Buffer.from(value)));
    count += 1;
  }
  return { bytes: Buffer.concat(parts), count };
}

function lengthPrefixed(b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(varintSize(b.length) + b.length);
  b.copy(out, writeVarint(out, 0, b.length));
  return out;
}

const OFFSET_NAME = lengthPrefixed(Buffer.from(RAW_HEADERS.offset));
const PIECE_NAME = lengthPrefixed(Buffer.from(RAW_HEADERS.piece));

function decimalDigits(n: number): number {
  let digits = 1;
  for (let v = n; v >= 10; v = Math.floor(v / 10)) digits += 1;
  return digits;
}

function writeDecimal(buf: Buffer, pos: number, n: number, digits: number): number {
  let v = n;
  for (let i = pos + digits - 1; i >= pos; i--) {
    buf[i] = 48 + (v % 10);
    v = Math.floor(v / 10);
  }
  return pos + digits;
}

/** Short copies byte by byte: Buffer#copy costs a native call (and a view) per record. */
function copyInto(src: Buffer, dst: Buffer, pos: number): number {
  const n = src.length;
  if (n > 48) return pos + src.copy(dst, pos);
  for (let i = 0; i < n; i++) dst[pos + i] = src[i] as number;
  return pos + n;
}

/** Zigzag of a 64-bit value held in a double: exact while |n| < 2^52 (ms timestamps are). */
function zigzag64(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

export function varlongSize(n: number): number {
  let v = zigzag64(n);
  let size = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    size += 1;
  }
  return size;
}

export function writeVarlong(buf: Buffer, pos: number, n: number): number {
  let v = zigzag64(n);
  let p = pos;
  while (v >= 128) {
    buf[p++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[p++] = v;
  return p;
}

export function writeVarint(buf: Buffer, pos: number, n: number): number {
  let v = ((n << 1) ^ (n >> 31)) >>> 0;
  let p = pos;
  while (v >= 0x80) {
    buf[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[p++] = v;
  return p;
}

export interface BatchHeader {
  compression: CompressionCode;
  recordCount: number;
  baseTimestamp: number;
  maxTimestamp: number;
  /** -1 for a producer that is not idempotent. */
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
}

/** The whole batch: header, then `records` (already compressed when `compression` says so). */
export function encodeBatch(h: BatchHeader, records: Buffer): Buffer {
  const out = Buffer.allocUnsafe(BATCH_HEADER_BYTES + records.length);
  records.copy(out, BATCH_HEADER_BYTES);
  writeBatchHeader(h, out);
  return out;
}

/** Fills the first BATCH_HEADER_BYTES of `out` (the records follow) and the CRC. */
function writeBatchHeader(h: BatchHeader, out: Buffer): void {
  out.writeBigInt64BE(0n, 0);
  out.writeInt32BE(out.length - LENGTH_FIELD_END, 8);
  out.writeInt32BE(-1, 12);
  out.writeInt8(2, 16);
  out.writeInt16BE(h.compression, ATTRIBUTES_OFFSET);
  out.writeInt32BE(h.recordCount - 1, 23);
  out.writeBigInt64BE(BigInt(h.baseTimestamp), 27);
  out.writeBigInt64BE(BigInt(h.maxTimestamp), 35);
  out.writeBigInt64BE(h.producerId, 43);
  out.writeInt16BE(h.producerEpoch, 51);
  out.writeInt32BE(h.baseSequence, 53);
  out.writeInt32BE(h.recordCount, 57);
  out.writeUInt32BE(crc32c(out, ATTRIBUTES_OFFSET), CRC_OFFSET);
}
