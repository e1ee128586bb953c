/**
 * A faster stand-in for kafkajs's record decoder (`protocol/recordBatch/record/v0/decoder.js`),
 * installed by `core/kafka.ts` before kafkajs loads. kafkajs builds each record's headers with an
 * object spread per header (four headers per raw line: four objects, each copying the last) and
 * its offset and timestamp with 64-bit `Long` arithmetic; on a 1M-line backlog that was 2.5 of
 * the indexer's 45 CPU-seconds. This one reads the same fields in a loop, with plain numbers
 * while they are exact, and returns the same object (a test compares both on encoded records).
 * Anything out of the ordinary (a varlong of more than 7 bytes, an offset or time past 2^53, a
 * header count below -1) goes back to kafkajs's own decoder, which then also throws where it
 * would. kafkajs is no longer maintained: 2.2.4 is its last release, so the module replaced here
 * does not move under us (package.json pins it).
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
 * bytes, so that a name is compared in place instead of sliced and decoded each time. Bounded:
 * a producer with ever new names only fills it once.
 */
const NAME_CACHE_SIZE = 16;
const names: { bytes: Buffer; name: string }[] = [];

function readName(d: KafkajsDecoder): string | null {
  const start = d.offset;
  const length = d.readVarInt();
  if (length <= 0) {
    d.offset = start;
    return d.readVarIntString();
  }
  const buf = d.buffer;
  const at = d.offset;
  outer: for (const entry of names) {
    const b = entry.bytes;
    if (b.length !== length) continue;
    for (let i = 0; i < length; i++) if (buf[at + i] !== b[i]) continue outer;
    d.offset = at + length;
    return entry.name;
  }
  d.offset = start;
  const name = d.readVarIntString() as string;
  if (names.length < NAME_CACHE_SIZE) names.push({ bytes: Buffer.from(buf.subarray(at, at + length)), name });
  return name;
}

/** `base + delta` as kafkajs's `Long` would print it, when every step is an exact integer. */
function addExact(base: string, delta: number): string | undefined {
  const n = Number(base);
  const sum = n + delta;
  return Number.isSafeInteger(n) && Number.isSafeInteger(sum) ? String(sum) : undefined;
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
      return original(decoder, batchContext);
    }
    const key = decoder.readVarIntBytes();
    const value = decoder.readVarIntBytes();
    const count = decoder.readVarInt();
    // kafkajs refuses a count below -1 (`new Array(count)` throws): so must we.
    if (count < -1) {
      decoder.offset = start;
      return original(decoder, batchContext);
    }
    const headers: Record<string, Buffer | null | (Buffer | null)[]> = {};
    for (let i = 0; i < count; i++) {
      const name = readName(decoder) as string;
      const v = decoder.readVarIntBytes();
      const prev = headers[name];
      const next = prev === undefined ? v : Array.isArray(prev) ? prev.concat([v]) : [prev, v];
      // kafkajs's computed key in an object literal makes `__proto__` an own property, not the
      // prototype: so does defineProperty.
      if (name === '__proto__') {
        Object.defineProperty(headers, name, {
          value: next,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else headers[name] = next;
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
