import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BulkAction, BulkBody, bulkBodies } from './bulk-body.js';

const create: BulkAction = { op: 'create', index: 'ev-2026.03.14', id: 'a1', source: '{"n":1}' };
const versioned: BulkAction = { op: 'index', index: 'msg', id: 'm/1', version: 42, source: '{"n":2}' };
const upsert: BulkAction = { op: 'upsert', index: 'msg', id: 'm"2', source: '{"n":3}' };
const letter: BulkAction = { op: 'index', index: 'dl', source: '{"n":4}' };

// The NDJSON of each action, written out from the _bulk API reference.
const lines = {
  create: '{"create":{"_index":"ev-2026.03.14","_id":"a1"}}\n{"n":1}\n',
  versioned: '{"index":{"_index":"msg","_id":"m/1","version":42,"version_type":"external_gte"}}\n{"n":2}\n',
  upsert:
    '{"update":{"_index":"msg","_id":"m\\"2","retry_on_conflict":5}}\n{"doc":{"n":3},"doc_as_upsert":true}\n',
  letter: '{"index":{"_index":"dl"}}\n{"n":4}\n',
};

test('a body holds each action as the _bulk API reads it', () => {
  const body = BulkBody.of([create, versioned, upsert, letter]);
  assert.equal(body.payload().toString(), lines.create + lines.versioned + lines.upsert + lines.letter);
  assert.equal(body.count, 4);
  assert.equal(body.bytes, body.payload().length);
  assert.deepEqual(
    body.entries.map((e) => body.sourceOf(e)),
    ['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}'],
  );
});

test('text beyond ASCII is UTF-8, and comes back whole', () => {
  const source = JSON.stringify({ s: 'Grüße 📬 from мир' });
  const body = BulkBody.of([{ ...create, source }]);
  assert.deepEqual(
    body.payload(),
    Buffer.from(`{"create":{"_index":"ev-2026.03.14","_id":"a1"}}\n${source}\n`, 'utf8'),
  );
  assert.equal(body.sourceOf(body.entries[0] as (typeof body.entries)[0]), source);
});

test('a body grows past its first buffer without losing bytes', () => {
  const body = new BulkBody(16);
  const expected: string[] = [];
  for (let i = 0; i < 500; i++) {
    const source = JSON.stringify({ i, pad: 'é'.repeat(i % 37) });
    body.add({ op: 'create', index: 'ev', id: `id${i}` }, source);
    expected.push(`{"create":{"_index":"ev","_id":"id${i}"}}\n${source}\n`);
  }
  assert.equal(body.payload().toString(), expected.join(''));
  assert.equal(
    body.sourceOf(body.entries[499] as (typeof body.entries)[0]),
    JSON.stringify({ i: 499, pad: 'é'.repeat(499 % 37) }),
  );
});

test('growing with three-byte characters only (the worst case of UTF-8 per UTF-16 unit)', () => {
  const body = new BulkBody(1);
  const sources = ['€', '漢字', '€'.repeat(700), '漢'.repeat(3000)].map((s) => JSON.stringify({ s }));
  for (const [i, source] of sources.entries()) body.add({ op: 'create', index: 'ev', id: `x${i}` }, source);
  assert.deepEqual(
    body.payload(),
    Buffer.from(sources.map((s, i) => `{"create":{"_index":"ev","_id":"x${i}"}}\n${s}\n`).join('')),
  );
});

test('a subset is those actions alone, in the order asked', () => {
  const body = BulkBody.of([create, versioned, upsert, letter]);
  const [a, , c, d] = body.entries;
  const again = body.subset([d, a, c].map((e) => e as NonNullable<typeof e>));
  assert.equal(again.payload().toString(), lines.letter + lines.create + lines.upsert);
  assert.deepEqual(
    again.entries.map((e) => [e.meta.id, again.sourceOf(e)]),
    [
      [undefined, '{"n":4}'],
      ['a1', '{"n":1}'],
      ['m"2', '{"n":3}'],
    ],
  );
});

test('bodies respect both the document and the byte limit, in order', () => {
  const a = (n: number, size: number): BulkAction => ({
    op: 'create',
    index: 'i',
    id: String(n),
    source: 'x'.repeat(size),
  });
  const bodies = bulkBodies([a(1, 10), a(2, 10), a(3, 10), a(4, 500), a(5, 10)], 2, 400);
  assert.deepEqual(
    bodies.map((b) => b.entries.map((e) => e.meta.id)),
    [['1', '2'], ['3'], ['4'], ['5']],
  );
});

test('a document given as a value makes the same action as its JSON text', () => {
  const doc = { n: 1, s: 'Grüße "x" 📬', a: [1, null], skip: undefined };
  for (const action of [create, versioned, upsert, letter]) {
    const asValue = new BulkBody(1);
    asValue.addValue(action, doc);
    assert.deepEqual(asValue.payload(), BulkBody.of([{ ...action, source: JSON.stringify(doc) }]).payload());
    assert.equal(asValue.sourceOf(asValue.entries[0] as (typeof asValue.entries)[0]), JSON.stringify(doc));
  }
  const withExtra = new BulkBody();
  withExtra.addValue(versioned, { key: 'k' }, { indexer: { partition: 0, offset: 42 } });
  assert.equal(
    withExtra.payload().toString(),
    '{"index":{"_index":"msg","_id":"m/1","version":42,"version_type":"external_gte"}}\n{"key":"k","indexer":{"partition":0,"offset":42}}\n',
  );
});

test('a document written past the byte limit moves to a body of its own, unless it is alone', () => {
  const action = (id: string) => ({ op: 'create' as const, index: 'i', id });
  const line = (id: string, size: number) =>
    `{"create":{"_index":"i","_id":"${id}"}}\n{"s":"${'x'.repeat(size)}"}\n`;
  const body = new BulkBody();
  body.addValue(action('1'), { s: 'x'.repeat(100) });
  assert.equal(body.splitOver(400), undefined);
  body.addValue(action('2'), { s: 'x'.repeat(300) });
  assert.ok(body.bytes > 400);
  const next = body.splitOver(400);
  assert.ok(next !== undefined);
  assert.equal(body.payload().toString(), line('1', 100));
  assert.deepEqual(
    body.entries.map((e) => e.meta.id),
    ['1'],
  );
  assert.equal(next.payload().toString(), line('2', 300));
  assert.equal(next.splitOver(200), undefined, 'a single document larger than the limit stays');
  body.addValue(action('3'), { s: 'x'.repeat(5) });
  assert.equal(body.payload().toString(), line('1', 100) + line('3', 5));
  assert.equal(body.sourceOf(body.entries[1] as (typeof body.entries)[0]), `{"s":"${'x'.repeat(5)}"}`);
});
