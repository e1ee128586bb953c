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

/** CRC-32C of `buf[start, end)`, as an unsigned 32-bit number. */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  let crc = 0xffffffff;
  let i = start;
  const fast = end - ((end - start) & 7);
  while (i < fast) {
    const a =
      (crc ^
        (buf[i] as number) ^
        ((buf[i + 1] as number) << 8) ^
        ((buf[i + 2] as number) << 16) ^
        ((buf[i + 3] as number) << 24)) >>>
      0;
    crc =
      (T7[a & 0xff] as number) ^
      (T6[(a >>> 8) & 0xff] as number) ^
      (T5[(a >>> 16) & 0xff] as number) ^
      (T4[a >>> 24] as number) ^
      (T3[buf[i + 4] as number] as number) ^
      (T2[buf[i + 5] as number] as number) ^
      (T1[buf[i + 6] as number] as number) ^
      (T0[buf[i + 7] as number] as number);
    i += 8;
  }
  while (i < end) {
    crc = (T0[(crc ^ (buf[i] as number)) & 0xff] as number) ^ (crc >>> 8);
    i += 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
