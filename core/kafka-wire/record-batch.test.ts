import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rawHeaders } from '../raw-record.js';
import { crc32c } from './crc32c.js';
import {
  BATCH_HEADER_BYTES,
  Compression,
  encodeBatch,
  encodeHeaders,
  RecordsWriter,
  varintSize,
  varlongSize,
  writeVarint,
  writeVarlong,
} from './record-batch.js';

// Zigzag varints as the protocol guide defines them (values worked out by hand).
const varints: [number, number[]][] = [
  [0, [0x00]],
  [-1, [0x01]],
  [1, [0x02]],
  [63, [0x7e]],
  [-64, [0x7f]],
  [64, [0x80, 0x01]],
  [-65, [0x81, 0x01]],
  [300, [0xd8, 0x04]],
  [2 ** 31 - 1, [0xfe, 0xff, 0xff, 0xff, 0x0f]],
  [-(2 ** 31), [0xff, 0xff, 0xff, 0xff, 0x0f]],
];

for (const [n, bytes] of varints) {
  test(`varint ${n} is ${bytes.map((b) => b.toString(16)).join(' ')}`, () => {
    const buf = Buffer.alloc(8);
    const end = writeVarint(buf, 0, n);
    assert.deepEqual([...buf.subarray(0, end)], bytes);
    assert.equal(varintSize(n), bytes.length);
  });
}

test('a record with key, value and a header, byte by byte', () => {
  const w = new RecordsWriter(1000);
  w.add({ key: Buffer.from('k'), value: 'v', headers: { h: 'x' }, timestamp: 1003 });
  // length 12 | attrs 0 | tsDelta 3 | offsetDelta 0 | key len 1 'k' | value len 1 'v' |
  // 1 header: name len 1 'h', value len 1 'x'
  assert.deepEqual(
    [...w.bytes()],
    [0x18, 0x00, 0x06, 0x00, 0x02, 0x6b, 0x02, 0x76, 0x02, 0x02, 0x68, 0x02, 0x78],
  );
  assert.equal(w.maxTimestampMs, 1003);
});

test('a null header value is length -1, with no bytes', () => {
  const w = new RecordsWriter(1000);
  w.add({ key: null, value: 'v', headers: { h: null }, timestamp: 1000 });
  // length 10 | attrs 0 | tsDelta 0 | offsetDelta 0 | key -1 | value len 1 'v' |
  // 1 header: name len 1 'h', value -1
  assert.deepEqual([...w.bytes()], [0x14, 0x00, 0x00, 0x00, 0x01, 0x02, 0x76, 0x02, 0x02, 0x68, 0x01]);
});

test('null key and value are length -1; offset deltas count up; repeated header values are reused correctly', () => {
  const w = new RecordsWriter(0, Buffer.alloc(70));
  w.add({ key: null, value: null });
  w.add({ key: null, value: 'a', headers: { f: 'same' } });
  w.add({ key: null, value: 'b', headers: { f: 'same' } });
  w.add({ key: null, value: 'c', headers: { f: 'other' } });
  const b = [...w.bytes()];
  // record 0: len 6 | 0 | ts 0 | delta 0 | key -1 | value -1 | 0 headers
  assert.deepEqual(b.slice(0, 7), [0x0c, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00]);
  // record 1: len 14 | 0 | 0 | delta 1 | -1 | 1 'a' | 1 header 'f' = 'same'
  const r1 = [0x1c, 0x00, 0x00, 0x02, 0x01, 0x02, 0x61, 0x02, 0x02, 0x66, 0x08, 0x73, 0x61, 0x6d, 0x65];
  assert.deepEqual(b.slice(7, 7 + r1.length), r1);
  const r2 = [0x1c, 0x00, 0x00, 0x04, 0x01, 0x02, 0x62, 0x02, 0x02, 0x66, 0x08, 0x73, 0x61, 0x6d, 0x65];
  assert.deepEqual(b.slice(7 + r1.length, 7 + 2 * r1.length), r2);
  const r3 = [0x1e, 0x00, 0x00, 0x06, 0x01, 0x02, 0x63, 0x02, 0x02, 0x66, 0x0a, 0x6f, 0x74, 0x68, 0x65, 0x72];
  assert.deepEqual(b.slice(7 + 2 * r1.length), r3);
  assert.equal(w.records, 4);
});

test('the batch header puts every field where the v2 format says, and the CRC covers attributes onward', () => {
  const records = Buffer.from([1, 2, 3, 4, 5]);
  const out = encodeBatch(
    {
      compression: Compression.gzip,
      recordCount: 3,
      baseTimestamp: 1_700_000_000_000,
      maxTimestamp: 1_700_000_000_500,
      producerId: 4242n,
      producerEpoch: 7,
      baseSequence: 99,
    },
    records,
  );
  assert.equal(out.length, BATCH_HEADER_BYTES + 5);
  assert.equal(out.readBigInt64BE(0), 0n);
  assert.equal(out.readInt32BE(8), out.length - 12);
  assert.equal(out.readInt32BE(12), -1);
  assert.equal(out.readInt8(16), 2);
  assert.equal(out.readInt16BE(21), 1);
  assert.equal(out.readInt32BE(23), 2);
  assert.equal(out.readBigInt64BE(27), 1_700_000_000_000n);
  assert.equal(out.readBigInt64BE(35), 1_700_000_000_500n);
  assert.equal(out.readBigInt64BE(43), 4242n);
  assert.equal(out.readInt16BE(51), 7);
  assert.equal(out.readInt32BE(53), 99);
  assert.equal(out.readInt32BE(57), 3);
  assert.deepEqual([...out.subarray(61)], [1, 2, 3, 4, 5]);
  assert.equal(out.readUInt32BE(17), crc32c(out.subarray(21)));
});

test('an uncompressed batch written in place equals the copied one, also after the buffer grew', () => {
  const w = new RecordsWriter(5000, Buffer.alloc(80));
  for (let i = 0; i < 50; i++)
    w.add({ key: Buffer.from('mx1'), value: `line ${i}`, headers: { 'mp-offset': String(i) } });
  const header = {
    compression: Compression.none,
    recordCount: w.records,
    baseTimestamp: 5000,
    maxTimestamp: w.maxTimestampMs,
    producerId: 1n,
    producerEpoch: 0,
    baseSequence: 10,
  };
  const copied = encodeBatch(header, Buffer.from(w.bytes()));
  assert.deepEqual([...w.batch(header)], [...copied]);
});

test('addRawLine writes exactly what add writes with the raw-record header object', () => {
  const host = 'mx1.example.net';
  const key = Buffer.from(host);
  const files = [
    { path: '/var/log/mail.log', fileId: '2049-131074-9f86d081884c7d65' },
    { path: '/var/log/mail.log.1', fileId: 'x' },
  ];
  const offsets = [0, 9, 10, 99, 100, 12345, 999_999_999, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER];
  const values = [
    '',
    'a',
    'x'.repeat(47),
    'y'.repeat(48),
    'z'.repeat(49),
    'é'.repeat(100),
    'w'.repeat(70_000),
  ];
  const generic = new RecordsWriter(1_000, Buffer.alloc(100));
  const raw = new RecordsWriter(1_000, Buffer.alloc(100));
  let i = 0;
  for (const file of files) {
    const fixed = encodeHeaders({ 'mp-host': host, 'mp-path': file.path, 'mp-file-id': file.fileId });
    for (const offset of offsets) {
      for (const v of values) {
        const piece = i % 3 === 0 ? i % 7 : undefined;
        const value = Buffer.from(v);
        generic.add({ key, value, headers: rawHeaders({ host, ...file, offset, piece }) });
        raw.addRawLine(key, fixed, value, offset, piece);
        i += 1;
      }
    }
  }
  assert.equal(raw.records, generic.records);
  assert.ok(raw.bytes().equals(generic.bytes()));
});

// 64-bit zigzag varints (timestamp deltas), worked out by hand in base 128: 2^31 zigzags to
// 2^32 = 16 * 128^4; 40 days = 3,456,000,000 ms zigzags to 6,912,000,000 = (25, 95, 115, 0, 0).
const varlongs: [number, number[]][] = [
  [0, [0x00]],
  [-1, [0x01]],
  [300, [0xd8, 0x04]],
  [2 ** 31, [0x80, 0x80, 0x80, 0x80, 0x10]],
  [-(2 ** 31) - 1, [0x81, 0x80, 0x80, 0x80, 0x10]],
  [40 * 86_400_000, [0x80, 0x80, 0xf3, 0xdf, 0x19]],
];

for (const [n, bytes] of varlongs) {
  test(`varlong ${n} is ${bytes.map((b) => b.toString(16)).join(' ')}`, () => {
    const buf = Buffer.alloc(10);
    const end = writeVarlong(buf, 0, n);
    assert.deepEqual([...buf.subarray(0, end)], bytes);
    assert.equal(varlongSize(n), bytes.length);
  });
}
