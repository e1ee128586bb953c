import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shapeQueue } from './queue.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 14, 10, 0);
const bucket = (i: number, n: number, deferred = 0) => ({
  key: T0 + i * MIN,
  doc_count: n,
  deferred: { doc_count: deferred },
});

test('backlog per bucket end: base + entered − left, deferred apart', () => {
  // 4 in the queue before 10:00 (1 deferred); 10:00 +3 (1 deferred) −2; 10:01 +0 −4 (1 deferred); 10:02 +1.
  const aggs = {
    base: { doc_count: 4, deferred: { doc_count: 1 } },
    entered: { over_time: { buckets: [bucket(0, 3, 1), bucket(1, 0), bucket(2, 1)] } },
    left: { over_time: { buckets: [bucket(0, 2), bucket(1, 4, 1), bucket(2, 0)] } },
  };
  const q = shapeQueue(aggs, { from: T0, to: T0 + 3 * MIN }, '1m', MIN);
  assert.deepEqual(
    q.buckets.map((b) => [b.time.slice(11, 16), b.backlog, b.active, b.deferred]),
    [
      ['10:00', 5, 3, 2],
      ['10:01', 1, 0, 1],
      ['10:02', 2, 1, 1],
    ],
  );
  assert.deepEqual(q.at_end, { backlog: 2, active: 1, deferred: 1 });
  assert.equal(q.source, 'lifecycle');
});

test('no data: zeros for every bucket; skewed clocks never give negative figures', () => {
  const empty = shapeQueue(undefined, { from: T0, to: T0 + 2 * MIN }, '1m', MIN);
  assert.deepEqual(
    empty.buckets.map((b) => b.backlog),
    [0, 0],
  );
  const skew = shapeQueue(
    { left: { over_time: { buckets: [bucket(0, 1)] } } },
    { from: T0, to: T0 + MIN },
    '1m',
    MIN,
  );
  assert.deepEqual(skew.at_end, { backlog: 0, active: 0, deferred: 0 });
});
