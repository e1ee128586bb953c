import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readReasons } from './reasons.js';

test('categories with their reasons, flattened to the top rows overall', () => {
  const aggs = {
    categories: {
      buckets: [
        {
          key: 'rbl',
          doc_count: 7,
          reasons: {
            buckets: [
              { key: 'blocked using zen', doc_count: 4 },
              { key: 'blocked using b.barracuda', doc_count: 3 },
            ],
          },
        },
        { key: 'unknown_user', doc_count: 4, reasons: { buckets: [{ key: 'User unknown', doc_count: 4 }] } },
        { key: 'helo', doc_count: 1, reasons: { buckets: [{ key: '', doc_count: 1 }] } },
      ],
    },
  };
  const r = readReasons(aggs, 3);
  assert.deepEqual(r.reasons, [
    { category: 'rbl', reason: 'blocked using zen', count: 4 },
    { category: 'unknown_user', reason: 'User unknown', count: 4 },
    { category: 'rbl', reason: 'blocked using b.barracuda', count: 3 },
  ]);
  assert.deepEqual(r.categories[0], {
    category: 'rbl',
    count: 7,
    reasons: [
      { reason: 'blocked using zen', count: 4 },
      { reason: 'blocked using b.barracuda', count: 3 },
    ],
  });
  assert.deepEqual(readReasons(undefined, 5), { categories: [], reasons: [] });
});
