import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentChange, mayClose, mayFlushPartial, pathChange } from './rotation.js';

test('pathChange: what a new stat of a followed path means', () => {
  const f = { dev: 1, ino: 10 };
  assert.equal(pathChange(undefined, { kind: 'missing' }), 'unchanged');
  assert.equal(pathChange(undefined, { kind: 'file', dev: 1, ino: 10 }), 'created');
  assert.equal(pathChange(f, { kind: 'file', dev: 1, ino: 10 }), 'unchanged');
  assert.equal(pathChange(f, { kind: 'file', dev: 1, ino: 11 }), 'rotated');
  assert.equal(pathChange(f, { kind: 'file', dev: 2, ino: 10 }), 'rotated');
  assert.equal(pathChange(f, { kind: 'missing' }), 'removed');
});

test('contentChange: growth and the two faces of truncation', () => {
  const cases = [
    { c: { readPos: 100, size: 100 }, want: 'none' },
    { c: { readPos: 100, size: 150 }, want: 'grown' },
    { c: { readPos: 100, size: 40 }, want: 'truncated' },
    { c: { readPos: 100, size: 0 }, want: 'truncated' },
    // Emptied and refilled past the read position between two looks: only the first bytes tell.
    { c: { readPos: 100, size: 300, fpThen: 'aaaa', fpNow: 'bbbb' }, want: 'truncated' },
    { c: { readPos: 100, size: 300, fpThen: 'aaaa', fpNow: 'aaaa' }, want: 'grown' },
    { c: { readPos: 0, size: 0 }, want: 'none' },
  ] as const;
  for (const { c, want } of cases) assert.equal(contentChange(c), want, JSON.stringify(c));
});

test('mayClose: a rotated file closes only when read to its end and quiet', () => {
  assert.equal(mayClose({ atEnd: true, quietMs: 5000, idleMs: 5000 }), true);
  assert.equal(mayClose({ atEnd: true, quietMs: 4999, idleMs: 5000 }), false);
  assert.equal(mayClose({ atEnd: false, quietMs: 60_000, idleMs: 5000 }), false);
  assert.equal(mayClose({ atEnd: true, quietMs: 0, idleMs: 0 }), true);
});

test('mayFlushPartial: only a held rest, only after the quiet time', () => {
  assert.equal(mayFlushPartial({ pendingBytes: 0, quietMs: 10_000, flushMs: 5000 }), false);
  assert.equal(mayFlushPartial({ pendingBytes: 3, quietMs: 4000, flushMs: 5000 }), false);
  assert.equal(mayFlushPartial({ pendingBytes: 3, quietMs: 5000, flushMs: 5000 }), true);
});
