import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BucketQuerySchema, bucketTopQuery, RangeQuerySchema } from './common.js';

test('bucket query: resolved range, default interval, filters apart', () => {
  const q = BucketQuerySchema.parse({
    from: '2026-03-14',
    to: '2026-03-15',
    host: 'mx1',
    domain: 'Example.org',
  });
  assert.deepEqual(q, {
    range: { from: Date.UTC(2026, 2, 14), to: Date.UTC(2026, 2, 15) },
    interval: { text: '5m', ms: 300_000 },
    filters: { host: 'mx1', domain: 'example.org' },
    limit: undefined,
  });
  const top = bucketTopQuery(20, 200).parse({ from: 'now-1h', interval: '1m', limit: '7' });
  assert.equal(top.limit, 7);
  assert.equal(top.range.to - top.range.from, 3_600_000);
});

test('defaults: the last 24 hours, up to the first whole minute not before the clock', () => {
  const before = Date.now();
  const q = RangeQuerySchema.parse({});
  const after = Date.now();
  assert.equal(q.range.to - q.range.from, 86_400_000);
  assert.equal(q.range.to % 60_000, 0);
  assert.ok(q.range.to >= before && q.range.to < after + 60_000);
});

test('refusals name the parameter', () => {
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ from: 'now', to: 'now-1h' }, 'from', /earlier than to/],
    [{ from: '2020-01-01', to: '2026-01-01', interval: '1m' }, 'interval', /at most 10000/],
    [{ interval: '7s' }, 'interval', /interval/],
    [{ form: 'now-1h' }, '', /Unrecognized key/],
    [{ from: 'now-1y' }, 'from', /ISO 8601/],
  ];
  for (const [input, path, message] of cases) {
    const r = BucketQuerySchema.safeParse(input);
    assert.ok(!r.success, JSON.stringify(input));
    const issue = r.error.issues[0];
    assert.equal(issue?.path.join('.'), path, JSON.stringify(input));
    assert.match(issue?.message ?? '', message);
  }
});
