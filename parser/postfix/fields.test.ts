import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyValues, seconds, secondsAt } from './fields.js';

test('keyValues reads the wanted keys of a key=value list', async (t) => {
  const names = ['to', 'relay', 'status', 'size'];
  const cases: Array<[string, string, Array<string | undefined>, number]> = [
    [
      'delivery line: unwanted keys skipped, status runs to the end',
      'to=<a@x>, orig_to=<b@x>, relay=mx[192.0.2.1]:25, delay=1, status=sent (250 ok, queued)',
      ['<a@x>', 'mx[192.0.2.1]:25', 'sent (250 ok, queued)', undefined],
      86,
    ],
    [
      'an address may hold ", " inside its brackets',
      'to=<"x, y"@example.org>, size=12',
      ['<"x, y"@example.org>', undefined, undefined, '12'],
      32,
    ],
    [
      'a repeated key keeps the last value',
      'to=<a@x>, to=<b@x>',
      ['<b@x>', undefined, undefined, undefined],
      18,
    ],
    [
      'a key with a space ends the list',
      'size=3, not a key=1, to=<a@x>',
      [undefined, undefined, undefined, '3'],
      8,
    ],
    ['an empty key ends the list', 'size=3, =x, to=<a@x>', [undefined, undefined, undefined, '3'], 8],
    [
      'no closing bracket: the value runs to the end',
      'to=<a@x',
      ['<a@x', undefined, undefined, undefined],
      7,
    ],
    [
      'a key longer than 32 characters ends the list',
      `${'k'.repeat(33)}=1, to=<a>`,
      [undefined, undefined, undefined, undefined],
      0,
    ],
    [
      'a prefix of a wanted key is not that key',
      'siz=1, sizes=2',
      [undefined, undefined, undefined, undefined],
      14,
    ],
  ];
  const out: Array<string | undefined> = ['stale', 'stale', 'stale', 'stale'];
  for (const [name, s, values, end] of cases) {
    await t.test(name, () => {
      assert.equal(keyValues(s, 0, names, out), end);
      assert.deepEqual(out, values);
    });
  }
  await t.test('from an offset', () => {
    assert.equal(keyValues('client=h[192.0.2.1], size=9', 21, names, out), 27);
    assert.deepEqual(out, [undefined, undefined, undefined, '9']);
  });
});

test('seconds reads a decimal exactly as Number() does, NaN for anything that is not one', async (t) => {
  const same = [
    '0',
    '12',
    '0.24',
    '0.01',
    '1235',
    '5.2',
    '999999999999999',
    '0.000000000000001',
    '123456.789012345',
  ];
  for (const v of same) await t.test(v, () => assert.equal(seconds(v), Number(v)));
  const viaNumber: Array<[string, number]> = [
    ['1e-05', 0.00001],
    [' 1', 1],
    ['1.', 1],
    ['.5', 0.5],
    ['12345678901234567', 12345678901234568],
  ];
  for (const [v, n] of viaNumber)
    await t.test(`${JSON.stringify(v)} (other forms)`, () => assert.equal(seconds(v), n));
  for (const v of ['', '-1', '1.2.3', 'abc', '1/2', 'Infinity', '1'.repeat(21), undefined]) {
    await t.test(`${JSON.stringify(v)} is NaN`, () => assert.ok(Number.isNaN(seconds(v))));
  }
  await t.test('100,000 random decimals of up to 15 digits', () => {
    let seed = 11;
    const next = (m: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % m;
    };
    for (let i = 0; i < 100_000; i++) {
      const whole = String(next(10 ** (1 + next(8))));
      const frac = String(next(10 ** (1 + next(6)))).padStart(1 + next(7), '0');
      const v = next(4) === 0 ? whole : `${whole}.${frac}`;
      assert.equal(seconds(v), Number(v), v);
      assert.equal(secondsAt(`x${v}/`, 1, v.length + 1), Number(v), v);
    }
  });
});
