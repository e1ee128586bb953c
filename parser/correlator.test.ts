import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MailEvent } from '../core/event.js';
import type { MessageDoc } from '../core/message.js';
import { createCorrelator } from './correlator.js';

/** Hand-made events, shaped as the parser emits them for the lines named in each comment. */
type Extra = { postfix?: NonNullable<MailEvent['postfix']> } & Partial<Omit<MailEvent, 'postfix'>>;
function ev(
  time: string,
  process: string,
  action: MailEvent['event']['action'],
  qid: string,
  extra: Extra = {},
): MailEvent {
  const { postfix, ...rest } = extra;
  return {
    '@timestamp': `2023-03-14T${time}Z`,
    // Distinct lines have distinct text: the correlator drops byte-identical replays.
    event: { original: `${time} ${process} ${qid} ${action} ${JSON.stringify(extra)}`, action },
    host: { name: 'mx1' },
    process: { name: process.split('/').at(-1) ?? process },
    email: { local_id: qid, ...rest.email },
    ...rest,
    postfix: { instance: 'postfix', service: process, ...postfix },
  } as MailEvent;
}
const client = (t: string, q: string, ip = '192.0.2.7') =>
  ev(t, 'smtpd', 'client', q, { source: { domain: 'mail.example.org', ip } });
const msgid = (t: string, q: string) =>
  ev(t, 'cleanup', 'message_id', q, { email: { local_id: q, message_id: `<${q}@x>` } });
const queued = (t: string, q: string, nrcpt = 1) =>
  ev(t, 'qmgr', 'queued', q, {
    email: { local_id: q, from: { address: 'a@example.org' } },
    postfix: { size: 1200, nrcpt },
  });
const removed = (t: string, q: string) => ev(t, 'qmgr', 'removed', q);
function delivery(
  t: string,
  q: string,
  to: string,
  status: 'sent' | 'deferred' | 'bounced',
  more: NonNullable<MailEvent['postfix']> = {},
) {
  return ev(t, 'smtp', 'delivery', q, {
    email: { local_id: q, to: { address: to } },
    postfix: { status, delay: 1.5, ...more },
  });
}

function run(events: MailEvent[], opts = {}) {
  const c = createCorrelator(opts);
  const pushed: MessageDoc[][] = events.map((e) => c.push(e));
  return { c, pushed, final: c.drain() };
}

describe('correlator', () => {
  it('follows one message from client= to removed', () => {
    const { final, pushed } = run([
      client('10:00:00', 'A1'),
      msgid('10:00:01', 'A1'),
      queued('10:00:02', 'A1'),
      delivery('10:00:03', 'A1', 'b@dest.example', 'sent', {
        dsn: '2.0.0',
        relay: { hostname: 'mx.dest.example', ip: '198.51.100.2', port: 25 },
      }),
      removed('10:00:04', 'A1'),
    ]);
    assert.equal(final.length, 1);
    const d = final[0] as MessageDoc;
    assert.equal(d.state, 'delivered');
    assert.equal(d.email.message_id, '<A1@x>');
    assert.equal(d.email.from?.address, 'a@example.org');
    assert.equal(d.size, 1200);
    assert.deepEqual(d.source, { domain: 'mail.example.org', ip: '192.0.2.7' });
    assert.equal(d.origin, 'smtpd');
    assert.equal(d.queued_at, '2023-03-14T10:00:02Z');
    assert.equal(d.removed_at, '2023-03-14T10:00:04Z');
    assert.equal(d['@timestamp'], '2023-03-14T10:00:00Z');
    assert.equal(d.key, `mx1/postfix/A1/${Date.parse('2023-03-14T10:00:00Z')}`);
    assert.equal(d.trace_id, d.key);
    assert.deepEqual(d.recipients, [
      {
        address: 'b@dest.example',
        status: 'sent',
        dsn: '2.0.0',
        relay: 'mx.dest.example[198.51.100.2]:25',
        delay: 1.5,
        attempts: 1,
        last_attempt: '2023-03-14T10:00:03Z',
      },
    ]);
    // Each line changed exactly this one document; states move received → active → delivered.
    assert.deepEqual(
      pushed.map((p) => p.map((x) => x.state)),
      [['received'], ['received'], ['active'], ['delivered'], ['delivered']],
    );
  });

  it('links a content-filter hop: same trace, parent recipient internal, child not a new arrival', () => {
    const { final } = run([
      client('10:00:00', 'P1'),
      queued('10:00:01', 'P1'),
      client('10:00:02', 'C1', '127.0.0.1'),
      queued('10:00:02', 'C1'),
      delivery('10:00:03', 'P1', 'u@local.example', 'sent', {
        relay: { hostname: '127.0.0.1', ip: '127.0.0.1', port: 10024 },
        hop: 'internal',
        next_queue_id: 'C1',
        response: '250 2.0.0 Ok: queued as C1',
      }),
      removed('10:00:03', 'P1'),
      delivery('10:00:04', 'C1', 'u@local.example', 'sent', { relay: { hostname: 'dovecot' } }),
      removed('10:00:04', 'C1'),
    ]);
    const p = final.find((d) => d.email.local_id === 'P1') as MessageDoc;
    const c = final.find((d) => d.email.local_id === 'C1') as MessageDoc;
    assert.equal(p.recipients[0]?.internal, true);
    assert.deepEqual(p.hops, { previous: [], next: ['C1'] });
    assert.deepEqual(c.hops, { previous: ['P1'], next: [], kind: 'internal' });
    assert.equal(c.trace_id, p.key);
    assert.equal(c.recipients[0]?.internal, undefined);
  });

  it('marks a `queued as X` internal when X shows up after the delivery line, and returns both docs', () => {
    const c = createCorrelator();
    c.push(queued('10:00:01', 'P2'));
    c.push(
      delivery('10:00:03', 'P2', 'u@local.example', 'sent', {
        next_queue_id: 'C2',
        response: '250 Ok: queued as C2',
      }),
    );
    const out = c.push(client('10:00:04', 'C2', '127.0.0.1'));
    assert.deepEqual(out.map((d) => d.email.local_id).sort(), ['C2', 'P2']);
    const p = out.find((d) => d.email.local_id === 'P2') as MessageDoc;
    assert.equal(p.recipients[0]?.internal, true);
    assert.equal(out.find((d) => d.email.local_id === 'C2')?.trace_id, p.key);
  });

  it('does not mark a remote `queued as X` internal', () => {
    const { final } = run([
      queued('10:00:01', 'R1'),
      delivery('10:00:02', 'R1', 'x@remote.example', 'sent', {
        next_queue_id: 'ABCDEF',
        response: '250 ok: queued as ABCDEF',
      }),
      removed('10:00:02', 'R1'),
    ]);
    assert.equal(final.length, 1);
    assert.equal(final[0]?.recipients[0]?.internal, undefined);
  });

  it('links a bounce notification and a forward into the same trace', () => {
    const { final } = run([
      queued('10:00:00', 'B1'),
      delivery('10:00:01', 'B1', 'gone@remote.example', 'bounced', { dsn: '5.1.1' }),
      msgid('10:00:01', 'N1'),
      ev('10:00:01', 'bounce', 'bounce_notification', 'B1', { postfix: { next_queue_id: 'N1' } }),
      queued('10:00:02', 'N1'),
      removed('10:00:02', 'B1'),
      msgid('10:00:03', 'F1'),
      ev('10:00:03', 'local', 'delivery', 'N1', {
        email: { local_id: 'N1', to: { address: 'a@example.org' } },
        postfix: { status: 'sent', next_queue_id: 'F1', response: 'forwarded as F1' },
      }),
      removed('10:00:04', 'N1'),
    ]);
    const [b, n, f] = ['B1', 'N1', 'F1'].map((q) => final.find((d) => d.email.local_id === q) as MessageDoc);
    assert.equal(b?.state, 'bounced');
    assert.equal(n?.hops.kind, 'notification');
    assert.equal(f?.hops.kind, 'forwarded');
    assert.equal(n?.recipients[0]?.forwarded, true);
    assert.equal(n?.recipients[0]?.internal, undefined);
    assert.equal(n?.trace_id, b?.key);
    assert.equal(f?.trace_id, b?.key);
  });

  it('propagates a late-learned trace down to the next hops already linked', () => {
    const c = createCorrelator();
    c.push(queued('10:00:05', 'M'));
    c.push(client('10:00:06', 'L', '127.0.0.1'));
    c.push(delivery('10:00:07', 'M', 'u@x', 'sent', { next_queue_id: 'L', response: 'queued as L' }));
    c.push(queued('10:00:00', 'K'));
    const out = c.push(
      delivery('10:00:04', 'K', 'u@x', 'sent', { next_queue_id: 'M', response: 'queued as M' }),
    );
    const k = out.find((d) => d.email.local_id === 'K') as MessageDoc;
    assert.deepEqual(out.map((d) => d.email.local_id).sort(), ['K', 'L', 'M']);
    for (const d of out) assert.equal(d.trace_id, k.key);
  });

  it('does not merge two messages that reuse a queue ID', () => {
    const { final } = run([
      client('10:00:00', 'Q'),
      queued('10:00:01', 'Q'),
      delivery('10:00:02', 'Q', 'one@x.example', 'sent'),
      removed('10:00:02', 'Q'),
      client('10:30:00', 'Q'),
      queued('10:30:01', 'Q'),
      delivery('10:30:02', 'Q', 'two@x.example', 'bounced'),
      removed('10:30:02', 'Q'),
    ]);
    assert.equal(final.length, 2);
    assert.notEqual(final[0]?.key, final[1]?.key);
    assert.deepEqual(
      final.map((d) => d.recipients.map((r) => r.address)),
      [['one@x.example'], ['two@x.example']],
    );
  });

  it('lastKey names the message each line went to, also across queue ID reuse and replays', () => {
    const c = createCorrelator();
    const lines = [
      client('10:00:00', 'Q'),
      delivery('10:00:02', 'Q', 'one@x.example', 'sent'),
      removed('10:00:02', 'Q'),
      client('10:30:00', 'Q'),
      delivery('10:30:02', 'Q', 'two@x.example', 'deferred'),
    ];
    const keys = lines.map((l) => {
      c.push(l);
      return c.lastKey;
    });
    const [first, second] = [keys[0], keys[3]];
    assert.ok(first !== undefined && second !== undefined && first !== second);
    assert.deepEqual(keys, [first, first, first, second, second]);
    c.push(lines[4] as MailEvent);
    assert.equal(c.lastKey, second, 'an exact replay still names its message');
    c.push(ev('10:31:00', 'smtpd', 'reject', 'NOQUEUE'));
    assert.equal(c.lastKey, undefined, 'a NOQUEUE line names none');
    assert.equal(c.keyOf('mx1', 'postfix', 'Q'), second, 'keyOf names the message the queue ID names now');
    assert.equal(c.keyOf('mx2', 'postfix', 'Q'), undefined);
  });

  it('starts a new message when a start line repeats on an open one (its removed line was lost)', () => {
    const { final } = run([
      client('10:00:00', 'Z'),
      queued('10:00:01', 'Z'),
      client('11:00:00', 'Z'),
      queued('11:00:01', 'Z'),
    ]);
    assert.equal(final.length, 2);
  });

  it('tolerates out-of-order lines around removed', () => {
    const { final } = run([
      queued('10:00:01', 'O'),
      removed('10:00:03', 'O'),
      delivery('10:00:03', 'O', 'late@x.example', 'sent'),
      client('10:00:00', 'O'),
      msgid('10:00:00', 'O'),
    ]);
    assert.equal(final.length, 1);
    assert.equal(final[0]?.['@timestamp'], '2023-03-14T10:00:00Z');
    assert.equal(final[0]?.origin, 'smtpd');
    assert.equal(final[0]?.state, 'delivered');
  });

  it('ignores exact replays of a line', () => {
    const d = delivery('10:00:02', 'D', 'b@x.example', 'deferred');
    const { final } = run([queued('10:00:01', 'D'), d, d, client('10:00:00', 'D'), client('10:00:00', 'D')]);
    assert.equal(final.length, 1);
    assert.equal(final[0]?.deferrals, 1);
    assert.equal(final[0]?.recipients[0]?.attempts, 1);
  });

  it('counts deferrals and attempts, then the final status wins even if a deferral arrives late', () => {
    const { final } = run([
      queued('10:00:00', 'E', 2),
      delivery('10:00:01', 'E', 'b@x.example', 'deferred'),
      delivery('10:00:01', 'E', 'c@y.example', 'sent'),
      delivery('10:30:00', 'E', 'b@x.example', 'sent'),
      delivery('10:00:02', 'E', 'b@x.example', 'deferred'),
    ]);
    const d = final[0] as MessageDoc;
    assert.equal(d.deferrals, 2);
    assert.equal(d.recipients.find((r) => r.address === 'b@x.example')?.status, 'sent');
    assert.equal(d.recipients.find((r) => r.address === 'b@x.example')?.attempts, 3);
    assert.equal(d.state, 'delivered');
  });

  it('state stays active until every recipient of nrcpt is known, deferred when the rest wait', () => {
    const c = createCorrelator();
    c.push(queued('10:00:00', 'S', 2));
    assert.equal(c.push(delivery('10:00:01', 'S', 'a@x', 'sent'))[0]?.state, 'active');
    assert.equal(c.push(delivery('10:00:02', 'S', 'b@x', 'deferred'))[0]?.state, 'deferred');
  });

  it('expired: pending recipients become expired, state expired', () => {
    const { final } = run([
      queued('10:00:00', 'X'),
      delivery('10:00:01', 'X', 'b@x.example', 'deferred'),
      ev('10:00:09', 'qmgr', 'expired', 'X', { postfix: { status: 'expired' } }),
      removed('10:00:10', 'X'),
    ]);
    assert.equal(final[0]?.state, 'expired');
    assert.equal(final[0]?.expired_at, '2023-03-14T10:00:09Z');
    assert.equal(final[0]?.recipients[0]?.status, 'expired');
  });

  it('a cleanup reject closes the message as rejected; an smtpd RCPT reject does not', () => {
    const { final } = run([
      client('10:00:00', 'J'),
      ev('10:00:01', 'cleanup', 'reject', 'J', { postfix: { reject: { stage: 'END-OF-MESSAGE' } } }),
      client('10:00:00', 'K'),
      ev('10:00:01', 'smtpd', 'reject', 'K', { postfix: { reject: { stage: 'RCPT' } } }),
      queued('10:00:02', 'K'),
    ]);
    assert.equal(final.find((d) => d.email.local_id === 'J')?.state, 'rejected');
    assert.equal(final.find((d) => d.email.local_id === 'K')?.state, 'active');
  });

  it('expire releases closed messages after the grace, idle ones after the timeout, each once', () => {
    const c = createCorrelator({ lateGraceMs: 60_000, idleTimeoutMs: 3_600_000 });
    c.push(queued('10:00:00', 'G'));
    c.push(removed('10:00:01', 'G'));
    c.push(queued('10:00:00', 'H'));
    const t = (s: string) => Date.parse(`2023-03-14T${s}Z`);
    assert.deepEqual(c.expire(t('10:00:30')), []);
    assert.deepEqual(
      c.expire(t('10:01:30')).map((d) => d.email.local_id),
      ['G'],
    );
    assert.deepEqual(c.expire(t('10:30:00')), []);
    assert.deepEqual(
      c.expire(t('11:00:01')).map((d) => d.email.local_id),
      ['H'],
    );
    assert.equal(c.size, 0);
    assert.deepEqual(c.drain(), []);
  });

  it('maxMessages releases the oldest at once; the next expire returns it', () => {
    const c = createCorrelator({ maxMessages: 2 });
    for (const q of ['M1', 'M2', 'M3']) c.push(queued('10:00:00', q));
    assert.equal(c.size, 2);
    assert.deepEqual(
      c.expire(0).map((d) => d.email.local_id),
      ['M1'],
    );
  });

  it('expire and drain release in order of arrival, whatever memory the messages reused', () => {
    const c = createCorrelator({ lateGraceMs: 1000 });
    const t = (s: string) => Date.parse(`2023-03-14T${s}Z`);
    const round = (time: string, qids: string[]) => {
      for (const q of qids) c.push(queued(time, q));
      for (const q of qids) c.push(removed(time, q));
    };
    round('10:00:00', ['X1', 'X2', 'X3']);
    assert.deepEqual(
      c.expire(t('10:00:05')).map((d) => d.email.local_id),
      ['X1', 'X2', 'X3'],
    );
    round('10:01:00', ['Y1', 'Y2', 'Y3']);
    c.push(queued('10:01:00', 'Y4'));
    assert.deepEqual(
      c.expire(t('10:01:05')).map((d) => d.email.local_id),
      ['Y1', 'Y2', 'Y3'],
    );
    c.push(queued('10:01:06', 'Y5'));
    assert.deepEqual(
      c.drain().map((d) => d.email.local_id),
      ['Y4', 'Y5'],
    );
  });

  it('a queue ID in use on several hosts and instances at once: each line reaches its own message', () => {
    const c = createCorrelator({ lateGraceMs: 1000 });
    const on = (host: string, instance: string, e: MailEvent): MailEvent => ({
      ...e,
      host: { name: host },
      postfix: { ...e.postfix, instance },
    });
    const where = (d: MessageDoc) => `${d.host.name}/${d.postfix.instance}`;
    c.push(on('mx1', 'postfix', queued('10:00:00', 'Q', 1)));
    c.push(on('mx2', 'postfix', queued('10:00:00', 'Q', 1)));
    c.push(on('mx1', 'postfix-out', queued('10:00:00', 'Q', 1)));
    // The middle one of the three ends and leaves memory; another message takes its place.
    c.push(on('mx2', 'postfix', removed('10:00:01', 'Q')));
    assert.deepEqual(c.expire(Date.parse('2023-03-14T10:00:05Z')).map(where), ['mx2/postfix']);
    c.push(on('mx2', 'postfix', queued('10:00:06', 'R', 1)));
    const out = c.push(on('mx1', 'postfix-out', delivery('10:00:07', 'Q', 'b@x', 'sent')));
    assert.deepEqual(out.map(where), ['mx1/postfix-out']);
    c.push(on('mx1', 'postfix', delivery('10:00:08', 'Q', 'a@x', 'sent')));
    // Then the first of them leaves.
    c.push(on('mx1', 'postfix', removed('10:00:08', 'Q')));
    const first = c.expire(Date.parse('2023-03-14T10:00:10Z'));
    assert.deepEqual(
      first.map((d) => [where(d), d.recipients.map((r) => r.address)]),
      [['mx1/postfix', ['a@x']]],
    );
    c.push(on('mx1', 'postfix-out', delivery('10:00:11', 'Q', 'c@x', 'sent')));
    // A new message with the queue ID on the host whose old one left memory.
    c.push(on('mx2', 'postfix', queued('10:00:12', 'Q', 1)));
    const docs = c.drain();
    assert.deepEqual(
      docs.map((d) => [where(d), d.email.local_id, d.recipients.map((r) => r.address)]),
      [
        ['mx1/postfix-out', 'Q', ['b@x', 'c@x']],
        ['mx2/postfix', 'R', []],
        ['mx2/postfix', 'Q', []],
      ],
    );
    assert.equal(new Set([...docs, ...first].map((d) => d.key)).size, 4);
  });

  it('snapshots are copies: later lines do not change a document already returned', () => {
    const c = createCorrelator();
    const [first] = c.push(queued('10:00:00', 'W', 1));
    c.push(delivery('10:00:01', 'W', 'a@x', 'sent'));
    assert.equal(first?.recipients.length, 0);
    assert.equal(first?.state, 'active');
  });

  it("live documents are the correlator's own: read at the end, they hold every line since, as copies taken then would", () => {
    const live = createCorrelator({ snapshots: 'live' });
    const copies = createCorrelator();
    const lines = [
      queued('10:00:00', 'L', 2),
      delivery('10:00:01', 'L', 'a@x', 'sent'),
      delivery('10:00:02', 'L', 'b@x', 'deferred'),
    ];
    const [first] = live.push(lines[0] as MailEvent);
    copies.push(lines[0] as MailEvent);
    let latest: MessageDoc | undefined;
    for (const line of lines.slice(1)) {
      assert.equal(live.push(line)[0], first);
      [latest] = copies.push(line);
    }
    assert.equal(first?.recipients.length, 2);
    assert.deepEqual(first, latest);
  });

  it('restore continues a stored message under its key and resolves its pending hop', () => {
    const a = createCorrelator();
    a.push(client('10:00:00', 'T'));
    a.push(queued('10:00:01', 'T'));
    const stored = a.push(
      delivery('10:00:02', 'T', 'u@x', 'sent', { next_queue_id: 'U', response: 'queued as U' }),
    );
    const b = createCorrelator();
    b.restore(stored);
    const out = b.push(removed('10:00:03', 'T'));
    assert.equal(out[0]?.key, stored[0]?.key);
    assert.equal(out[0]?.removed_at, '2023-03-14T10:00:03Z');
    const linked = b.push(client('10:00:03', 'U', '127.0.0.1'));
    const t = linked.find((d) => d.email.local_id === 'T');
    assert.equal(t?.recipients[0]?.internal, true);
    assert.equal(linked.find((d) => d.email.local_id === 'U')?.trace_id, stored[0]?.key);
  });

  it('ignores lines without a queue ID and NOQUEUE', () => {
    const c = createCorrelator();
    assert.deepEqual(c.push(ev('10:00:00', 'smtpd', 'reject', 'NOQUEUE')), []);
    const noId = ev('10:00:00', 'smtpd', 'connect', 'x');
    noId.email = undefined;
    assert.deepEqual(c.push(noId), []);
    assert.equal(c.size, 0);
  });
});
