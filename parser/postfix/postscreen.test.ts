import { classic, type LineCase, runCases } from '../line-cases.js';

const ps = (text: string) => classic('postfix/postscreen', text);

const cases: LineCase[] = [
  {
    name: 'CONNECT',
    line: ps('CONNECT from [192.0.2.33]:40512 to [198.51.100.1]:25'),
    expect: {
      event: { action: 'connect' },
      process: { name: 'postscreen' },
      source: { ip: '192.0.2.33', port: 40512 },
      postfix: { detail: { local: '198.51.100.1:25' } },
    },
  },
  {
    name: 'PASS NEW',
    line: ps('PASS NEW [192.0.2.33]:40512'),
    expect: {
      event: { action: 'postscreen' },
      postfix: { detail: { verdict: 'PASS NEW' } },
      source: { ip: '192.0.2.33' },
    },
  },
  {
    name: 'PASS OLD',
    line: ps('PASS OLD [192.0.2.33]:40512'),
    expect: { postfix: { detail: { verdict: 'PASS OLD' } } },
  },
  {
    name: 'WHITELISTED',
    line: ps('WHITELISTED [192.0.2.34]:50000'),
    expect: { postfix: { detail: { verdict: 'WHITELISTED' } } },
  },
  {
    name: 'DENYLISTED (3.6 wording)',
    line: ps('DENYLISTED [192.0.2.35]:50000'),
    expect: { postfix: { detail: { verdict: 'DENYLISTED' } } },
  },
  {
    name: 'DNSBL rank',
    line: ps('DNSBL rank 5 for [203.0.113.50]:33333'),
    expect: {
      event: { action: 'postscreen' },
      postfix: { detail: { verdict: 'DNSBL', dnsbl_rank: 5 } },
      source: { ip: '203.0.113.50', port: 33333 },
    },
  },
  {
    name: 'PREGREET with the greeting text',
    line: ps('PREGREET 14 after 0.08 from [203.0.113.51]:5555: HELO example\\r\\n'),
    expect: {
      postfix: {
        detail: { verdict: 'PREGREET', bytes: 14, after_seconds: 0.08, text: 'HELO example\\r\\n' },
      },
      source: { ip: '203.0.113.51' },
    },
  },
  {
    name: 'HANGUP',
    line: ps('HANGUP after 1.5 from [203.0.113.52]:6000 in tests before SMTP handshake'),
    expect: {
      postfix: { detail: { verdict: 'HANGUP', after_seconds: 1.5, stage: 'tests before SMTP handshake' } },
    },
  },
  {
    name: 'COMMAND TIME LIMIT',
    line: ps('COMMAND TIME LIMIT from [203.0.113.53]:6001 after RCPT'),
    expect: { postfix: { detail: { verdict: 'COMMAND TIME LIMIT', after: 'RCPT' } } },
  },
  {
    name: 'COMMAND COUNT LIMIT',
    line: ps('COMMAND COUNT LIMIT from [203.0.113.53]:6001 after RSET'),
    expect: { postfix: { detail: { verdict: 'COMMAND COUNT LIMIT', after: 'RSET' } } },
  },
  {
    name: 'COMMAND PIPELINING with the pipelined text',
    line: ps('COMMAND PIPELINING from [203.0.113.54]:6002 after EHLO: MAIL FROM:<a@b.example>\\r\\n'),
    expect: {
      postfix: {
        detail: { verdict: 'COMMAND PIPELINING', after: 'EHLO', text: 'MAIL FROM:<a@b.example>\\r\\n' },
      },
    },
  },
  {
    name: 'BARE NEWLINE',
    line: ps('BARE NEWLINE from [203.0.113.55]:6003 after DATA'),
    expect: { postfix: { detail: { verdict: 'BARE NEWLINE', after: 'DATA' } } },
  },
  {
    name: 'NON-SMTP COMMAND',
    line: ps('NON-SMTP COMMAND from [203.0.113.56]:6004 after CONNECT: GET / HTTP/1.0'),
    expect: {
      postfix: { detail: { verdict: 'NON-SMTP COMMAND', after: 'CONNECT', text: 'GET / HTTP/1.0' } },
    },
  },
  {
    name: 'NOQUEUE reject (comma-separated envelope)',
    line: ps(
      'NOQUEUE: reject: RCPT from [203.0.113.57]:6005: 550 5.7.1 Service unavailable; client [203.0.113.57] blocked using bl.example.net; from=<x@y.example>, to=<u@example.org>, proto=ESMTP, helo=<y.example>',
    ),
    expect: {
      event: { action: 'reject' },
      email: { from: { address: 'x@y.example' }, to: { address: 'u@example.org' } },
      source: { ip: '203.0.113.57', port: 6005 },
      postfix: {
        reject: { stage: 'RCPT', code: 550, dsn: '5.7.1' },
        reason: {
          category: 'rbl',
          rbl: 'bl.example.net',
          text: 'Service unavailable; client * blocked using bl.example.net',
        },
        detail: { helo: 'y.example', proto: 'ESMTP' },
      },
    },
  },
  {
    name: 'NOQUEUE reject at CONNECT: too many connections',
    line: ps(
      'NOQUEUE: reject: CONNECT from [203.0.113.58]:6006: 421 4.7.0 Error: too many connections from 203.0.113.58; proto=SMTP',
    ),
    expect: {
      event: { action: 'reject' },
      postfix: { reject: { stage: 'CONNECT', code: 421 }, reason: { category: 'rate_limit' } },
    },
  },
  {
    name: 'cache cleanup',
    line: ps('cache btree:/var/lib/postfix/postscreen_cache full cleanup: retained=120 dropped=7 entries'),
    expect: {
      event: { action: 'postscreen' },
      postfix: { detail: { verdict: 'cache cleanup', retained: 120, dropped: 7 } },
    },
  },
  {
    name: 'DISCONNECT',
    line: ps('DISCONNECT [192.0.2.33]:40512'),
    expect: { event: { action: 'disconnect' }, source: { ip: '192.0.2.33', port: 40512 } },
  },
  {
    name: 'warning from postscreen',
    line: ps('warning: dnsblog reply timeout 10s for bl.example.net'),
    expect: { event: { action: 'warning' } },
  },
  {
    name: 'dnsblog listing',
    line: classic('postfix/dnsblog', 'addr 203.0.113.60 listed by domain bl.example.net as 127.0.0.4'),
    expect: {
      event: { action: 'dnsblog' },
      source: { ip: '203.0.113.60' },
      postfix: { detail: { dnsbl: 'bl.example.net', dnsbl_reply: '127.0.0.4' } },
    },
  },
  {
    name: 'tlsproxy CONNECT',
    line: classic('postfix/tlsproxy', 'CONNECT from [192.0.2.70]:41000'),
    expect: {
      event: { action: 'connect' },
      process: { name: 'tlsproxy' },
      source: { ip: '192.0.2.70', port: 41000 },
    },
  },
  {
    name: 'tlsproxy TLS established',
    line: classic(
      'postfix/tlsproxy',
      'Anonymous TLS connection established from [192.0.2.70]:41000: TLSv1.2 with cipher ECDHE-RSA-AES128-GCM-SHA256 (128/128 bits)',
    ),
    expect: {
      event: { action: 'tls_established' },
      tls: { version: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256' },
    },
  },
  {
    name: 'tlsproxy handshake failure',
    line: classic('postfix/tlsproxy', 'TLS handshake failed for service=smtpd peer=[192.0.2.71]:41001'),
    expect: {
      event: { action: 'tls_failed' },
      source: { ip: '192.0.2.71', port: 41001 },
      postfix: { detail: { service: 'smtpd' } },
    },
  },
  {
    name: 'tlsproxy DISCONNECT',
    line: classic('postfix/tlsproxy', 'DISCONNECT [192.0.2.70]:41000'),
    expect: { event: { action: 'disconnect' } },
  },
];

runCases('postscreen', cases);
