import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoString } from './iso-time.js';

test('isoString agrees with Date#toISOString', async (t) => {
  const cases: Array<[string, number]> = [
    ['epoch', 0],
    ['last ms of a day', Date.UTC(2026, 2, 14, 23, 59, 59, 999)],
    ['first ms of the next day', Date.UTC(2026, 2, 15)],
    ['leap day', Date.UTC(2024, 1, 29, 12, 0, 0, 5)],
    ['before 1970', Date.UTC(1969, 11, 31, 23, 59, 59, 10)],
    ['year 1', Date.parse('0001-01-01T00:00:00.000Z')],
    ['year 9999', Date.parse('9999-12-31T23:59:59.999Z')],
    ['fractional ms', 1_700_000_000_123.6],
    ['year 10000 (six-digit form)', Date.parse('+010000-01-01T00:00:00.000Z')],
  ];
  for (const [name, ms] of cases) {
    await t.test(name, () => assert.equal(isoString(ms), new Date(ms).toISOString()));
  }
  await t.test('200,000 random instants, 1970-2100, in and out of order', () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let ms = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 200_000; i++) {
      // Mostly small steps (a log), sometimes a jump anywhere (another file, a bad clock).
      ms = next() < 0.99 ? ms + Math.floor(next() * 5000) : Math.floor(next() * Date.UTC(2100, 0, 1));
      assert.equal(isoString(ms), new Date(ms).toISOString());
    }
  });
});
