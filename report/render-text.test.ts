import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createReportAccumulator } from './accumulate.js';
import { renderText } from './render-text.js';

function sample() {
  const acc = createReportAccumulator();
  acc.addEvent({
    '@timestamp': '2026-03-14T23:30:00.000Z',
    event: { original: 'x', action: 'reject' },
    host: { name: 'mx1' },
    process: { name: 'postscreen' },
    postfix: { instance: 'postfix', reason: { category: 'rbl', text: 'blocked using zen.spamhaus.org' } },
  });
  acc.addMessage({
    '@timestamp': '2026-03-14T23:10:00.000Z',
    updated: '2026-03-14T23:10:05.000Z',
    key: 'k',
    host: { name: 'mx1' },
    postfix: { instance: 'postfix' },
    email: { local_id: 'Q', from: { address: 'a@x.example' } },
    origin: 'smtpd',
    state: 'delivered',
    recipients: [
      {
        address: 'b@y.example',
        status: 'sent',
        delay: 5,
        attempts: 1,
        last_attempt: '2026-03-14T23:10:05.000Z',
      },
    ],
    deferrals: 0,
    hops: { previous: [], next: [] },
    trace_id: 'k',
    size: 1500,
    queued_at: '2026-03-14T23:10:01.000Z',
    removed_at: '2026-03-14T23:10:05.000Z',
  });
  return acc.result();
}

describe('renderText', () => {
  it('shows the grand totals, the reasons and the domains', () => {
    const text = renderText(sample(), { timeZone: 'UTC' });
    assert.match(text, /received\s+1\s+1\.5 kB/);
    assert.match(text, /delivered \(recipients\)\s+1/);
    assert.match(text, /rejected\s+1/);
    assert.match(text, /delivery rate\s+100\.00 %/);
    assert.match(text, /1\s+rbl\s+blocked using zen\.spamhaus\.org/);
    assert.match(text, /y\.example\s+1\s+0\s+0/);
  });

  it('puts days and hours in the zone asked for', () => {
    const utc = renderText(sample(), { timeZone: 'UTC' });
    const prague = renderText(sample(), { timeZone: 'Europe/Prague' });
    assert.match(utc, /2026-03-14\s+1\s+1\s+0\s+0\s+1/);
    // 23:10 UTC is 00:10 on the 15th in Prague (UTC+1 in March before DST).
    assert.match(prague, /2026-03-15\s+1\s+1\s+0\s+0\s+1/);
    assert.match(prague, /00:00-01:00\s+1\s+1/);
  });

  it('an empty report renders without NaN', () => {
    const text = renderText(createReportAccumulator().result());
    assert.doesNotMatch(text, /NaN|undefined/);
    assert.match(text, /delivery rate\s+n\/a/);
  });
});
