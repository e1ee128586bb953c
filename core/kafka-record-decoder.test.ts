import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { kafkajsRecordDecoders } from './kafka.js';
import type { BatchContext } from './kafka-record-decoder.js';
import { writeVarint, writeVarlong } from './kafka-wire/record-batch.js';

const { Decoder, original, installed } = kafkajsRecordDecoders();

interface TestRecord {
  timestampDelta: number;
  /** Raw bytes in place of the encoded time delta (varlongs longer than a double holds). */
  timestampBytes?: number[];
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  /** Pairs, so that a name can repeat. */
  headers: [string, Buffer | null][];
  /** In place of the number of headers (a corrupt count). */
  headerCount?: number;
}

/** One record body (without its length prefix), as the v2 message format lays it out. */
function encode(r: TestRecord): Buffer {
  const buf = Buffer.alloc(4096);
  let p = 0;
  buf[p++] = 0;
  if (r.timestampBytes) for (const b of r.timestampBytes) buf[p++] = b;
  else p = writeVarlong(buf, p, r.timestampDelta);
  p = writeVarint(buf, p, r.offsetDelta);
  const bytes = (b: Buffer | null) => {
    p = writeVarint(buf, p, b === null ? -1 : b.length);
    if (b !== null) p += b.copy(buf, p);
  };
  bytes(r.key);
  bytes(r.value);
  p = writeVarint(buf, p, r.headerCount ?? r.headers.length);
  for (const [name, value] of r.headers) {
    bytes(Buffer.from(name));
    bytes(value);
  }
  return buf.subarray(0, p);
}

function outcome(run: () => unknown): { value: unknown } | { threw: true } {
  try {
    return { value: run() };
  } catch {
    return { threw: true };
  }
}

/**
 * kafkajs's record with its header values as text, which is what ours returns: UTF-8, a repeated
 * name's values joined with commas, null values left out. (Only Buffers count: kafkajs reads
 * `headers['__proto__']` before it sets it, so its value for that name starts with
 * `Object.prototype`.)
 */
function withTextHeaders(record: unknown): unknown {
  const r = record as { headers: Record<string, Buffer | null | (Buffer | null)[]> };
  const entries: [string, string][] = [];
  for (const [name, v] of Object.entries(r.headers)) {
    const texts = (Array.isArray(v) ? v : [v]).flatMap((b) =>
      Buffer.isBuffer(b) ? [b.toString('utf8')] : [],
    );
    if (texts.length > 0) entries.push([name, texts.join(',')]);
  }
  return { ...r, headers: Object.fromEntries(entries) };
}

/** Both decoders on the same bytes: equal records and both stop at the same byte, or both throw. */
function assertSame(r: TestRecord, ctx: BatchContext): void {
  assertSameBytes(encode(r), ctx);
}

function assertSameBytes(bytes: Buffer, ctx: BatchContext): void {
  const a = new Decoder(bytes);
  const b = new Decoder(bytes);
  const expected = outcome(() => withTextHeaders(original(a, ctx)));
  const actual = outcome(() => installed(b, ctx));
  assert.deepStrictEqual(actual, expected);
  if ('value' in expected) assert.equal(b.offset, a.offset);
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
    'log-append time after an 8-byte time delta',
    { timestampDelta: 2 ** 48, offsetDelta: 3, key: null, value: line, headers: shipperHeaders },
    { ...ctx, timestampType: 1 },
  ],
  [
    'log-append time after a 10-byte time delta',
    {
      timestampDelta: 0,
      timestampBytes: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
      offsetDelta: 3,
      key: null,
      value: line,
      headers: [],
    },
    { ...ctx, timestampType: 1 },
  ],
  [
    'a 9-byte time delta, past 2^53',
    {
      timestampDelta: 0,
      timestampBytes: [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
      offsetDelta: 3,
      key: null,
      value: line,
      headers: [],
    },
    ctx,
  ],
  [
    'an 11-byte varlong (kafkajs throws)',
    {
      timestampDelta: 0,
      timestampBytes: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
      offsetDelta: 3,
      key: null,
      value: line,
      headers: [],
    },
    ctx,
  ],
  [
    'a header count of -2 (kafkajs throws)',
    { timestampDelta: 1, offsetDelta: 3, key: null, value: line, headers: [], headerCount: -2 },
    ctx,
  ],
  [
    'a header count of -1 (no headers)',
    { timestampDelta: 1, offsetDelta: 3, key: null, value: line, headers: [], headerCount: -1 },
    ctx,
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
  const deltas = [0, 1, -1, 1000, -(2 ** 31), 2 ** 40, -(2 ** 47), 2 ** 47, 2 ** 48, -(2 ** 48) - 1, 2 ** 51];
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
    assertSame(record, {
      ...ctx,
      firstOffset: String(rand(2) ? rand(1_000_000) : 2 ** 53 - rand(200_000)),
      timestampType: rand(4) === 0 ? 1 : 0,
    });
  }
});

test('record decoder: a header value kept from the last record is used only when its bytes are equal', () => {
  const decode = (host: string, offset: string) => {
    const record: TestRecord = {
      timestampDelta: 1,
      offsetDelta: 1,
      key: null,
      value: line,
      headers: [
        ['mp-host', Buffer.from(host)],
        ['mp-offset', Buffer.from(offset)],
      ],
    };
    return (installed(new Decoder(encode(record)), ctx) as { headers: Record<string, string> }).headers;
  };
  const sequence: [string, string][] = [
    ['mx1', '100'],
    ['mx1', '101'],
    ['mx2', '101'],
    ['ax2', '201'],
    ['mx2', '2010'],
    ['mx2', '201'],
    ['é', '201'],
    ['\xc3', '201'],
  ];
  for (const [host, offset] of sequence) {
    assert.deepStrictEqual(decode(host, offset), { 'mp-host': host, 'mp-offset': offset });
  }
});

test('record decoder: loading kafkajs installs ours before its batch decoder binds one', () => {
  // A fresh process: this file has installed ours already, so only a new one can show that
  // loading kafkajs does (the install throws if kafkajs's batch decoder was loaded first).
  const kafka = new URL('./kafka.js', import.meta.url).href;
  const script = `
    import { createRequire } from 'node:module';
    const { loadKafkajs } = await import(${JSON.stringify(kafka)});
    await loadKafkajs();
    const require = createRequire(${JSON.stringify(kafka)});
    const decoder = require('kafkajs/src/protocol/recordBatch/record/v0/decoder.js');
    process.stdout.write(typeof decoder.original);`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(out, 'function');
});

test('record decoder: a record cut short anywhere, or with a key length below -1, as kafkajs decodes it', () => {
  const plain: TestRecord = {
    timestampDelta: 0,
    offsetDelta: 0,
    key: null,
    value: line,
    headers: shipperHeaders,
  };
  const whole = encode(plain);
  for (let n = 0; n <= whole.length; n++) assertSameBytes(whole.subarray(0, n), ctx);
  // Attributes, time delta 0 and offset delta 0 take a byte each; then the key's length, -1
  // (zigzag 1), made -2 (zigzag 3).
  assert.equal(whole[3], 1);
  const badKey = Buffer.from(whole);
  badKey[3] = 3;
  assertSameBytes(badKey, ctx);
});
