/**
 * A small hand-written Postfix log for the dashboard tests, with times relative to now so the
 * page's default "last 24 hours" shows it. Every panel has something to draw: deliveries
 * (sent, deferred, bounced, internal hop), rejections with categories and a DNSBL, postscreen
 * verdicts, a SASL failure, TLS sessions, and one message still deferred.
 *
 * Known truth, counted by hand from the lines below (recipient level, internal hop excluded):
 * delivered 3 (A1 to gmail.com, B2 to example.net, C3 to seznam.cz), deferral attempts 2
 * (D4 twice to slow.example), bounced 1 (E5 to nobody@example.org), rejected 3, SASL failures 1.
 */

/** A queue ID that only this fixture uses, so the page search has exactly one hit. */
export const TRACE_QUEUE_ID = '4D4D4D4D4D';
export const TRACE_SENDER = 'alerts@mailpulse.test';

export const FIXTURE_TRUTH = {
  delivered: 3,
  deferrals: 2,
  bounced: 1,
  rejected: 3,
  saslFailures: 1,
} as const;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Classic syslog time (UTC, no year) `minutesAgo` before `now`. */
function stamp(now: number, minutesAgo: number, second = 0): string {
  const d = new Date(now - minutesAgo * 60_000 + second * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** One more rejection, a minute ago: what the live-refresh test indexes after the page loaded. */
export function lateRejectLine(now = Date.now()): string {
  return `${stamp(now, 1)} mx1 postfix/smtpd[160]: NOQUEUE: reject: RCPT from unknown[198.51.100.99]: 550 5.1.1 <late@example.net>: Recipient address rejected: User unknown in local recipient table; from=<x@y.example> to=<late@example.net> proto=ESMTP helo=<y.example>`;
}

export function fixtureLines(now = Date.now()): string[] {
  const h = 'mx1';
  const L = (ago: number, s: number, rest: string) => `${stamp(now, ago, s)} ${h} ${rest}`;
  const D = TRACE_QUEUE_ID;
  return [
    // A1: received over TLS, handed to a content filter (internal hop), re-injected as B2, delivered.
    L(300, 0, 'postfix/postscreen[100]: CONNECT from [198.51.100.7]:40000 to [192.0.2.10]:25'),
    L(300, 1, 'postfix/postscreen[100]: PASS NEW [198.51.100.7]:40000'),
    L(300, 2, 'postfix/smtpd[101]: connect from mail.sender.example[198.51.100.7]'),
    L(
      300,
      2,
      'postfix/smtpd[101]: Anonymous TLS connection established from mail.sender.example[198.51.100.7]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)',
    ),
    L(300, 3, 'postfix/smtpd[101]: A1A1A1A1A1: client=mail.sender.example[198.51.100.7]'),
    L(300, 3, 'postfix/cleanup[102]: A1A1A1A1A1: message-id=<a1@sender.example>'),
    L(300, 3, 'postfix/qmgr[103]: A1A1A1A1A1: from=<news@sender.example>, size=2048, nrcpt=1 (queue active)'),
    L(
      300,
      4,
      'postfix/smtp[104]: A1A1A1A1A1: to=<user@gmail.com>, relay=127.0.0.1[127.0.0.1]:10024, delay=0.5, delays=0.1/0/0.1/0.3, dsn=2.0.0, status=sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as B2B2B2B2B2)',
    ),
    L(300, 4, 'postfix/qmgr[103]: A1A1A1A1A1: removed'),
    L(
      300,
      4,
      'postfix/smtpd[101]: disconnect from mail.sender.example[198.51.100.7] ehlo=2 starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7',
    ),
    L(300, 5, 'postfix/qmgr[103]: B2B2B2B2B2: from=<news@sender.example>, size=2300, nrcpt=1 (queue active)'),
    L(
      300,
      6,
      'postfix/smtp[105]: B2B2B2B2B2: to=<user@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.1.27]:25, delay=1.2, delays=0.1/0/0.3/0.8, dsn=2.0.0, status=sent (250 2.0.0 OK 1700000000 x1si123 - gsmtp)',
    ),
    L(300, 6, 'postfix/qmgr[103]: B2B2B2B2B2: removed'),
    // C3: submitted by an authenticated user, delivered to two domains.
    L(200, 0, 'postfix/submission/smtpd[110]: connect from laptop.example.net[203.0.113.5]'),
    L(
      200,
      1,
      'postfix/submission/smtpd[110]: C3C3C3C3C3: client=laptop.example.net[203.0.113.5], sasl_method=PLAIN, sasl_username=alice',
    ),
    L(200, 1, 'postfix/cleanup[102]: C3C3C3C3C3: message-id=<c3@example.net>'),
    L(200, 1, 'postfix/qmgr[103]: C3C3C3C3C3: from=<alice@example.net>, size=4096, nrcpt=2 (queue active)'),
    L(
      200,
      3,
      'postfix/smtp[111]: C3C3C3C3C3: to=<bob@example.net>, relay=mx.example.net[192.0.2.20]:25, delay=2.1, delays=0.1/0/0.5/1.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 99)',
    ),
    L(
      200,
      4,
      'postfix/smtp[112]: C3C3C3C3C3: to=<karel@seznam.cz>, relay=mx70.seznam.cz[77.75.73.49]:25, delay=3.4, delays=0.1/0/1.1/2.2, dsn=2.0.0, status=sent (250 2.0.0 message queued)',
    ),
    L(200, 4, 'postfix/qmgr[103]: C3C3C3C3C3: removed'),
    // D4 (the traced message): deferred twice, still in the queue.
    L(120, 0, `postfix/pickup[120]: ${D}: uid=1000 from=<${TRACE_SENDER}>`),
    L(120, 0, `postfix/cleanup[102]: ${D}: message-id=<d4@mailpulse.test>`),
    L(120, 0, `postfix/qmgr[103]: ${D}: from=<${TRACE_SENDER}>, size=1500, nrcpt=1 (queue active)`),
    L(
      120,
      30,
      `postfix/smtp[121]: ${D}: to=<ops@slow.example>, relay=none, delay=30, delays=0.1/0/30/0, dsn=4.4.1, status=deferred (connect to mx.slow.example[192.0.2.99]:25: Connection timed out)`,
    ),
    L(
      60,
      0,
      `postfix/smtp[122]: ${D}: to=<ops@slow.example>, relay=none, delay=3630, delays=3600/0/30/0, dsn=4.4.1, status=deferred (connect to mx.slow.example[192.0.2.99]:25: Connection timed out)`,
    ),
    // E5: bounced.
    L(90, 0, 'postfix/qmgr[103]: E5E5E5E5E5: from=<alice@example.net>, size=900, nrcpt=1 (queue active)'),
    L(
      90,
      2,
      'postfix/smtp[130]: E5E5E5E5E5: to=<nobody@example.org>, relay=mx.example.org[192.0.2.30]:25, delay=1.5, delays=0.1/0/0.4/1, dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.30] said: 550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO command))',
    ),
    L(90, 2, 'postfix/qmgr[103]: E5E5E5E5E5: removed'),
    // Rejections: a DNSBL hit, an unknown user, a relay attempt; postscreen verdicts; SASL failure.
    L(45, 0, 'postfix/postscreen[100]: CONNECT from [192.0.2.66]:50000 to [192.0.2.10]:25'),
    L(45, 1, 'postfix/postscreen[100]: DNSBL rank 3 for [192.0.2.66]:50000'),
    L(
      45,
      2,
      'postfix/postscreen[100]: NOQUEUE: reject: RCPT from [192.0.2.66]:50000: 550 5.7.1 Service unavailable; client [192.0.2.66] blocked using zen.spamhaus.org; from=<spam@bad.example>, to=<user@example.net>, proto=ESMTP, helo=<bad.example>',
    ),
    L(40, 0, 'postfix/postscreen[100]: CONNECT from [198.51.100.9]:41000 to [192.0.2.10]:25'),
    L(40, 1, 'postfix/postscreen[100]: PASS OLD [198.51.100.9]:41000'),
    L(40, 2, 'postfix/smtpd[140]: connect from unknown[198.51.100.9]'),
    L(
      40,
      3,
      'postfix/smtpd[140]: NOQUEUE: reject: RCPT from unknown[198.51.100.9]: 550 5.1.1 <ghost@example.net>: Recipient address rejected: User unknown in local recipient table; from=<x@y.example> to=<ghost@example.net> proto=ESMTP helo=<y.example>',
    ),
    L(
      40,
      4,
      'postfix/smtpd[140]: NOQUEUE: reject: RCPT from unknown[198.51.100.9]: 454 4.7.1 <victim@elsewhere.example>: Relay access denied; from=<x@y.example> to=<victim@elsewhere.example> proto=ESMTP helo=<y.example>',
    ),
    L(
      40,
      5,
      'postfix/smtpd[140]: disconnect from unknown[198.51.100.9] ehlo=1 mail=1 rcpt=0/2 quit=1 commands=3/5',
    ),
    L(30, 0, 'postfix/smtpd[150]: connect from unknown[203.0.113.77]'),
    L(
      30,
      1,
      'postfix/smtpd[150]: warning: unknown[203.0.113.77]: SASL LOGIN authentication failed: UGFzc3dvcmQ6',
    ),
    L(30, 2, 'postfix/smtpd[150]: disconnect from unknown[203.0.113.77] ehlo=1 auth=0/1 quit=1 commands=2/3'),
  ];
}
