import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCursor, encodeCursor, groupTrace, messageSearchQuery } from './messages.js';

test('cursors round-trip; anything else is refused', () => {
  const c = encodeCursor([1773447002673, 'mx1/postfix/ABC/1773447002673']);
  assert.deepEqual(decodeCursor(c), [1773447002673, 'mx1/postfix/ABC/1773447002673']);
  for (const bad of [
    '',
    'x',
    Buffer.from('[1]').toString('base64url'),
    Buffer.from('["a","b"]').toString('base64url'),
    Buffer.from('[1.5,"k"]').toString('base64url'),
    Buffer.from('{"a":1}').toString('base64url'),
  ]) {
    assert.equal(decodeCursor(bad), undefined, bad);
  }
});

test('search: message-id with or without brackets, newest first, search_after from the cursor', () => {
  const q = messageSearchQuery(
    'mp',
    { range: { from: 0, to: 1000 }, message_id: '<a@b>', limit: 10, after: [5, 'k'] },
    { host: 'mx1' },
  );
  assert.equal(q.index, 'mp-messages');
  assert.deepEqual(q.search_after, [5, 'k']);
  assert.deepEqual(q.sort, [{ '@timestamp': { order: 'desc' } }, { key: { order: 'asc' } }]);
  const filters = (q.query as { bool: { filter: unknown[] } }).bool.filter;
  assert.deepEqual(filters.at(-1), { terms: { 'email.message_id': ['a@b', '<a@b>'] } });
  assert.deepEqual(filters[1], { term: { 'host.name': { value: 'mx1' } } });
});

test('trace lines go to the hop with the same host and queue ID inside its lifetime', () => {
  const hop = (qid: string, first: string, last: string) =>
    ({
      '@timestamp': first,
      updated: last,
      key: qid,
      host: { name: 'mx1' },
      email: { local_id: qid },
    }) as never;
  const ev = (qid: string, t: string) =>
    ({ '@timestamp': t, host: { name: 'mx1' }, email: { local_id: qid } }) as never;
  const hops = [
    hop('A', '2026-01-01T00:00:00Z', '2026-01-01T00:00:05Z'),
    hop('B', '2026-01-01T00:00:04Z', '2026-01-01T00:00:09Z'),
  ];
  const out = groupTrace(hops, [
    ev('A', '2026-01-01T00:00:01Z'),
    ev('B', '2026-01-01T00:00:04Z'),
    ev('A', '2026-01-01T00:00:05Z'),
    ev('A', '2026-01-02T00:00:00Z'),
  ]);
  assert.deepEqual(
    out.map((h) => h.events.length),
    [2, 1],
  );
});
