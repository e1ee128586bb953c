import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MailEvent } from '../core/event.js';
import type { MessageDoc, Recipient } from '../core/message.js';
import { createReportAccumulator } from './accumulate.js';

function ev(
  action: MailEvent['event']['action'],
  postfix: NonNullable<MailEvent['postfix']> = {},
  to?: string,
): MailEvent {
  return {
    '@timestamp': '2026-03-14T09:30:00.000Z',
    event: { original: 'x', action },
    host: { name: 'mx1' },
    process: { name: 'smtpd' },
    ...(to !== undefined ? { email: { to: { address: to } } } : {}),
    postfix: { instance: 'postfix', ...postfix },
  };
}

function rcpt(address: string, status: Recipient['status'], more: Partial<Recipient> = {}): Recipient {
  return { address, status, attempts: 1, last_attempt: '2026-03-14T10:15:00.000Z', ...more };
}

function doc(more: Partial<MessageDoc>): MessageDoc {
  return {
    '@timestamp': '2026-03-14T08:59:00.000Z',
    updated: '2026-03-14T10:15:00.000Z',
    key: 'k',
    host: { name: 'mx1' },
    postfix: { instance: 'postfix' },
    email: { local_id: 'Q', from: { address: 's@x.example' } },
    state: 'delivered',
    recipients: [],
    deferrals: 0,
    hops: { previous: [], next: [] },
    trace_id: 'k',
    size: 100,
    ...more,
  };
}

describe('report accumulator', () => {
  it('line-level counts: every reject line, reject warnings, held, discarded, deferral lines', () => {
    const acc = createReportAccumulator();
    acc.addEvent(ev('reject', { reason: { category: 'rbl', text: 'blocked using zen' } }));
    acc.addEvent(ev('reject', { reason: { category: 'rbl', text: 'blocked using zen' } }));
    acc.addEvent(ev('reject', { reason: { category: 'unknown_user', text: 'User unknown' } }));
    acc.addEvent(ev('reject_warning'));
    acc.addEvent(ev('hold'));
    acc.addEvent(ev('discard'));
    acc.addEvent(
      ev(
        'delivery',
        { status: 'deferred', reason: { category: 'greylist', text: 'Greylisted' } },
        'a@Y.example',
      ),
    );
    acc.addEvent(
      ev('delivery', { status: 'bounced', reason: { category: 'dns', text: 'not found' } }, 'a@y.example'),
    );
    acc.addEvent({ ...ev('unparsed'), postfix: undefined });
    const r = acc.result();
    assert.deepEqual(
      [
        r.messages.rejected,
        r.messages.reject_warnings,
        r.messages.held,
        r.messages.discarded,
        r.messages.deferrals,
      ],
      [3, 1, 1, 1, 1],
    );
    // A bounce line is a reason row; the bounced figure itself comes from messages.
    assert.equal(r.messages.bounced, 0);
    assert.deepEqual(r.rejections, [
      { category: 'rbl', reason: 'blocked using zen', count: 2 },
      { category: 'unknown_user', reason: 'User unknown', count: 1 },
    ]);
    assert.deepEqual(r.per_domain, [{ domain: 'y.example', delivered: 0, deferred: 1, bounced: 0 }]);
    assert.deepEqual(r.per_hour, [
      { hour: '2026-03-14T09:00:00Z', received: 0, delivered: 0, deferred: 1, bounced: 0, rejected: 3 },
    ]);
    assert.deepEqual(r.lines, { total: 9, postfix: 8, unparsed: 1 });
  });

  it('message-level counts: received excludes re-injections and cleanup rejects; hops and forwards are not deliveries', () => {
    const acc = createReportAccumulator();
    acc.addMessage(
      doc({
        origin: 'smtpd',
        recipients: [rcpt('u@local.example', 'sent', { internal: true, next_queue_id: 'C' })],
        removed_at: 'x',
        queued_at: 'x',
      }),
    );
    acc.addMessage(
      doc({
        origin: 'smtpd',
        hops: { previous: ['Q'], next: [], kind: 'internal' },
        recipients: [rcpt('u@local.example', 'sent', { delay: 2 })],
        queued_at: 'x',
        removed_at: 'x',
      }),
    );
    acc.addMessage(doc({ origin: 'smtpd', state: 'rejected' }));
    acc.addMessage(
      doc({
        origin: 'pickup',
        recipients: [rcpt('root@h', 'sent', { forwarded: true })],
        queued_at: 'x',
        removed_at: 'x',
      }),
    );
    acc.addMessage(
      doc({
        hops: { previous: ['B'], next: [], kind: 'notification' },
        recipients: [rcpt('s@x.example', 'sent', { delay: 4 })],
        queued_at: 'x',
        removed_at: 'x',
      }),
    );
    acc.addMessage(
      doc({
        origin: 'smtpd',
        deferrals: 3,
        expired_at: 'x',
        state: 'expired',
        recipients: [
          rcpt('a@far.example', 'expired'),
          rcpt('b@far.example', 'bounced'),
          rcpt('c@far.example', 'sent', { delay: 9 }),
        ],
        queued_at: 'x',
        removed_at: 'x',
      }),
    );
    acc.addMessage(
      doc({
        origin: 'smtpd',
        deferrals: 1,
        state: 'deferred',
        recipients: [rcpt('d@far.example', 'deferred')],
        queued_at: 'x',
      }),
    );
    const r = acc.result();
    assert.deepEqual(
      { ...r.messages },
      {
        received: 4,
        delivered: 3,
        internal_hops: 1,
        forwarded: 1,
        deferred: 2,
        deferrals: 0,
        bounced: 1,
        expired: 1,
        rejected: 0,
        reject_warnings: 0,
        held: 0,
        discarded: 0,
      },
    );
    assert.equal(r.delivery_rate, 0.6);
    assert.equal(r.queue.backlog_at_end, 1);
    assert.deepEqual(r.delays, { p50: 4, p95: 9, p99: 9, max: 9 });
    assert.deepEqual(r.per_hour, [
      { hour: '2026-03-14T08:00:00Z', received: 4, delivered: 0, deferred: 0, bounced: 0, rejected: 0 },
      { hour: '2026-03-14T10:00:00Z', received: 0, delivered: 3, deferred: 0, bounced: 1, rejected: 0 },
    ]);
    assert.deepEqual(r.bytes, { received: 400, delivered: 300 });
  });

  it('state() then merge() equals one accumulator that saw everything', () => {
    const one = createReportAccumulator();
    const a = createReportAccumulator();
    const b = createReportAccumulator();
    const events = [
      ev('reject', { reason: { category: 'rbl', text: 'r' } }),
      ev('delivery', { status: 'deferred' }, 'x@d.example'),
      ev('hold'),
    ];
    const docs = [
      doc({ origin: 'smtpd', recipients: [rcpt('x@d.example', 'sent', { delay: 1 })] }),
      doc({ origin: 'pickup', queued_at: 'x' }),
    ];
    events.forEach((e, i) => {
      one.addEvent(e);
      (i % 2 === 0 ? a : b).addEvent(e);
    });
    docs.forEach((d, i) => {
      one.addMessage(d);
      (i % 2 === 0 ? a : b).addMessage(d);
    });
    a.merge(structuredClone(b.state()));
    assert.deepEqual(a.result(), one.result());
  });

  it('an empty input gives nulls, not NaN', () => {
    const r = createReportAccumulator().result();
    assert.deepEqual(r.period, { from: null, to: null });
    assert.equal(r.delivery_rate, null);
    assert.deepEqual(r.delays, { p50: 0, p95: 0, p99: 0, max: 0 });
  });
});
