import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deferred } from '../../test/deferred.js';
import { SendChain } from './send-chain.js';

test('SendChain runs calls one after the other, in the order handed over', async () => {
  const chain = new SendChain();
  const order: string[] = [];
  const first = deferred();
  const a = chain.run(async () => {
    order.push('a start');
    await first.promise;
    order.push('a end');
  });
  const b = chain.run(async () => {
    order.push('b');
  });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, ['a start']);
  first.resolve();
  await Promise.all([a, b]);
  assert.deepEqual(order, ['a start', 'a end', 'b']);
});

test('SendChain fails the calls queued behind a failure without running them, then starts afresh', async () => {
  const chain = new SendChain();
  const ran: string[] = [];
  const a = chain.run(async () => {
    ran.push('a');
    throw new Error('broker gone');
  });
  const b = chain.run(async () => {
    ran.push('b');
  });
  await assert.rejects(a, /broker gone/);
  await assert.rejects(b, /broker gone/);
  assert.deepEqual(ran, ['a']);
  await chain.settled();
  await chain.run(async () => {
    ran.push('c');
  });
  assert.deepEqual(ran, ['a', 'c']);
});
