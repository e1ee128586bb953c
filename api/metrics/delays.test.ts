import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nearestRank, readDelays } from './delays.js';

test('nearest rank over a value → count histogram', () => {
  // 10 values: 1,1,1,2,2,3,4,5,9,20 → ranks ⌈p·10/100⌉
  const h: [number, number][] = [
    [1, 3],
    [2, 2],
    [3, 1],
    [4, 1],
    [5, 1],
    [9, 1],
    [20, 1],
  ];
  assert.equal(nearestRank(h, 50), 2);
  assert.equal(nearestRank(h, 30), 1);
  assert.equal(nearestRank(h, 31), 2);
  assert.equal(nearestRank(h, 90), 9);
  assert.equal(nearestRank(h, 95), 20);
  assert.equal(nearestRank(h, 100), 20);
  assert.equal(nearestRank([], 50), 0);
  assert.equal(nearestRank([[0.43, 1]], 99), 0.43);
});

test('exact from the terms histogram; t-digest when values were left out', () => {
  const exact = readDelays({
    values: {
      sum_other_doc_count: 0,
      buckets: [
        { key: 2, doc_count: 1 },
        { key: 0.5, doc_count: 3 },
      ],
    },
    digest: { values: { '50.0': 99, '95.0': 99, '99.0': 99 } },
    max: { value: 2 },
  });
  assert.deepEqual(exact, { p50: 0.5, p95: 2, p99: 2, max: 2, exact: true });
  const estimated = readDelays({
    values: { sum_other_doc_count: 5, buckets: [{ key: 1, doc_count: 1 }] },
    digest: { values: { '50.0': 1.5, '95.0': 7, '99.0': 9.5 } },
    max: { value: 10 },
  });
  assert.deepEqual(estimated, { p50: 1.5, p95: 7, p99: 9.5, max: 10, exact: false });
  assert.deepEqual(readDelays(undefined), { p50: 0, p95: 0, p99: 0, max: 0, exact: true });
});
