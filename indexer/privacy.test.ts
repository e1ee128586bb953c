import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import type { MailEvent } from '../core/event.js';
import { createRedactor } from './privacy.js';

const KEY = 'a-test-key-of-some-length';
const h = (local: string) => `anon-${createHmac('sha256', KEY).update(local.toLowerCase()).digest('hex').slice(0, 16)}`;

const line =
  '2026-03-14T00:00:01.000Z mx1 postfix/smtp[11]: 7E1AEC2C388: to=<Bob.Smith@example.org>, orig_to=<bob@example.net>, relay=mx.example.org[192.0.2.7]:25, delay=1, delays=0/0/0.5/0.5, dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.7] said: 550 5.1.1 <Bob.Smith@example.org>: Recipient address rejected)';

function event(): MailEvent {
  return {
    '@timestamp': '2026-03-14T00:00:01.000Z',
    event: { original: line, action: 'delivery' },
    host: { name: 'mx1' },
    process: { name: 'smtp', pid: 11 },
    email: { local_id: '7E1AEC2C388', to: { address: 'Bob.Smith@example.org', domain: 'example.org' } },
    user: { name: 'carol' },
    postfix: {
      status: 'bounced',
      orig_to: 'bob@example.net',
      response: '550 5.1.1 <Bob.Smith@example.org>: Recipient address rejected',
    },
  } as MailEvent;
}

test('addresses keep their domain and get a keyed, case-insensitive hash of the local part', () => {
  const out = createRedactor(KEY)(event());
  assert.equal(out.email?.to?.address, `${h('bob.smith')}@example.org`);
  assert.equal(out.email?.to?.domain, 'example.org');
  assert.equal(out.postfix?.orig_to, `${h('bob')}@example.net`);
  assert.equal(out.user?.name, h('carol'));
  assert.equal(out.postfix?.response, `550 5.1.1 <${h('Bob.Smith')}@example.org>: Recipient address rejected`);
});

test('the raw line keeps everything but the local parts', () => {
  const out = createRedactor(KEY)(event());
  assert.doesNotMatch(out.event.original, /bob/i);
  assert.equal(out.event.original, line.replaceAll('Bob.Smith@', `${h('bob.smith')}@`).replace('bob@', `${h('bob')}@`));
});

test('a SASL user name in the raw line is hashed whole', () => {
  const e = event();
  e.event.original = '... client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=carol';
  assert.equal(createRedactor(KEY)(e).event.original, `... client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=${h('carol')}`);
});

test('another key gives other values; the input event is not changed', () => {
  const e = event();
  const a = createRedactor(KEY)(e);
  const b = createRedactor('another-key-of-some-length')(e);
  assert.notEqual(a.email?.to?.address, b.email?.to?.address);
  assert.equal(e.email?.to?.address, 'Bob.Smith@example.org');
  assert.equal(e.event.original, line);
});
