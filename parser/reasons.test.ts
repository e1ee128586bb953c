import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyReason, normalizeReason } from './reasons.js';

/** [reason text as Postfix or a remote server writes it, category, rbl] */
const CATEGORIES: ReadonlyArray<readonly [string, string, string?]> = [
  [
    'Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.1',
    'rbl',
    'zen.spamhaus.org',
  ],
  [
    'Service unavailable; client [192.0.2.1] blocked using b.barracudacentral.org',
    'rbl',
    'b.barracudacentral.org',
  ],
  [
    'host mx.remote.example[198.51.100.1] said: 554 5.7.1 Service unavailable; Client host [203.0.113.1] blocked using Spamhaus (in reply to RCPT TO command)',
    'rbl',
  ],
  ['<a@example.org>: Recipient address rejected: User unknown in local recipient table', 'unknown_user'],
  [
    'host mx.remote.example[198.51.100.1] said: 550 5.1.1 <x@remote.example>: No such user here (in reply to RCPT TO command)',
    'unknown_user',
  ],
  ['<v@elsewhere.example>: Relay access denied', 'relay_denied'],
  ['<localhost>: Helo command rejected: need fully-qualified hostname', 'helo'],
  ['<a@nx.invalid>: Sender address rejected: Domain not found', 'sender_domain'],
  ['Client host rejected: cannot find your hostname, [192.0.2.3]', 'client_hostname'],
  ['<b@example.org>: Recipient address rejected: Greylisted, see http://postgrey.example/help', 'greylist'],
  ['<b@example.org>: Recipient address rejected: Message rejected due to: SPF fail - not authorized', 'spf'],
  ['5.7.1 DMARC policy of example.com requires rejection', 'dkim'],
  ['5.7.1 Spam message rejected', 'content'],
  ['Error: too many connections from 192.0.2.9', 'rate_limit'],
  [
    'host mx[198.51.100.2] said: 421 4.7.28 Our system has detected an unusual rate of unsolicited mail (in reply to end of DATA command)',
    'rate_limit',
  ],
  ['Cannot start TLS: handshake failure', 'tls'],
  ['Host or domain name not found. Name service error for name=nx.example type=MX: Host not found', 'dns'],
  ['connect to mx.slow.example[203.0.113.80]:25: Connection timed out', 'connection'],
  [
    'lost connection with mx.remote.example[198.51.100.1] while receiving the initial server greeting',
    'connection',
  ],
  ['maildir delivery failed: Disk quota exceeded', 'mailbox_full'],
  ['host mx[198.51.100.2] said: 552 5.2.2 Mailbox full (in reply to RCPT TO command)', 'mailbox_full'],
  ['host mx[198.51.100.2] said: 554 Transaction failed (in reply to end of DATA command)', 'remote_reject'],
  ['Message size exceeds fixed limit', 'policy'],
  ['something nobody anticipated', 'other'],
];

test('reason categories', () => {
  for (const [text, category, rbl] of CATEGORIES) {
    const r = classifyReason(text);
    assert.equal(r.category, category, text);
    if (rbl !== undefined) assert.equal(r.rbl, rbl, text);
  }
});

test('a host name or address cannot fake a category', () => {
  assert.equal(
    classifyReason('connect to spam-filter.example[192.0.2.5]:25: Connection refused').category,
    'connection',
  );
  assert.equal(
    classifyReason('<relay@example.org>: Recipient address rejected: User unknown').category,
    'unknown_user',
  );
});

test('normalized text groups reasons that differ only in variable parts', () => {
  const a = normalizeReason(
    'Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.1',
  );
  const b = normalizeReason(
    'Service unavailable; Client host [203.0.113.200] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/203.0.113.200',
  );
  assert.equal(a, b);
  assert.equal(
    a,
    'Service unavailable; Client host * blocked using zen.spamhaus.org; https://www.spamhaus.org/*',
  );
});

test('normalization masks addresses, queue IDs and numbers, keeps reply and status codes', () => {
  assert.equal(
    normalizeReason(
      'host mx1.remote.example[198.51.100.25] said: 450 4.7.1 <gina@grey.example>: try again in 300 seconds, id 9D4E23B1C8A (in reply to RCPT TO command)',
    ),
    'host * said: 450 4.7.1 <*>: try again in * seconds, id * (in reply to RCPT TO command)',
  );
  assert.equal(normalizeReason('user bob@example.org over quota'), 'user * over quota');
  assert.equal(
    normalizeReason('connect to mx.a.example[2001:db8::1]:25: Connection refused'),
    'connect to *: Connection refused',
  );
});

test('reason text is bounded', () => {
  const r = classifyReason(`550 5.7.1 ${'word '.repeat(10_000)}`);
  assert.ok(r.text.length <= 241);
});
