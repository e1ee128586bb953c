import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlertNotice, Notification } from '../notification.js';
import { slackMessage } from './slack.js';

const notice = (i: number, kind: AlertNotice['notice'] = 'firing'): AlertNotice => ({
  notice: kind,
  group: `d${i}.example`,
  labels: { alertname: 'bounce-rate', severity: 'critical', domain: `d${i}.example` },
  value: i / 1000,
  summary: `bounce_rate ${(i / 10).toFixed(1)}% over 30m (threshold > 20.0%)`,
  examples: [`550 5.1.1 user unknown ${i}`],
  startsAt: 0,
  endsAt: null,
});

const n = (alerts: AlertNotice[]): Notification => ({
  id: 'msg_1',
  rule: 'bounce-rate',
  description: 'Bounce rate per domain',
  severity: 'critical',
  at: Date.UTC(2026, 10, 27, 10, 0),
  alerts,
  link: 'http://mp.test/api/v1/alerts?rule=bounce-rate',
});

describe('Slack message', () => {
  it('a storm of 200 domains is one message: the 10 worst listed, the rest counted', () => {
    const msg = slackMessage(n(Array.from({ length: 200 }, (_, i) => notice(i + 1))));
    const text = msg.attachments[0]?.blocks.map((b) => JSON.stringify(b)).join('\n') ?? '';
    assert.match(msg.text, /^\[FIRING\] bounce-rate \(critical\): 200 firing: bounce_rate 20\.0%/);
    assert.match(text, /domain d200\.example/);
    assert.match(text, /domain d191\.example/);
    assert.doesNotMatch(text, /domain d190\.example/);
    assert.match(text, /and 190 more/);
    for (const b of msg.attachments[0]?.blocks ?? []) assert.ok(JSON.stringify(b).length < 3500);
  });

  it('colour by severity; green and RESOLVED when everything resolved; STILL FIRING for reminders', () => {
    assert.equal(slackMessage(n([notice(1)])).attachments[0]?.color, '#d0021b');
    const resolved = slackMessage(n([notice(1, 'resolved')]));
    assert.equal(resolved.attachments[0]?.color, '#2eb886');
    assert.match(resolved.text, /^\[RESOLVED\]/);
    assert.match(slackMessage(n([notice(1, 'reminder')])).text, /^\[STILL FIRING\]/);
  });

  it('links to the alerts page', () => {
    const msg = slackMessage(n([notice(1)]));
    assert.ok(JSON.stringify(msg).includes('<http://mp.test/api/v1/alerts?rule=bounce-rate|Open alerts>'));
  });
});
