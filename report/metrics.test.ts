import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deliveryRate, domainOf, Histogram, hourOf, percentileOf, TopCounter } from './metrics.js';

describe('deliveryRate', () => {
  const cases: Array<[number, number, number, number | null]> = [
    [0, 0, 0, null],
    [4, 1, 0, 0.8],
    [2, 0, 1, 0.666667],
    [0, 3, 0, 0],
    [10, 0, 0, 1],
  ];
  for (const [delivered, bounced, expired, want] of cases) {
    it(`${delivered} / (${delivered} + ${bounced} + ${expired}) = ${want}`, () => {
      assert.equal(deliveryRate(delivered, bounced, expired), want);
    });
  }
});

describe('hourOf / domainOf', () => {
  it('hour start in UTC', () => {
    assert.equal(hourOf(Date.parse('2026-03-14T09:59:59.999Z')), '2026-03-14T09:00:00Z');
    assert.equal(hourOf(Date.parse('2026-03-14T10:00:00.000Z')), '2026-03-14T10:00:00Z');
    assert.equal(hourOf(Date.parse('2026-03-14T10:30:00+01:00')), '2026-03-14T09:00:00Z');
    assert.equal(hourOf(Number.NaN), undefined);
  });
  const domains: Array<[string, string]> = [
    ['a@Example.ORG', 'example.org'],
    ['"odd@local"@x.example', 'x.example'],
    ['root', '(local)'],
    ['', '(none)'],
  ];
  for (const [address, want] of domains)
    it(`domainOf(${JSON.stringify(address)}) = ${want}`, () => assert.equal(domainOf(address), want));
});

describe('percentiles (nearest rank)', () => {
  const cases: Array<[number[], number, number]> = [
    [[0.4, 0.4, 0.9, 600], 50, 0.4],
    [[0.4, 0.4, 0.9, 600], 95, 600],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50, 5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95, 10],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 10, 1],
    [[3], 99, 3],
    [[], 50, 0],
  ];
  for (const [values, p, want] of cases) {
    it(`p${p} of [${values}] = ${want}, from a list and from the histogram`, () => {
      assert.equal(percentileOf(values, p), want);
      const h = new Histogram();
      for (const v of [...values].reverse()) h.add(v);
      assert.deepEqual(h.percentiles([p]), [want]);
    });
  }
  it('histogram merge equals adding everything to one', () => {
    const a = new Histogram();
    const b = new Histogram();
    for (const v of [1, 2, 2]) a.add(v);
    for (const v of [3, 2, 9]) b.add(v);
    a.merge(b.entries());
    assert.equal(a.count, 6);
    assert.deepEqual(a.percentiles([50, 100]), [2, 9]);
  });
  it('ignores negative and non-finite values', () => {
    const h = new Histogram();
    h.add(-1);
    h.add(Number.NaN);
    assert.equal(h.count, 0);
  });
});

describe('TopCounter', () => {
  it('exact under the cap, ordered by count then key', () => {
    const t = new TopCounter(10);
    for (const k of ['b', 'a', 'b', 'c', 'a', 'b']) t.add(k);
    assert.deepEqual(t.top(2), [
      ['b', 3],
      ['a', 2],
    ]);
    assert.equal(t.exact, true);
  });
  it('past twice the cap keeps the heavy hitters and says it is approximate', () => {
    const t = new TopCounter(2);
    for (let i = 0; i < 50; i++) t.add('heavy');
    for (let i = 0; i < 20; i++) t.add(`rare${i}`);
    assert.equal(t.exact, false);
    assert.ok(t.size < 4);
    assert.deepEqual(t.top(1), [['heavy', 50]]);
  });
  it('merge adds counts and carries inexactness', () => {
    const a = new TopCounter(10);
    const b = new TopCounter(10);
    a.add('x', 2);
    b.add('x', 3);
    b.add('y');
    a.merge(b.state());
    assert.deepEqual(a.top(5), [
      ['x', 5],
      ['y', 1],
    ]);
    a.merge({ entries: [], exact: false });
    assert.equal(a.exact, false);
  });
});
