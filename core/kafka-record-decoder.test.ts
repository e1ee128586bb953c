import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRequire } from 'node:module';
import { kafkajsRecordDecoders, loadKafkajs } from './kafka.js';
import type { BatchContext } from './kafka-record-decoder.js';
import { Compression, RecordsWriter, writeVarint, writeVarlong } from './kafka-wire/record-batch.js';

const { Decoder, original, installed } = kafkajsRecordDecoders();

interface TestRecord {
  timestampDelta: number;
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  /** Pairs, so that a name can repeat. */
  headers: [string, Buffer | null][];
}

/** One record body (without its length prefix), as the v2 message format lays it out. */
function encode(r: TestRecord): Buffer {
  const buf = Buffer.alloc(4096);
  let p = 0;
  buf[p++] = 0;
  p = writeVarlong(buf, p, r.timestampDelta);
  p = writeVarint(buf, p, r.offsetDelta);
  const bytes = (b: Buffer | null) => {
    p = writeVarint(buf, p, b === null ? -1 : b.length);
    if (b !== null) p += b.copy(buf, p);
  };
  bytes(r.key);
  bytes(r.value);
  p = writeVarint(buf, p, r.headers.length);
  for (const [name, value] of r.headers) {
    bytes(Buffer.from(name));
    bytes(value);
  }
  return buf.subarray(0, p);
}

/** Both decoders on the same bytes: equal records, and both stop at the record's end. */
function assertSame(r: TestRecord, ctx: BatchContext): void {
  const bytes = encode(r);
  const a = new Decoder(bytes);
  const b = new Decoder(bytes);
  assert.deepStrictEqual(installed(b, ctx), original(a, ctx));
  assert.equal(b.offset, a.offset);
  assert.equal(b.offset, bytes.length);
}

const ctx: BatchContext = {
  firstOffset: '1200',
  firstTimestamp: '1764300000000',
  magicByte: 2,
  isControlBatch: false,
  timestampType: 0,
  maxTimestamp: '1764300005000',
};
const line = Buffer.from('Mar 14 00:00:31 mx1 postfix/qmgr[6409]: 07D090402C8: removed');
const shipperHeaders: [string, Buffer][] = [
  ['mp-host', Buffer.from('mx1.example.net')],
  ['mp-path', Buffer.from('/var/log/mail.log')],
  ['mp-file-id', Buffer.from('2049:131075:9f2c')],
  ['mp-offset', Buffer.from('16042')],
];

const cases: [string, TestRecord, BatchContext][] = [
  [
    'a shipper record',
    { timestampDelta: 37, offsetDelta: 4, key: Buffer.from('mx1'), value: line, headers: shipperHeaders },
    ctx,
  ],
  ['no key, no headers', { timestampDelta: 0, offsetDelta: 0, key: null, value: line, headers: [] }, ctx],
  [
    'null value and null header value',
    { timestampDelta: 1, offsetDelta: 1, key: null, value: null, headers: [['a', null]] },
    ctx,
  ],
  [
    'a repeated header becomes an array',
    {
      timestampDelta: 1,
      offsetDelta: 2,
      key: null,
      value: line,
      headers: [
        ['a', Buffer.from('1')],
        ['b', Buffer.from('2')],
        ['a', Buffer.from('3')],
        ['a', Buffer.from('4')],
      ],
    },
    ctx,
  ],
  [
    'a header named __proto__ stays an own property',
    { timestampDelta: 1, offsetDelta: 2, key: null, value: line, headers: [['__proto__', Buffer.from('x')]] },
    ctx,
  ],
  [
    'a negative time delta',
    { timestampDelta: -5000, offsetDelta: 9, key: null, value: line, headers: [] },
    ctx,
  ],
  [
    'a time delta of 2^50 (an 8-byte varlong: kafkajs decodes it)',
    { timestampDelta: 2 ** 50, offsetDelta: 9, key: null, value: line, headers: shipperHeaders },
    ctx,
  ],
  [
    'no timestamp (-1)',
    { timestampDelta: 0, offsetDelta: 3, key: null, value: line, headers: [] },
    { ...ctx, firstTimestamp: '-1' },
  ],
  [
    'log-append time',
    { timestampDelta: 12, offsetDelta: 3, key: null, value: line, headers: [] },
    { ...ctx, timestampType: 1 },
  ],
  [
    'an offset past 2^53 (kafkajs decodes it)',
    { timestampDelta: 12, offsetDelta: 7, key: null, value: line, headers: [] },
    { ...ctx, firstOffset: '9007199254740990' },
  ],
  [
    'a control batch',
    {
      timestampDelta: 12,
      offsetDelta: 0,
      key: Buffer.from([0, 0, 0, 0]),
      value: Buffer.from([0, 0, 0, 0, 0, 0]),
      headers: [],
    },
    { ...ctx, isControlBatch: true },
  ],
];

for (const [name, record, context] of cases) {
  test(`record decoder: ${name}, as kafkajs decodes it`, () => assertSame(record, context));
}

test('record decoder: 5,000 random records, as kafkajs decodes them', () => {
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % n;
  };
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => rand(256)));
  const deltas = [0, 1, -1, 1000, -(2 ** 31), 2 ** 40, -(2 ** 47), 2 ** 47, 2 ** 51];
  for (let i = 0; i < 5000; i++) {
    const headers: [string, Buffer | null][] = [];
    for (let h = rand(7); h > 0; h--)
      headers.push([['a', 'b', 'mp-host', 'é'][rand(4)] as string, rand(5) ? bytes(rand(40)) : null]);
    const record: TestRecord = {
      timestampDelta: rand(3) ? rand(100_000) : (deltas[rand(deltas.length)] as number),
      offsetDelta: rand(100_000),
      key: rand(3) ? bytes(rand(20)) : null,
      value: rand(9) ? bytes(rand(300)) : null,
      headers,
    };
    assertSame(record, { ...ctx, firstOffset: String(rand(2) ? rand(1_000_000) : 2 ** 53 - rand(200_000)) });
  }
});

test('record decoder: kafkajs, once loaded, decodes batches with ours', async () => {
  await loadKafkajs();
  const require = createRequire(import.meta.url);
  const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (
    d: InstanceType<typeof Decoder>,
  ) => Promise<{ records: { offset: string; value: Buffer; headers: Record<string, Buffer> }[] }>;
  const writer = new RecordsWriter(1_764_300_000_000);
  writer.add({ key: null, value: 'first', headers: { 'mp-offset': '0' } });
  writer.add({ key: null, value: 'second', headers: { 'mp-offset': '6' } });
  const batch = writer.batch({
    compression: Compression.none,
    recordCount: writer.records,
    baseTimestamp: 1_764_300_000_000,
    maxTimestamp: writer.maxTimestampMs,
    producerId: -1n,
    producerEpoch: -1,
    baseSequence: -1,
  });
  const decoded = await decodeBatch(new Decoder(batch));
  assert.deepEqual(
    decoded.records.map((r) => [r.offset, r.value.toString(), r.headers['mp-offset']?.toString()]),
    [
      ['0', 'first', '0'],
      ['1', 'second', '6'],
    ],
  );
  assert.notEqual(installed, original);
  assert.equal(require(require.resolve('kafkajs/src/protocol/recordBatch/record/v0/decoder.js')), installed);
});
