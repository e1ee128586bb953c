import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBar, formatBytes, formatDuration, rates } from './progress.js';

test('rates: 30 MB total, 12 MB in 4 s → 40 %, 3 MB/s, 6 s left', () => {
  const MB = 1024 * 1024;
  const r = rates({ bytesDone: 12 * MB, bytesTotal: 30 * MB, lines: 80_000, startedAt: 1000, now: 5000 });
  assert.equal(r.percent, 40);
  assert.equal(r.bytesPerSecond, 3 * MB);
  assert.equal(r.linesPerSecond, 20_000);
  assert.equal(r.etaSeconds, 6);
});

test('rates: nothing done yet has no ETA; an empty input is 0 %', () => {
  assert.equal(rates({ bytesDone: 0, bytesTotal: 100, lines: 0, startedAt: 0, now: 1000 }).etaSeconds, undefined);
  assert.equal(rates({ bytesDone: 0, bytesTotal: 0, lines: 0, startedAt: 0, now: 1000 }).percent, 0);
});

const durations: [number | undefined, string][] = [
  [undefined, '--:--'],
  [0, '00:00'],
  [59.6, '01:00'],
  [3599, '59:59'],
  [3600, '1:00:00'],
  [7322, '2:02:02'],
];
for (const [seconds, text] of durations) {
  test(`formatDuration(${seconds}) = ${text}`, () => assert.equal(formatDuration(seconds), text));
}

test('formatBytes picks the unit', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GB');
});

test('the bar is filled in proportion', () => {
  const bar = formatBar({ bytesDone: 50, bytesTotal: 100, lines: 10, startedAt: 0, now: 1000 }, 10);
  assert.ok(bar.startsWith('[#####-----]  50.0%'), bar);
  assert.match(bar, /10 lines\/s/);
  assert.match(bar, /ETA 00:01$/);
});
