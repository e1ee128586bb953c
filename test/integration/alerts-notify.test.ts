/**
 * Notifiers against local HTTP receivers on 127.0.0.1: Standard-Webhooks signatures, retries
 * (fail 3× then succeed → delivered once), Retry-After, no retry on other 4xx, dead letters in
 * Elasticsearch, and Slack's Block Kit message and one-message-per-second pacing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type AlertsHandle,
  createEngine,
  esStateStore,
  type Notification,
  parseRules,
  type StateStore,
  slackNotifier,
  startAlerts,
  verify,
  webhookNotifier,
} from '../../alerts/index.js';
import {
  baseTime,
  engineConfig,
  line,
  MIN,
  manualClock,
  type Receiver,
  startReceiver,
  type TestIndex,
  testIndex,
  testLogger,
  WEBHOOK_SECRET,
  writeRules,
} from './alerts-support.js';

const RETRY = { maxAttempts: 5, baseMs: 50, capMs: 400, timeoutMs: 2000, maxRetryAfterMs: 5000 };

function notification(rule: string, severity: 'critical' | 'warning' = 'critical'): Notification {
  return {
    id: `msg_test_${rule}`,
    rule,
    description: 'test notification',
    severity,
    at: Date.UTC(2026, 10, 27, 10, 0),
    link: 'http://mailpulse.test/api/v1/alerts',
    alerts: [
      {
        notice: 'firing',
        group: 'bad.example',
        labels: { alertname: rule, severity, domain: 'bad.example' },
        value: 0.4,
        summary: 'bounce_rate 40.0% over 15m (threshold > 20.0%)',
        examples: ['550 5.1.1 User unknown'],
        startsAt: Date.UTC(2026, 10, 27, 9, 55),
        endsAt: null,
      },
    ],
  };
}

/** A rule of its own per test: each has its own cursor and state in the shared index. */
const patternRules = (name: string) => `
rules:
  - name: ${name}
    kind: pattern
    query: { action: [fatal] }
    window: 5m
    every: 1m
    query_delay: 0s
    notify: [webhook]
`;

describe('notifiers', () => {
  let index: TestIndex;
  let receiver: Receiver;
  const t0 = baseTime();

  before(async () => {
    index = await testIndex('alerts-notify');
    await index.write([line.fatal(t0 + 10_000, 'mx9')]);
  });
  after(() => index.drop());

  async function fireOnce(hook: string, rule: string): Promise<AlertsHandle> {
    const clock = manualClock(t0 + MIN);
    const handle = await startAlerts(
      engineConfig(index.prefix, writeRules(patternRules(rule)), { webhook: hook }),
      testLogger(),
      {
        now: clock.now,
        schedule: false,
        sighup: false,
        retry: RETRY,
        client: index.client,
      },
    );
    await handle.engine.evaluateDue();
    return handle;
  }

  it('webhook: a receiver that fails 3 times then succeeds gets the alert once, same webhook-id, valid signature', async () => {
    receiver = await startReceiver();
    receiver.script(503, 500, 503);
    const handle = await fireOnce(receiver.url, 'fatal-retried');
    await handle.stop();
    await receiver.close();
    assert.equal(receiver.received.length, 4);
    assert.equal(receiver.accepted().length, 1);
    const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
    assert.equal(ids.size, 1);
    const ok = receiver.accepted()[0];
    assert.ok(ok);
    const headers = {
      id: String(ok.headers['webhook-id']),
      timestamp: String(ok.headers['webhook-timestamp']),
      signature: String(ok.headers['webhook-signature']),
    };
    const nowS = Math.floor(Date.now() / 1000);
    assert.match(headers.signature, /^v1,[A-Za-z0-9+/]+=*$/);
    assert.equal(verify(WEBHOOK_SECRET, headers, ok.body, nowS), true);
    assert.equal(
      verify(WEBHOOK_SECRET, headers, ok.body.replace('fatal', 'fatai'), nowS),
      false,
      'a changed body fails',
    );
    assert.equal(verify('another-secret-0123456789', headers, ok.body, nowS), false, 'another secret fails');
    assert.equal(verify(WEBHOOK_SECRET, headers, ok.body, nowS + 3600), false, 'an old timestamp fails');
    const payload = ok.json as {
      version: string;
      status: string;
      alerts: Array<{ labels: Record<string, string>; status: string }>;
    };
    assert.equal(payload.version, '4');
    assert.deepEqual(
      payload.alerts.map((a) => [a.status, a.labels.alertname]),
      [['firing', 'fatal-retried']],
    );
    const dead = await esStateStore(index.client, index.prefix).listDeadLetters(10);
    assert.equal(dead.length, 0);
  });

  it('a crash after sending and before recording re-sends the step with the same webhook-id', async () => {
    receiver = await startReceiver();
    const ruleSet = parseRules(patternRules('fatal-crash'), 'rules.yaml');
    const real = esStateStore(index.client, index.prefix);
    const clock = manualClock(t0 + MIN);
    const engineWith = (store: StateStore) =>
      createEngine({
        client: index.client,
        prefix: index.prefix,
        store,
        ruleSet,
        notifiers: [
          webhookNotifier({ url: receiver.url, secret: WEBHOOK_SECRET, logger: testLogger(), retry: RETRY }),
        ],
        logger: testLogger(),
        publicUrl: 'http://mailpulse.test',
        now: clock.now,
      });
    // The first engine "dies" at the record: its write never reaches the index.
    const dying = engineWith({ ...real, write: async () => Promise.reject(new Error('killed')) });
    await dying.init();
    await dying.evaluateDue();
    const restarted = engineWith(real);
    await restarted.init();
    await restarted.evaluateDue();
    await receiver.close();
    assert.equal(receiver.received.length, 2, 'at-least-once: the step is sent again');
    assert.equal(receiver.received[0]?.headers['webhook-id'], receiver.received[1]?.headers['webhook-id']);
    assert.equal(receiver.received[0]?.body, receiver.received[1]?.body);
  });

  it('webhook: a 4xx other than 429 is not retried and becomes a dead letter in Elasticsearch', async () => {
    receiver = await startReceiver();
    receiver.script(400);
    const prefixBefore = (await esStateStore(index.client, index.prefix).listDeadLetters(10)).length;
    const handle = await fireOnce(receiver.url, 'fatal-refused');
    await handle.stop();
    await receiver.close();
    assert.equal(receiver.received.length, 1);
    const dead = await esStateStore(index.client, index.prefix).listDeadLetters(10);
    assert.equal(dead.length, prefixBefore + 1);
    const mine = dead.filter((d) => d.rule === 'fatal-refused');
    assert.equal(mine.length, 1);
    assert.equal(mine[0]?.channel, 'webhook');
    assert.equal(mine[0]?.attempts, 1);
    assert.match(mine[0]?.error ?? '', /HTTP 400/);
    assert.equal(
      (mine[0]?.payload as { version?: string } | undefined)?.version,
      '4',
      'the payload is kept for a replay',
    );
  });

  it('webhook: 5xx every time ends after maxAttempts with a dead letter', async () => {
    receiver = await startReceiver();
    receiver.script(502, 502, 502, 502, 502, 502);
    const store = esStateStore(index.client, index.prefix);
    const before = (await store.listDeadLetters(10)).length;
    const handle = await fireOnce(receiver.url, 'fatal-failing');
    await handle.stop();
    await receiver.close();
    assert.equal(receiver.received.length, RETRY.maxAttempts);
    const dead = await store.listDeadLetters(10);
    assert.equal(dead.length, before + 1);
    const mine = dead.filter((d) => d.rule === 'fatal-failing');
    assert.equal(mine.length, 1);
    assert.equal(mine[0]?.attempts, RETRY.maxAttempts);
    assert.match(mine[0]?.error ?? '', /HTTP 502/);
  });

  it('webhook: a 429 with Retry-After: 2 waits 2 s before the next attempt', async () => {
    receiver = await startReceiver();
    receiver.script({ status: 429, headers: { 'retry-after': '2' } });
    const notifier = webhookNotifier({
      url: receiver.url,
      secret: WEBHOOK_SECRET,
      logger: testLogger(),
      retry: RETRY,
    });
    const result = await notifier.send(notification('rate-limited'));
    await receiver.close();
    assert.equal(result.ok, true);
    assert.equal(receiver.received.length, 2);
    const gap = (receiver.received[1]?.at ?? 0) - (receiver.received[0]?.at ?? 0);
    assert.ok(gap >= 2000 && gap < 3500, `waited ${gap} ms`);
  });

  it('webhook: a receiver that does not answer in time is retried, then given up', async () => {
    receiver = await startReceiver();
    receiver.script(0, 0);
    const notifier = webhookNotifier({
      url: receiver.url,
      logger: testLogger(),
      retry: { ...RETRY, maxAttempts: 2, timeoutMs: 300 },
    });
    const result = await notifier.send(notification('hung'));
    await receiver.close();
    assert.equal(receiver.received.length, 2);
    assert.equal(result.ok, false);
    assert.equal(result.attempts, 2);
    assert.match(result.error ?? '', /timed out after 300 ms/);
  });

  it('slack: Block Kit in a coloured attachment with a text fallback; messages at least 1 s apart; 429 Retry-After honoured', async () => {
    receiver = await startReceiver();
    receiver.script(200, { status: 429, headers: { 'retry-after': '1' } });
    const slack = slackNotifier({ url: receiver.url, logger: testLogger(), retry: RETRY });
    const results = await Promise.all([
      slack.send(notification('one')),
      slack.send(notification('two', 'warning')),
      slack.send(notification('three')),
    ]);
    await receiver.close();
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, true, true],
    );
    assert.equal(receiver.received.length, 4);
    const times = receiver.received.map((r) => r.at);
    for (let i = 1; i < times.length; i++) {
      assert.ok(
        (times[i] ?? 0) - (times[i - 1] ?? 0) >= 990,
        `gap ${i}: ${(times[i] ?? 0) - (times[i - 1] ?? 0)} ms`,
      );
    }
    const first = receiver.received[0]?.json as {
      text: string;
      attachments: Array<{ color: string; blocks: Array<{ type: string; text?: { text: string } }> }>;
    };
    assert.match(first.text, /^\[FIRING\] one \(critical\): bounce_rate 40\.0%/);
    assert.equal(first.attachments[0]?.color, '#d0021b');
    const texts = first.attachments[0]?.blocks.map((b) => b.text?.text ?? '').join('\n') ?? '';
    assert.match(texts, /domain bad\.example/);
    assert.match(texts, /threshold > 20\.0%/);
    assert.match(texts, /550 5\.1\.1 User unknown/);
    const warning = receiver.accepted().find((r) => (r.json as { text: string }).text.includes('two'));
    assert.equal(
      (warning?.json as { attachments: Array<{ color: string }> } | undefined)?.attachments[0]?.color,
      '#f5a623',
    );
  });
});
