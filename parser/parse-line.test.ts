import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { EventSchema } from '../core/event.js';
import { createParseContext } from './context.js';
import { classic } from './line-cases.js';
import { parsedMs, parseLine } from './parse-line.js';

/** Hand-written lines covering every daemon module: the seeds the mutation fuzzer starts from. */
const SEEDS = [
  classic('postfix/smtpd', 'connect from mail.example.org[192.0.2.10]'),
  classic('postfix/smtpd', 'disconnect from unknown[198.51.100.7] ehlo=1 auth=0/1 commands=1/2'),
  classic(
    'postfix/smtpd',
    'NOQUEUE: reject: RCPT from unknown[203.0.113.77]: 554 5.7.1 <v@e.example>: Relay access denied; from=<s@b.example> to=<v@e.example> proto=ESMTP helo=<b.example>',
  ),
  classic(
    'postfix/smtpd',
    '7E1AEC2C388: client=a.example[192.0.2.1]:5000, sasl_method=PLAIN, sasl_username=u',
  ),
  classic('postfix/smtpd', 'warning: unknown[203.0.113.66]: SASL LOGIN authentication failed: UGFzc3dvcmQ6'),
  classic('postfix/postscreen', 'PREGREET 14 after 0.08 from [203.0.113.51]:5555: HELO example\\r\\n'),
  classic(
    'postfix/postscreen',
    'NOQUEUE: reject: RCPT from [203.0.113.57]:6005: 550 5.7.1 Service unavailable; client [203.0.113.57] blocked using bl.example.net; from=<x@y.example>, to=<u@example.org>, proto=ESMTP, helo=<y.example>',
  ),
  classic('postfix/dnsblog', 'addr 203.0.113.60 listed by domain bl.example.net as 127.0.0.4'),
  classic(
    'postfix/cleanup',
    '7E1AEC2C388: reject: header Subject: hi from a.example[192.0.2.10]; from=<a@a.example> to=<b@example.org> proto=ESMTP helo=<a.example>: 5.7.1 No',
  ),
  classic('postfix/qmgr', '7E1AEC2C388: from=<alice@sender.example>, size=4242, nrcpt=3 (queue active)'),
  classic(
    'postfix/smtp',
    '8C3F12A0B7: to=<c@r.example>, orig_to=<o@r.example>, relay=mx[198.51.100.25]:25, conn_use=2, delay=1.3, delays=0.05/0.01/0.4/0.84, dsn=4.7.1, status=deferred (host mx[198.51.100.25] said: 450 4.7.1 Try later (nested (parens)) (in reply to RCPT TO command))',
  ),
  classic('postfix/bounce', '7E1AEC2C388: sender non-delivery notification: 8F2BFD2C389'),
  classic('postfix/anvil', 'statistics: max connection rate 12/60s for (smtp:192.0.2.80) at Mar 14 09:55:01'),
  classic('postfix/master', 'daemon started -- version 3.7.10, configuration /etc/postfix'),
  '<22>1 2023-03-14T10:00:00.003+01:00 mx1 postfix/smtpd 4242 - [m k="v"] connect from a.example[192.0.2.1]',
  '2023-03-14T00:00:31.185246+01:00 mx1 postfix/tlsproxy[7]: TLS handshake failed for service=smtpd peer=[192.0.2.71]:41001',
];

function check(
  line: string,
  ctx = createParseContext({ timeZone: 'Europe/Berlin', now: new Date('2023-06-01T00:00:00Z') }),
): void {
  const event = parseLine(line, ctx);
  const valid = EventSchema.safeParse(event);
  if (!valid.success) throw new Error(`schema: ${valid.error.message} for ${JSON.stringify(line)}`);
  if (event.event.original !== line) throw new Error(`original changed for ${JSON.stringify(line)}`);
  if (Number.isNaN(Date.parse(event['@timestamp']))) throw new Error(`bad @timestamp ${event['@timestamp']}`);
  // parseLine's safety net turns exceptions into events; here an exception is a bug.
  if (event.event.reason?.startsWith('parser error'))
    throw new Error(`${event.event.reason} for ${JSON.stringify(line)}`);
}

test('seeds parse to specific actions (the fuzzer starts from understood lines)', () => {
  const ctx = createParseContext({ timeZone: 'UTC' });
  for (const line of SEEDS) {
    const action = parseLine(line, ctx).event.action;
    assert.ok(action !== 'unparsed' && action !== 'other', `${action}: ${line}`);
  }
});

test('fuzz: random strings never throw and give a schema-valid event with the line kept', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => check(s)),
    { numRuns: 3000 },
  );
});

test('fuzz: random strings behind a valid header', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(
        'postfix/smtpd',
        'postfix/postscreen',
        'postfix/qmgr',
        'postfix/smtp',
        'postfix/cleanup',
        'postfix/anvil',
      ),
      fc.string({ maxLength: 200 }),
      (prog, text) => check(classic(prog, text)),
    ),
    { numRuns: 3000 },
  );
});

/** A seed with characters deleted, replaced or inserted, cut short, or a slice repeated. */
const mutated = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.constantFrom('delete', 'replace', 'insert', 'cut', 'repeat'),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }),
      ),
      { minLength: 1, maxLength: 6 },
    ),
  )
  .map(([seed, edits]) => {
    let s = seed;
    for (const [pos, op, text] of edits) {
      const i = s.length === 0 ? 0 : pos % s.length;
      if (op === 'delete') s = s.slice(0, i) + s.slice(i + 1);
      else if (op === 'replace') s = s.slice(0, i) + text + s.slice(i + text.length);
      else if (op === 'insert') s = s.slice(0, i) + text + s.slice(i);
      else if (op === 'cut') s = s.slice(0, i);
      else s = s.slice(0, i) + s.slice(i, i + 20).repeat(3) + s.slice(i);
    }
    return s;
  });

test('fuzz: mutated Postfix lines never throw and stay schema-valid', () => {
  fc.assert(
    fc.property(mutated, (line) => check(line)),
    { numRuns: 5000 },
  );
});

test('fuzz: a stream of mutated lines through one context (state never breaks)', () => {
  fc.assert(
    fc.property(fc.array(mutated, { maxLength: 30 }), (lines) => {
      const ctx = createParseContext({ timeZone: 'Europe/Berlin' });
      for (const line of lines) check(line, ctx);
    }),
    { numRuns: 300 },
  );
});

test('NUL bytes, invalid UTF-8 (U+FFFD), lone surrogates and control characters', () => {
  const lines = [
    classic('postfix/smtpd', 'connect from a\u0000b.example[192.0.2.1]'),
    classic('postfix/smtpd', '\u0000\u0000\u0000'),
    classic('postfix/cleanup', '7E1AEC2C388: message-id=<\uFFFD\uFFFD@x.example>'),
    classic(
      'postfix/smtp',
      '8C3F12A0B7: to=<\uD800@x.example>, relay=none, delay=1, delays=0/0/0/1, dsn=4.0.0, status=deferred (\uDFFF)',
    ),
    `Mar 14 10:00:00 mx\u0000 postfix/smtpd[1]: connect from a[192.0.2.1]`,
    '\u0000Mar 14 10:00:00 mx1 postfix/smtpd[1]: x',
    classic('postfix/smtpd', 'connect from a.example[192.0.2.1]#015#012'),
  ];
  for (const line of lines) check(line);
  const event = parseLine(lines[0] as string, createParseContext({ timeZone: 'UTC' }));
  assert.equal(event.event.action, 'connect');
});

test('numbers that are not numbers never reach the event as NaN or Infinity', () => {
  const huge = '9'.repeat(400);
  const lines = [
    classic('postfix/postscreen', `PREGREET ${huge} after 1.2.3 from [192.0.2.1]:1: x`),
    classic('postfix/postscreen', 'HANGUP after 1.2.3 from [192.0.2.1]:1 in tests after SMTP handshake'),
    classic('postfix/postscreen', 'DNSBL rank x for [192.0.2.1]:1'),
    classic(
      'postfix/anvil',
      `statistics: max connection rate ${huge}/${huge}s for (smtp:192.0.2.1) at Mar 14 10:00:00`,
    ),
    classic(
      'postfix/smtp',
      `8C3F12A0B7: to=<a@b.example>, relay=none, delay=Infinity, delays=1e999/0/0/0, conn_use=${huge}, dsn=4.0.0, status=deferred (x)`,
    ),
    classic('postfix/qmgr', `7E1AEC2C388: from=<a@b.example>, size=${huge}, nrcpt=1 (queue active)`),
    classic('postfix/smtpd', `disconnect from a[192.0.2.1] commands=${huge}/${huge}`),
    classic('postfix/master', `terminating on signal ${huge}`),
  ];
  for (const line of lines) check(line);
});

test('rsyslog #012 escapes count as spaces in fields and stay in event.original', () => {
  const line = classic(
    'postfix/smtpd',
    'NOQUEUE: reject: RCPT from a.example[192.0.2.1]: 550 5.7.1 first#012second; from=<a@a.example> to=<b@b.example> proto=ESMTP helo=<a>',
  );
  const event = parseLine(line, createParseContext({ timeZone: 'UTC' }));
  assert.equal(event.postfix?.response, '550 5.7.1 first second');
  assert.equal(event.event.original, line);
});

/** 100 KB lines of shapes that make naive regexes backtrack. */
const HUGE = 100 * 1024;
const hugeLines = [
  classic(
    'postfix/smtp',
    `8C3F12A0B7: to=<a@b.example>, relay=x[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.0.0, status=bounced (${'('.repeat(HUGE / 2)}${'x )'.repeat(HUGE / 6)})`,
  ),
  classic(
    'postfix/smtpd',
    `NOQUEUE: reject: RCPT from a[192.0.2.1]: 550 5.7.1 ${'a'.repeat(HUGE)}; from=<a> to=<b> proto=SMTP helo=<x>`,
  ),
  classic('postfix/smtpd', `NOQUEUE: reject: RCPT from a[192.0.2.1]: 550 ${'9'.repeat(HUGE)}`),
  classic('postfix/smtpd', `NOQUEUE: reject: RCPT from a[192.0.2.1]: 550 ${'[1'.repeat(HUGE / 2)}`),
  classic('postfix/smtpd', `NOQUEUE: reject: RCPT from a[192.0.2.1]: 550 ${'a@'.repeat(HUGE / 2)}`),
  classic('postfix/smtpd', `NOQUEUE: reject: RCPT from a[192.0.2.1]: 550 ${'<'.repeat(HUGE)}`),
  classic('postfix/smtp', `8C3F12A0B7: to=<a>, ${'k=v, '.repeat(HUGE / 5)}status=sent (ok)`),
  classic('postfix/smtp', `8C3F12A0B7: to=${'<'.repeat(HUGE)}`),
  classic('postfix/smtpd', `warning: ${'x['.repeat(HUGE / 2)}: SASL LOGIN authentication failed: x`),
  classic('postfix/smtpd', `warning: ${'a'.repeat(HUGE)}[192.0.2.1]: SASL LOGIN authentication failed: x`),
  classic('postfix/anvil', `statistics: max connection rate 1/60s for (${'smtp:'.repeat(HUGE / 5)}) at x`),
  classic('postfix/postscreen', `PREGREET 1 after 1 from [192.0.2.1]:1: ${'\\r\\n'.repeat(HUGE / 4)}`),
  classic(
    'postfix/cleanup',
    `7E1AEC2C388: reject: header ${' from '.repeat(HUGE / 6)}; from=<a> to=<b>: 5.7.1 x`,
  ),
  `${'Mar 14 10:00:00 '.repeat(HUGE / 16)}`,
  `<1>1 ${'2023-03-14T10:00:00Z '.repeat(HUGE / 21)}`,
  `<1>1 2023-03-14T10:00:00Z h a p m ${'['.repeat(HUGE)}`,
  'x'.repeat(HUGE),
  ' '.repeat(HUGE),
];

test('100 KB lines finish quickly (no catastrophic backtracking)', () => {
  const ctx = createParseContext({ timeZone: 'UTC' });
  for (const line of hugeLines) {
    const start = performance.now();
    const event = parseLine(line, ctx);
    const ms = performance.now() - start;
    assert.equal(event.event.original, line);
    assert.ok(EventSchema.safeParse(event).success);
    assert.ok(!event.event.reason?.startsWith('parser error'), event.event.reason);
    // Linear work is well under a millisecond per 100 KB; quadratic would take seconds.
    assert.ok(ms < 250, `${ms.toFixed(0)} ms for a line starting ${JSON.stringify(line.slice(0, 60))}`);
  }
});

test('a 100 KB remote reply is kept whole in postfix.response', () => {
  const reply = `550 5.7.1 ${'z'.repeat(HUGE)}`;
  const line = classic(
    'postfix/smtp',
    `8C3F12A0B7: to=<a@b.example>, relay=x[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (${reply})`,
  );
  const event = parseLine(line, createParseContext({ timeZone: 'UTC' }));
  assert.equal(event.postfix?.response, reply);
  assert.ok((event.postfix?.reason?.text?.length ?? 0) <= 241);
});

test('parsedMs is the instant of @timestamp, for parsed, fallback and zone-shifted lines', () => {
  const lines = [
    ...SEEDS,
    '2026-03-14T10:00:00.123456+02:00 mx postfix/qmgr[1]: 7E1AEC2C388: removed',
    'Mar 14 00:00:31 mx postfix/pickup[2]: 7E1AEC2C388: uid=0 from=<root>',
    'garbage without a header',
    '2026 Mar 14 00:00:31.5 mx postfix/anvil[3]: statistics: max cache size 1 at Mar 14 00:00:31',
    '',
  ];
  for (const options of [
    { timeZone: 'UTC' },
    { timeZone: 'Europe/Berlin' },
    { now: new Date('2026-05-01T00:00:00Z') },
  ]) {
    const ctx = createParseContext(options);
    for (const line of lines) {
      const ev = parseLine(line, ctx);
      assert.equal(parsedMs(ev, ctx), Date.parse(ev['@timestamp']), `${JSON.stringify(options)} ${line}`);
    }
  }
});
