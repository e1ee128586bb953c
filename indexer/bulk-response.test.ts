import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bulkItems } from './bulk-response.js';

const created = '{"create":{"status":201}}';
const conflict =
  '{"create":{"status":409,"error":{"type":"version_conflict_engine_exception","reason":"[a]: version conflict"}}}';
const answer = (...items: string[]) => `{"items":[${items.join(',')}]}`;

test('bulkItems: every action 2xx is acknowledged without per-item outcomes', () => {
  const cases: [string, string, number][] = [
    ['creates', answer(created, created, created), 3],
    ['index and update', answer('{"index":{"status":200}}', '{"update":{"status":201}}'), 2],
    ['one action', answer(created), 1],
  ];
  for (const [name, text, count] of cases) assert.equal(bulkItems(text, count), 'acknowledged', name);
});

test('bulkItems: anything else gives each action its outcome, in order', () => {
  assert.deepEqual(bulkItems(answer(created, conflict), 2), [
    { status: 201 },
    { status: 409, error: { type: 'version_conflict_engine_exception', reason: '[a]: version conflict' } },
  ]);
  // A failure status without an error object (not seen from Elasticsearch) is still reported.
  assert.deepEqual(bulkItems(answer(created, '{"create":{"status":429}}'), 2), [
    { status: 201 },
    { status: 429 },
  ]);
  // Spaced JSON is not recognised by the text check and is parsed.
  assert.deepEqual(bulkItems('{"items":[{"create":{"status": 201}}]}', 1), [{ status: 201 }]);
});

test('bulkItems: an answer with another number of items than actions is an error', () => {
  assert.throws(() => bulkItems(answer(created, created), 3), /answered 2 items for 3 actions/);
  assert.throws(() => bulkItems(answer(created, conflict), 3), /answered 2 items for 3 actions/);
  assert.throws(() => bulkItems('{}', 1), /answered 0 items for 1 actions/);
});
