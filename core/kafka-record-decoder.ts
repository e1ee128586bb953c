/**
 * A faster stand-in for kafkajs's record decoder (`protocol/recordBatch/record/v0/decoder.js`),
 * installed by `core/kafka.ts` before kafkajs loads. kafkajs builds each record's headers with an
 * object spread per header (four headers per raw line: four objects, each copying the last) and
 * its offset and timestamp with 64-bit `Long` arithmetic; on a 1M-line backlog that was 2.5 of
 * the indexer's 45 CPU-seconds. This one reads the same fields in a loop, with plain numbers
 * while they are exact. Anything out of the ordinary (a varlong of more than 7 bytes, an offset or
 * time past 2^53, a header count below -1) goes back to kafkajs's own decoder, which then also
 * throws where it would. kafkajs is no longer maintained: 2.2.4 is its last release, so the
 * module replaced here does not move under us (package.json pins it).
 *
 * One difference, on purpose: header values come out as text (`HeaderText`), not as kafkajs's
 * Buffers. Every consumer of ours reads them as text, and a fetch decodes a whole batch of
 * records (about 10,000 lines) at once, which then live until the batch is written: four Buffer
 * views per record, then four strings made from them, were copied by every young-generation
 * collection in between. A value equal to the last one of its header name (the shipper's host,
 * path and file id, the same on every line of a file) is the same string. In seven rounds of a
 * 1M-line backlog side by side, the indexer used 3.7 % less CPU than with kafkajs's Buffers.
 */

/** The part of kafkajs's `Decoder` the record decoder uses: a buffer and a cursor. */
export interface KafkajsDecoder {
  buffer: Buffer;
  offset: number;
  readInt8(): number;
  readVarInt(): number;
  readVarIntBytes(): Buffer | null;
  readVarIntString(): string | null;
}

/**
 * A record's headers as text: each value decoded as UTF-8; a repeated name's values joined with
 * commas; a null value (Kafka allows one) as if the header were absent.
 */
export type HeaderText = Record<string, string | undefined>;

export interface BatchContext {
  firstOffset: string;
  firstTimestamp: string;
  magicByte?: number;
  isControlBatch?: boolean;
  timestampType?: number;
  maxTimestamp?: string;
}

export type RecordDecoder = (decoder: KafkajsDecoder, batchContext?: BatchContext) => unknown;

/** kafkajs's `TimestampTypes.LOG_APPEND_TIME`. */
const LOG_APPEND_TIME = 1;

/**
 * A zigzag varlong of at most 7 bytes (|value| < 2^48, so a double holds it exactly), or
 * undefined with the cursor moved: the caller starts over with kafkajs's decoder then.
 */
function readShortVarlong(d: KafkajsDecoder): number | undefined {
  const buf = d.buffer;
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 7; i++) {
    const b = buf[d.offset++];
    if (b === undefined) return undefined;
    result += (b & 0x7f) * scale;
    if (b < 0x80) return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
    scale *= 128;
  }
  return undefined;
}

/**
 * Header names repeat on every record (the shipper's four): the names met so far, with their
 * bytes, so that a name is compared in place instead of sliced and decoded each time, and the
 * last value read under each name. Bounded: a producer with ever new names only fills it once.
 */
interface KnownName {
  bytes: Buffer;
  name: string;
  /** The last value's bytes, copied into a buffer of its own (made once) so as to compare in place. */
  last: Buffer | undefined;
  lastLength: number;
  lastValue: string;
}
const NAME_CACHE_SIZE = 16;
/** Longer values are decoded every time rather than kept. */
const KEPT_VALUE_BYTES = 256;
const names: KnownName[] = [];

/** The name's cache entry, or the name itself when it is not cached. */
function readName(d: KafkajsDecoder): KnownName | string {
  const start = d.offset;
  const length = d.readVarInt();
  if (length <= 0) {
    d.offset = start;
    // A null name (length -1) is the key "null", as in kafkajs's object.
    return String(d.readVarIntString());
  }
  const buf = d.buffer;
  const at = d.offset;
  outer: for (const entry of names) {
    const b = entry.bytes;
    if (b.length !== length) continue;
    for (let i = 0; i < length; i++) if (buf[at + i] !== b[i]) continue outer;
    d.offset = at + length;
    return entry;
  }
  d.offset = start;
  const name = d.readVarIntString() as string;
  if (names.length >= NAME_CACHE_SIZE) return name;
  const entry: KnownName = {
    bytes: Buffer.from(buf.subarray(at, at + length)),
    name,
    last: undefined,
    lastLength: -1,
    lastValue: '',
  };
  names.push(entry);
  return entry;
}

/**
 * The first `length` bytes of `last` equal those at `at`: compared from the end, where values
 * that change (an offset) differ.
 */
function sameBytes(buf: Buffer, at: number, last: Buffer, length: number): boolean {
  for (let i = length - 1; i >= 0; i--) if (buf[at + i] !== last[i]) return false;
  return true;
}

/** A header value as kafkajs's `readVarIntBytes` would read it, as text. */
function readValue(d: KafkajsDecoder, known: KnownName | undefined): string | null {
  const start = d.offset;
  const length = d.readVarInt();
  const buf = d.buffer;
  const at = d.offset;
  if (length < 0 || at + length > buf.length) {
    // -1 is null; anything else odd is left to kafkajs's reading (and its cursor).
    d.offset = start;
    const bytes = d.readVarIntBytes();
    return bytes === null ? null : bytes.toString('utf8');
  }
  d.offset = at + length;
  if (known === undefined || length > KEPT_VALUE_BYTES) return buf.toString('utf8', at, at + length);
  if (known.lastLength === length && sameBytes(buf, at, known.last as Buffer, length)) return known.lastValue;
  // A value that changes on every record (the offset) costs a copy, not a new buffer.
  known.last ??= Buffer.allocUnsafe(KEPT_VALUE_BYTES);
  buf.copy(known.last, 0, at, at + length);
  known.lastLength = length;
  known.lastValue = buf.toString('utf8', at, at + length);
  return known.lastValue;
}

function addHeader(headers: HeaderText, name: string, value: string | null): void {
  if (value === null) return;
  const prev = Object.hasOwn(headers, name) ? headers[name] : undefined;
  const next = prev === undefined ? value : `${prev},${value}`;
  // A computed key in an object literal makes `__proto__` an own property, not the prototype:
  // so does defineProperty.
  if (name === '__proto__') {
    Object.defineProperty(headers, name, {
      value: next,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else headers[name] = next;
}

/** kafkajs's headers (Buffers or null, arrays of them for a repeated name) as text. */
function headerText(headers: Record<string, unknown> | undefined): HeaderText {
  const out: HeaderText = {};
  if (headers === undefined) return out;
  for (const name of Object.keys(headers)) {
    const v = headers[name];
    for (const one of Array.isArray(v) ? v : [v]) {
      addHeader(out, name, Buffer.isBuffer(one) ? one.toString('utf8') : null);
    }
  }
  return out;
}

/** `base + delta` as kafkajs's `Long` would print it, when every step is an exact integer. */
function addExact(base: string, delta: number): string | undefined {
  const n = Number(base);
  const sum = n + delta;
  return Number.isSafeInteger(n) && Number.isSafeInteger(sum) ? String(sum) : undefined;
}

/** kafkajs's own decoding, with its headers as text like ours. */
function viaKafkajs(original: RecordDecoder, decoder: KafkajsDecoder, batchContext: BatchContext): unknown {
  const record = original(decoder, batchContext) as { headers?: Record<string, unknown> };
  return { ...record, headers: headerText(record.headers) };
}

export function fastRecordDecoder(original: RecordDecoder): RecordDecoder {
  return (decoder, batchContext = {} as BatchContext) => {
    const start = decoder.offset;
    const {
      firstOffset,
      firstTimestamp,
      magicByte,
      isControlBatch = false,
      timestampType,
      maxTimestamp,
    } = batchContext;
    const attributes = decoder.readInt8();
    // The delta is read even when log-append time replaces it: the fields after it start there.
    const timestampDelta = readShortVarlong(decoder);
    const timestamp =
      timestampDelta === undefined
        ? undefined
        : timestampType === LOG_APPEND_TIME && maxTimestamp
          ? maxTimestamp
          : addExact(firstTimestamp, timestampDelta);
    const offset = timestamp === undefined ? undefined : addExact(firstOffset, decoder.readVarInt());
    if (offset === undefined) {
      decoder.offset = start;
      return viaKafkajs(original, decoder, batchContext);
    }
    const key = decoder.readVarIntBytes();
    const value = decoder.readVarIntBytes();
    const count = decoder.readVarInt();
    // kafkajs refuses a count below -1 (`new Array(count)` throws): so must we.
    if (count < -1) {
      decoder.offset = start;
      return viaKafkajs(original, decoder, batchContext);
    }
    const headers: HeaderText = {};
    for (let i = 0; i < count; i++) {
      const name = readName(decoder);
      if (typeof name === 'string') addHeader(headers, name, readValue(decoder, undefined));
      else addHeader(headers, name.name, readValue(decoder, name));
    }
    return {
      magicByte,
      attributes,
      timestamp,
      offset,
      key,
      value,
      headers,
      isControlRecord: isControlBatch,
      batchContext,
    };
  };
}
