import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffMs, retryAfterMs } from './http.js';

describe('Retry-After', () => {
  const now = Date.UTC(2026, 10, 27, 10, 0, 0);
  const cases: Array<[string | null, number | undefined]> = [
    ['2', 2000],
    [' 120 ', 120_000],
    ['0', 0],
    ['Fri, 27 Nov 2026 10:00:30 GMT', 30_000],
    ['Fri, 27 Nov 2026 09:59:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [null, undefined],
  ];
  for (const [header, expected] of cases)
    it(`${JSON.stringify(header)} → ${expected}`, () => assert.equal(retryAfterMs(header, now), expected));
});

describe('backoff with full jitter', () => {
  const policy = { maxAttempts: 6, baseMs: 500, capMs: 4000, timeoutMs: 1000, maxRetryAfterMs: 1000 };
  it('the ceiling doubles per attempt up to the cap', () => {
    const top = () => 0.999999;
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((a) => backoffMs(a, policy, top)),
      [499, 999, 1999, 3999, 3999],
    );
  });
  it('jitter spreads from 0', () => {
    assert.equal(
      backoffMs(3, policy, () => 0),
      0,
    );
    assert.equal(
      backoffMs(3, policy, () => 0.5),
      1000,
    );
  });
});
