/**
 * Each rule kind against the real Elasticsearch, with events at chosen instants and a clock
 * the test moves one evaluation step at a time. The expected notices were worked out by hand
 * from the rule settings and the event times (see each test's timeline comment).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AlertsHandle, startAlerts, verify } from '../../alerts/index.js';
import {
  baseTime,
  engineConfig,
  line,
  MIN,
  manualClock,
  payloadAlerts,
  type Receiver,
  startReceiver,
  type TestIndex,
  testIndex,
  testLogger,
  WEBHOOK_SECRET,
  writeRules,
} from './alerts-support.js';

const DAY = 86_400_000;
const FAST_RETRY = { maxAttempts: 3, baseMs: 50, capMs: 200, timeoutMs: 2000, maxRetryAfterMs: 5000 };

interface Run {
  /** Notices per step: `minute → ['firing:bad1.example', ...]`, one entry per webhook request. */
  log: Map<number, string[][]>;
}

/**
 * Moves the clock through `minutes` (relative to t0), evaluating once per step, and records
 * what the receiver got at each step. `restartAt`: stop the engine and start a new one first.
 */
async function drive(
  make: (now: () => number) => Promise<AlertsHandle>,
  receiver: Receiver,
  t0: number,
  minutes: number[],
  restartAt?: number,
): Promise<Run> {
  const clock = manualClock(t0 + (minutes[0] ?? 0) * MIN);
  let handle = await make(clock.now);
  const log = new Map<number, string[][]>();
  try {
    for (const m of minutes) {
      if (m === restartAt) {
        await handle.stop();
        handle = await make(clock.now);
      }
      clock.set(t0 + m * MIN);
      const before = receiver.received.length;
      await handle.engine.evaluateDue();
      const got = receiver.received.slice(before).map(payloadAlerts);
      if (got.length > 0) log.set(m, got);
    }
  } finally {
    await handle.stop();
  }
  return { log };
}

describe('alert rules against Elasticsearch', () => {
  let index: TestIndex;
  let receiver: Receiver;
  const t0 = baseTime();
  const t1 = t0 + 3_600_000;

  before(async () => {
    index = await testIndex('alerts-rules');
    receiver = await startReceiver();
    await index.write([
      // threshold: bad1/bad2 bounce everything, good delivers, all in [0:10, 0:40]
      ...[10, 20, 30, 40].flatMap((s) => [
        line.bounced(t0 + s * 1000, `u${s}@bad1.example`),
        line.bounced(t0 + s * 1000, `u${s}@bad2.example`),
        line.sent(t0 + s * 1000, `u${s}@good.example`),
      ]),
      // spike (host spk): 2 rejections at 0:30-0:40, 9 at 5:10-5:50
      line.reject(t0 + 30_000, '203.0.113.1', 'spk'),
      line.reject(t0 + 40_000, '203.0.113.2', 'spk'),
      ...Array.from({ length: 9 }, (_, i) =>
        line.reject(t0 + 5 * MIN + 10_000 + i * 4000, `203.0.113.${10 + i}`, 'spk'),
      ),
      // pattern: one blocklist deferral at 0:30; fatal on two hosts at 0:20; SASL from 2 IPs then a 3rd at 2:30
      line.blocked(t0 + 30_000, 'x@big.example', 'pat'),
      line.fatal(t0 + 20_000, 'f1'),
      line.fatal(t0 + 20_000, 'f2'),
      line.sasl(t0 + 10_000, '198.51.100.1', 'sasl'),
      line.sasl(t0 + 11_000, '198.51.100.2', 'sasl'),
      line.sasl(t0 + 12_000, '198.51.100.1', 'sasl'),
      line.sasl(t0 + 2 * MIN + 30_000, '198.51.100.3', 'sasl'),
      // spike vs same hour: sh1 and sh2 bounce 6 times at 1m..6m after t1; on each of the 2 days before,
      // sh1 bounced once and sh2 three times in the same 10 minutes.
      // (an hour after t0, away from the other bounces)
      ...['sh1', 'sh2'].flatMap((h) =>
        [1, 2, 3, 4, 5, 6].map((m) => line.bounced(t1 + m * MIN, `u${m}@x.example`, h)),
      ),
      ...[1, 2].flatMap((d) => [
        line.bounced(t1 - d * DAY + 2 * MIN, 'p@x.example', 'sh1'),
        ...[2, 3, 4].map((m) => line.bounced(t1 - d * DAY + m * MIN, 'p@x.example', 'sh2')),
      ]),
      // absence: quiet1 logs every minute 0..15; quiet2 at 0, 1, 2 then again at 12:30
      ...Array.from({ length: 16 }, (_, i) => line.connect(t0 + i * MIN, 'quiet1')),
      ...[0, 1, 2].map((m) => line.connect(t0 + m * MIN, 'quiet2')),
      line.connect(t0 + 12 * MIN + 30_000, 'quiet2'),
    ]);
  });

  after(async () => {
    await receiver.close();
    await index.drop();
  });

  const start = (rules: string) => (now: () => number) =>
    startAlerts(engineConfig(index.prefix, writeRules(rules), { webhook: receiver.url }), testLogger(), {
      now,
      schedule: false,
      sighup: false,
      retry: FAST_RETRY,
      client: index.client,
    });

  it('threshold per domain: pending for 2m, fires at 3m, reminds at 8m, resolves at 11m; one message per step for both domains; a restart at 5m sends nothing twice', async () => {
    // Window 10m over data at 0:10-0:40. Steps at 1..12m: active while the window holds the data (t ≤ 10m).
    // 1m pending, 3m firing (for 2m), 8m reminder (repeat 5m after 3m), 11m resolved (window [1m,11m) empty).
    const rules = `
rules:
  - name: bounce-rate-per-domain
    kind: threshold
    metric: bounce_rate
    group_by: domain
    filters: { host: mx1 }
    op: ">"
    value: 0.5
    window: 10m
    min_volume: 2
    every: 1m
    for: 2m
    repeat_interval: 5m
    query_delay: 0s
    notify: [webhook]
`;
    const before = receiver.received.length;
    const run = await drive(start(rules), receiver, t0, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13], 5);
    assert.deepEqual(Object.fromEntries(run.log), {
      3: [['firing:bad1.example', 'firing:bad2.example']],
      8: [['reminder:bad1.example', 'reminder:bad2.example']],
      11: [['resolved:bad1.example', 'resolved:bad2.example']],
    });
    const first = receiver.received[before];
    assert.ok(first);
    const payload = first.json as {
      version: string;
      status: string;
      groupLabels: Record<string, string>;
      alerts: Array<{ annotations: Record<string, string> }>;
    };
    assert.equal(payload.version, '4');
    assert.equal(payload.status, 'firing');
    assert.deepEqual(payload.groupLabels, { alertname: 'bounce-rate-per-domain' });
    assert.match(
      payload.alerts[0]?.annotations.summary ?? '',
      /bounce_rate 100\.0% over 10m \(threshold > 50\.0%\)/,
    );
    assert.ok(
      verify(
        WEBHOOK_SECRET,
        {
          id: String(first.headers['webhook-id']),
          timestamp: String(first.headers['webhook-timestamp']),
          signature: String(first.headers['webhook-signature']),
        },
        first.body,
        Math.floor(Date.now() / 1000),
      ),
      'signature verifies',
    );
  });

  it('spike vs the previous window: fires at 6m (9 vs 2), stays quiet while it lasts, resolves at 11m', async () => {
    // window 5m, factor 3, min_count 5. 5m: now [0,5m)=2 < 5. 6m..10m: now=9, previous=2 or 0 → active.
    // 11m: now [6m,11m)=0 → resolved.
    const rules = `
rules:
  - name: reject-spike
    kind: spike
    metric: rejected
    filters: { host: spk }
    window: 5m
    baseline: previous
    factor: 3
    min_count: 5
    every: 1m
    query_delay: 0s
    repeat_interval: 1h
    notify: [webhook]
`;
    const run = await drive(start(rules), receiver, t0, [5, 6, 7, 8, 9, 10, 11, 12]);
    assert.deepEqual(Object.fromEntries(run.log), { 6: [['firing:']], 11: [['resolved:']] });
  });

  it('spike vs the same hour on past days: per host, fires where now is 3× the daily average only', async () => {
    // window 10m, days 2, factor 3, min_count 5. At 7m: sh1 now 6 vs avg 1 → fires; sh2 now 6 vs avg 3 → 6 < 9.
    // At 6m: now 5 (1m..5m) vs 1 → fires already for sh1. Steps from 5m: 5m has 4 (< min_count).
    const rules = `
rules:
  - name: bounce-spike-daily
    kind: spike
    metric: bounced
    group_by: host
    window: 10m
    baseline: same_hour
    days: 2
    factor: 3
    min_count: 5
    every: 1m
    query_delay: 0s
    notify: [webhook]
`;
    const run = await drive(start(rules), receiver, t1, [5, 6, 7, 8]);
    assert.deepEqual(Object.fromEntries(run.log), { 6: [['firing:sh1']] });
  });

  it('pattern: blocklisted at 0:30 fires at 1m with the line, reminds every 2m, resolves when it leaves the 5m window', async () => {
    const rules = `
rules:
  - name: outbound-blocklisted
    kind: pattern
    query: { action: [delivery], text: blocked using }
    window: 5m
    every: 1m
    repeat_interval: 2m
    query_delay: 0s
    notify: [webhook]
`;
    const before = receiver.received.length;
    const run = await drive(start(rules), receiver, t0, [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(Object.fromEntries(run.log), {
      1: [['firing:']],
      3: [['reminder:']],
      5: [['reminder:']],
      6: [['resolved:']],
    });
    const payload = receiver.received[before]?.json as {
      alerts: Array<{ annotations: Record<string, string> }>;
    };
    assert.match(payload.alerts[0]?.annotations.examples ?? '', /blocked using zen\.spamhaus\.org/);
  });

  it('pattern grouped by host: fatal on two hosts is one notification with two alerts', async () => {
    const rules = `
rules:
  - name: postfix-fatal
    kind: pattern
    query: { action: [fatal, panic] }
    group_by: host.name
    window: 5m
    every: 1m
    query_delay: 0s
    notify: [webhook]
`;
    const run = await drive(start(rules), receiver, t0, [1, 2, 5, 6]);
    assert.deepEqual(Object.fromEntries(run.log), {
      1: [['firing:f1', 'firing:f2']],
      6: [['resolved:f1', 'resolved:f2']],
    });
  });

  it('pattern with distinct: SASL failures from 2 IPs stay quiet, the 3rd IP at 2:30 fires at 3m', async () => {
    const rules = `
rules:
  - name: sasl-many-ips
    kind: pattern
    query: { action: [sasl_failure] }
    distinct: source.ip
    min_count: 3
    window: 10m
    every: 1m
    query_delay: 0s
    notify: [webhook]
`;
    const run = await drive(start(rules), receiver, t0, [1, 2, 3, 4]);
    assert.deepEqual(Object.fromEntries(run.log), { 3: [['firing:']] });
  });

  it('absence: quiet2 silent from 2m fires at 7m (window 5m), resolves at 13m when it logs again at 12:30', async () => {
    const rules = `
rules:
  - name: host-silent
    kind: absence
    hosts: [quiet1, quiet2]
    window: 5m
    lookback: 1h
    every: 1m
    query_delay: 0s
    notify: [webhook]
`;
    const run = await drive(start(rules), receiver, t0, [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    assert.deepEqual(Object.fromEntries(run.log), { 7: [['firing:quiet2']], 13: [['resolved:quiet2']] });
  });

  it('a missed tick loses nothing: jumping from 1m to 12m evaluates every step in between', async () => {
    // The same threshold rule as above, driven at 1m then straight at 12m: the catch-up passes
    // through 3m (firing), 8m (reminder) and 11m (resolved), all within one run.
    const rules = `
rules:
  - name: bounce-rate-catch-up
    kind: threshold
    metric: bounce_rate
    group_by: domain
    filters: { host: mx1 }
    op: ">"
    value: 0.5
    window: 10m
    min_volume: 2
    every: 1m
    for: 2m
    repeat_interval: 5m
    query_delay: 0s
    notify: [webhook]
`;
    const run = await drive(start(rules), receiver, t0, [1, 12]);
    assert.deepEqual(Object.fromEntries(run.log), {
      12: [
        ['firing:bad1.example', 'firing:bad2.example'],
        ['reminder:bad1.example', 'reminder:bad2.example'],
        ['resolved:bad1.example', 'resolved:bad2.example'],
      ],
    });
  });
});
