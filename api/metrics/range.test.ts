import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  autoInterval,
  bucketCount,
  bucketStarts,
  parseInterval,
  parseTimeExpression,
  requestNow,
} from './range.js';

const NOW = Date.UTC(2026, 10, 27, 12, 34, 56, 789);

test('time expressions', () => {
  const cases: [string, number | undefined][] = [
    ['now', NOW],
    ['now-24h', NOW - 86_400_000],
    ['now-15m', NOW - 900_000],
    ['now+1d', NOW + 86_400_000],
    ['now-2w', NOW - 14 * 86_400_000],
    ['now-30s', NOW - 30_000],
    ['2026-03-14', Date.UTC(2026, 2, 14)],
    ['2026-03-14T10:00:00Z', Date.UTC(2026, 2, 14, 10)],
    ['2026-03-14T10:00Z', Date.UTC(2026, 2, 14, 10)],
    ['2026-03-14T10:00:00.5+01:00', Date.UTC(2026, 2, 14, 9, 0, 0, 500)],
    ['2026-03-14T10:00:00+0130', Date.UTC(2026, 2, 14, 8, 30)],
    ['2026-02-31', undefined],
    ['2026-03-14T10:00:00', undefined],
    ['2026-03-14 10:00:00Z', undefined],
    ['yesterday', undefined],
    ['now-', undefined],
    ['now-1y', undefined],
    ['now-5', undefined],
    ['now - 1h', undefined],
    ['1700000000000', undefined],
    ['', undefined],
    ['now-999999w', undefined],
    ['10000-01-01', undefined],
  ];
  for (const [text, want] of cases) assert.equal(parseTimeExpression(text, NOW), want, text);
});

test('the now of a request is the clock rounded up to the whole minute', () => {
  const minute = Date.UTC(2026, 10, 27, 12, 34);
  assert.equal(requestNow(NOW), Date.UTC(2026, 10, 27, 12, 35));
  assert.equal(requestNow(minute), minute);
  assert.equal(requestNow(minute + 1), minute + 60_000);
  assert.equal(requestNow(minute - 1), minute);
});

test('intervals are 1m to 1d', () => {
  const cases: [string, number | undefined][] = [
    ['1m', 60_000],
    ['5m', 300_000],
    ['90m', 5_400_000],
    ['1h', 3_600_000],
    ['24h', 86_400_000],
    ['1d', 86_400_000],
    ['1440m', 86_400_000],
    ['0m', undefined],
    ['30s', undefined],
    ['2d', undefined],
    ['25h', undefined],
    ['1w', undefined],
    ['5', undefined],
    ['-5m', undefined],
    ['5M', undefined],
  ];
  for (const [text, want] of cases) assert.equal(parseInterval(text), want, text);
});

test('buckets align to the epoch and cover the range', () => {
  const range = { from: Date.UTC(2026, 0, 1, 10, 7), to: Date.UTC(2026, 0, 1, 10, 21) };
  const starts = bucketStarts(range, 300_000);
  assert.deepEqual(
    starts.map((t) => new Date(t).toISOString().slice(11, 16)),
    ['10:05', '10:10', '10:15', '10:20'],
  );
  assert.equal(bucketCount(range, 300_000), 4);
  assert.equal(bucketCount({ from: 0, to: 86_400_000 }, 60_000), 1440);
});

test('automatic interval: the finest with at most 300 buckets', () => {
  const hours = (h: number) => ({ from: 0, to: h * 3_600_000 });
  assert.equal(autoInterval(hours(1)), '1m');
  assert.equal(autoInterval(hours(24)), '5m');
  assert.equal(autoInterval(hours(24 * 7)), '1h');
  assert.equal(autoInterval(hours(24 * 30)), '3h');
  assert.equal(autoInterval(hours(24 * 365)), '1d');
});
