/**
 * CRC-32C (Castagnoli), the checksum of Kafka record batches (magic 2). Node's zlib only has
 * the IEEE polynomial, so this is a table-driven implementation, sliced by eight: one table
 * lookup per byte instead of eight shifts, which matters because uncompressed batches are
 * checksummed whole.
 */
const POLY = 0x82f63b78;

const TABLES: Uint32Array[] = (() => {
  const t0 = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t0[i] = c >>> 0;
  }
  const tables = [t0];
  for (let t = 1; t < 8; t++) {
    const prev = tables[t - 1] as Uint32Array;
    const next = new Uint32Array(256);
    for (let i = 0; i < 256; i++)
      next[i] = ((prev[i] as number) >>> 8) ^ (t0[(prev[i] as number) & 0xff] as number);
    tables.push(next);
  }
  return tables;
})();

const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES as [
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
];

/** Eight bytes are read as two little-endian 32-bit loads instead of eight byte loads. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** CRC-32C of `buf[start, end)`, as an unsigned 32-bit number. */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  let crc = 0xffffffff;
  let i = start;
  if (LITTLE_ENDIAN) {
    // Bytes up to a 4-byte boundary of the underlying memory, then 8 bytes per step.
    while (i < end && ((buf.byteOffset + i) & 3) !== 0) {
      crc = (T0[(crc ^ (buf[i] as number)) & 0xff] as number) ^ (crc >>> 8);
      i += 1;
    }
    const pairs = (end - i) >>> 3;
    if (pairs > 0) {
      const words = new Uint32Array(buf.buffer, buf.byteOffset + i, pairs * 2);
      for (let w = 0; w < words.length; w += 2) {
        const a = (crc ^ (words[w] as number)) >>> 0;
        const b = words[w + 1] as number;
        crc =
          (T7[a & 0xff] as number) ^
          (T6[(a >>> 8) & 0xff] as number) ^
          (T5[(a >>> 16) & 0xff] as number) ^
          (T4[a >>> 24] as number) ^
          (T3[b & 0xff] as number) ^
          (T2[(b >>> 8) & 0xff] as number) ^
          (T1[(b >>> 16) & 0xff] as number) ^
          (T0[b >>> 24] as number);
      }
      i += pairs * 8;
    }
  }
  // The rest, and all of it on a big-endian machine, one byte at a time.
  while (i < end) {
    crc = (T0[(crc ^ (buf[i] as number)) & 0xff] as number) ^ (crc >>> 8);
    i += 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
