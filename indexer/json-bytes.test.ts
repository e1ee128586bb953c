import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createParseContext, parseLine } from '../parser/index.js';
import { generateLog } from '../fixtures/generator.js';
import { JsonBytes } from './json-bytes.js';

function bytesOf(value: unknown, extra?: object, capacity = 1): Buffer {
  const out = new JsonBytes(capacity);
  if (extra === undefined) out.value(value);
  else out.object(value as object, extra);
  return Buffer.from(out.buf.subarray(0, out.used));
}

// Expected texts written out from ECMA-262's JSON.stringify (SerializeJSONProperty, QuoteJSONString)
// and RFC 8259, then encoded as UTF-8.
const table: [string, unknown, string][] = [
  [
    'members in order, numbers and literals',
    { a: 1, b: 'x', c: true, d: false, e: null },
    '{"a":1,"b":"x","c":true,"d":false,"e":null}',
  ],
  ['undefined and function members left out', { a: undefined, b: () => 1, c: 2 }, '{"c":2}'],
  ['nested and empty', { a: {}, b: [], c: [{}, []] }, '{"a":{},"b":[],"c":[{},[]]}'],
  ['in arrays, undefined and functions are null', [undefined, () => 1, 1], '[null,null,1]'],
  [
    'numbers as Number::toString',
    [0.1, -0, 1e21, 1.5e-7, -12, 2 ** 53],
    '[0.1,0,1e+21,1.5e-7,-12,9007199254740992]',
  ],
  ['non-finite numbers are null', [Number.NaN, Number.POSITIVE_INFINITY, -Infinity], '[null,null,null]'],
  ['the two-character escapes', '"\\\b\f\n\r\t', '"\\"\\\\\\b\\f\\n\\r\\t"'],
  [
    'other controls as \\u00XX, lowercase; DEL as it is',
    '\u0000\u0001\u001f\u007f',
    '"\\u0000\\u0001\\u001f\u007f"',
  ],
  ['a lone surrogate escaped, lowercase', 'a\ud800b\udfffc', '"a\\ud800b\\udfffc"'],
  ['a surrogate pair as one 4-byte character', '📬', '"📬"'],
  ['two- and three-byte characters', 'Grüße мир 漢字 €', '"Grüße мир 漢字 €"'],
  [
    'a long plain string (copied natively)',
    'x'.repeat(25) + '0123456789'.repeat(20),
    `"${'x'.repeat(25)}${'0123456789'.repeat(20)}"`,
  ],
  ['a long string with an escape near its end', `${'y'.repeat(40)}"`, `"${'y'.repeat(40)}\\""`],
  ['a long string beyond ASCII', `${'z'.repeat(30)}é`, `"${'z'.repeat(30)}é"`],
  ['keys that need escaping', { 'a"b': 1, ключ: 2, '\n': 3 }, '{"a\\"b":1,"ключ":2,"\\n":3}'],
  [
    'integer-like keys first, as own keys are ordered',
    { b: 1, 2: 2, a: 3, 1: 4 },
    '{"1":4,"2":2,"b":1,"a":3}',
  ],
  [
    'a Date through its toJSON',
    { t: new Date(Date.UTC(2026, 2, 14, 1, 2, 3, 4)) },
    '{"t":"2026-03-14T01:02:03.004Z"}',
  ],
  ['an object without prototype', Object.assign(Object.create(null), { a: 1 }), '{"a":1}'],
];

for (const [name, value, expected] of table) {
  test(`JSON bytes: ${name}`, () => {
    assert.deepEqual(bytesOf(value).toString('utf8'), expected);
    assert.deepEqual(bytesOf(value), Buffer.from(expected, 'utf8'));
  });
}

test('members appended to an object as if they were its last own ones', () => {
  assert.equal(bytesOf({ a: 1 }, { indexer: { offset: 7 } }).toString(), '{"a":1,"indexer":{"offset":7}}');
  assert.equal(bytesOf({}, { x: 'y' }).toString(), '{"x":"y"}');
  assert.equal(bytesOf({ a: undefined }, { b: undefined, c: 1 }).toString(), '{"c":1}');
  class Point {
    x = 1;
  }
  assert.equal(bytesOf(new Point(), { y: 2 }).toString(), '{"x":1,"y":2}');
});

test('raw text and single bytes go in as they are', () => {
  const out = new JsonBytes(1);
  out.raw('{"index":{}}');
  out.byte(10);
  out.raw('€');
  assert.deepEqual(Buffer.from(out.buf.subarray(0, out.used)), Buffer.from('{"index":{}}\n€'));
});

test('a value that is not JSON data is what JSON.stringify makes of it, or throws as it does', () => {
  assert.equal(bytesOf(undefined).toString(), 'null');
  assert.throws(() => bytesOf({ n: 1n }), TypeError);
});

/** Strings of any UTF-16 code units, lone surrogates included. */
const anyText = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  maxLength: 60,
});
const jsonLike = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    anyText,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(tie('value'), { maxLength: 6 }),
    fc.dictionary(anyText, tie('value'), { maxKeys: 6 }),
  ),
}));

test('any JSON-like value: the same bytes as Buffer.from(JSON.stringify(value))', () => {
  fc.assert(
    fc.property(jsonLike.value, (v) => {
      const expected = JSON.stringify(v);
      assert.deepEqual(bytesOf(v), Buffer.from(expected ?? 'null', 'utf8'));
    }),
    { numRuns: 3000 },
  );
});

test("the parser's events: the same bytes as JSON.stringify, whatever the buffer's first size", () => {
  const ctx = createParseContext({ timeZone: 'UTC' });
  let text = '';
  generateLog({ lines: 3000, seed: 11 }, (chunk) => {
    text += chunk;
  });
  const events = text.split('\n').map((line) => parseLine(line, ctx));
  const kinds = new Set(events.map((e) => e.event.action));
  assert.ok(kinds.size >= 10, `${kinds.size} kinds of event`);
  for (const capacity of [1, 4096]) {
    const out = new JsonBytes(capacity);
    const expected: Buffer[] = [];
    for (const e of events) {
      out.value(e);
      out.byte(10);
      expected.push(Buffer.from(`${JSON.stringify(e)}\n`));
    }
    assert.deepEqual(Buffer.from(out.buf.subarray(0, out.used)), Buffer.concat(expected));
  }
});
