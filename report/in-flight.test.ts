import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InFlight } from './in-flight.js';

/** Whether the promise settled after the pending callbacks ran. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('InFlight', () => {
  it('lets max batches out, then waits for an answer', async () => {
    const w = new InFlight(2);
    await w.reserve();
    await w.reserve();
    const third = w.reserve();
    assert.equal(await settled(third), false);
    w.answered();
    assert.equal(await settled(third), true);
    const fourth = w.reserve();
    assert.equal(await settled(fourth), false);
    w.answered();
    await fourth;
  });

  it('a failure reaches the one waiting and every later reserve, room or not', async () => {
    const w = new InFlight(1);
    await w.reserve();
    const waiting = w.reserve();
    const boom = new Error('worker died');
    w.fail(boom);
    await assert.rejects(waiting, boom);
    w.answered();
    await assert.rejects(w.reserve(), boom);
  });
});
