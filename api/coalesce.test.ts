import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coalescer } from './coalesce.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

test('equal keys in flight share one computation; other keys and later calls compute anew', async () => {
  const coalesce = coalescer<number>();
  const first = deferred<number>();
  let calls = 0;
  const compute = (p: Promise<number>) => () => {
    calls += 1;
    return p;
  };
  const a = coalesce('k', compute(first.promise));
  const b = coalesce('k', compute(Promise.resolve(99)));
  const c = coalesce('other', compute(Promise.resolve(7)));
  assert.equal(calls, 2);
  first.resolve(1);
  assert.deepEqual(await Promise.all([a, b, c]), [1, 1, 7]);
  assert.equal(await coalesce('k', compute(Promise.resolve(2))), 2);
  assert.equal(calls, 3);
});

test('a failure reaches every waiting caller and is not kept', async () => {
  const coalesce = coalescer<number>();
  const failing = deferred<number>();
  const a = coalesce('k', () => failing.promise);
  const b = coalesce('k', () => Promise.resolve(5));
  failing.reject(new Error('es down'));
  await assert.rejects(a, /es down/);
  await assert.rejects(b, /es down/);
  assert.equal(await coalesce('k', () => Promise.resolve(6)), 6);
});
