import { classic, type LineCase, runCases } from '../line-cases.js';

const cases: LineCase[] = [
  {
    name: 'smtp sent to a remote MX, queued as on the far side',
    line: classic(
      'postfix/smtp',
      '8C3F12A0B7: to=<carol@remote.example>, relay=mx1.remote.example[198.51.100.25]:25, delay=1.3, delays=0.05/0.01/0.4/0.84, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 9D4E23B1C8)',
    ),
    expect: {
      event: { action: 'delivery' },
      email: { local_id: '8C3F12A0B7', to: { address: 'carol@remote.example' } },
      postfix: {
        status: 'sent',
        dsn: '2.0.0',
        relay: { hostname: 'mx1.remote.example', ip: '198.51.100.25', port: 25 },
        delay: 1.3,
        delays: { before_qmgr: 0.05, in_qmgr: 0.01, conn_setup: 0.4, transmission: 0.84 },
        response: '250 2.0.0 Ok: queued as 9D4E23B1C8',
        next_queue_id: '9D4E23B1C8',
        hop: undefined,
        reason: undefined,
      },
    },
  },
  {
    name: 'hand-off to a content filter on loopback is an internal hop',
    line: classic(
      'postfix-mx/content-filter/smtp',
      '8C3F12A0B7: to=<dave@example.org>, orig_to=<postmaster@example.org>, relay=127.0.0.1[127.0.0.1]:10024, delay=2.1, delays=0.1/0/0.01/2, dsn=2.0.0, status=sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as 1A2B3C4D5E)',
    ),
    expect: {
      postfix: {
        instance: 'postfix-mx',
        service: 'content-filter',
        orig_to: 'postmaster@example.org',
        status: 'sent',
        hop: 'internal',
        next_queue_id: '1A2B3C4D5E',
        response: '250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as 1A2B3C4D5E',
      },
      process: { name: 'smtp' },
    },
  },
  {
    name: 'content filter on ::1',
    line: classic(
      'postfix/smtp',
      '8C3F12A0B7: to=<d@example.org>, relay=localhost[::1]:10024, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok, id=1234-01, from MTA([::1]:10025): 250 2.0.0 Ok: queued as 1A2B3C4D5F)',
    ),
    expect: { postfix: { hop: 'internal', relay: { hostname: 'localhost', ip: '::1', port: 10024 } } },
  },
  {
    name: 'lmtp to a local dovecot on loopback is a final delivery',
    line: classic(
      'postfix/lmtp',
      '8C3F12A0B7: to=<erin@example.org>, relay=127.0.0.1[127.0.0.1]:24, delay=0.2, delays=0.1/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 <erin@example.org> 9fJ2KxYzZGXQAQAA Saved)',
    ),
    expect: { postfix: { status: 'sent', hop: undefined, next_queue_id: undefined } },
  },
  {
    name: 'deferred: connection timed out, relay=none',
    line: classic(
      'postfix/smtp',
      '8C3F12A0B7: to=<frank@slow.example>, relay=none, delay=330, delays=0.1/0.01/330/0, dsn=4.4.1, status=deferred (connect to mx.slow.example[203.0.113.80]:25: Connection timed out)',
    ),
    expect: {
      postfix: {
        status: 'deferred',
        dsn: '4.4.1',
        relay: { hostname: 'none' },
        response: 'connect to mx.slow.example[203.0.113.80]:25: Connection timed out',
        reason: { category: 'connection', text: 'connect to *: Connection timed out' },
      },
    },
  },
  {
    name: 'deferred by remote greylisting, nested parentheses in the reply',
    line: classic(
      'postfix/smtp',
      '8C3F12A0B7: to=<gina@grey.example>, relay=mx.grey.example[198.51.100.90]:25, delay=5, delays=0.1/0/0.3/4.6, dsn=4.7.1, status=deferred (host mx.grey.example[198.51.100.90] said: 450 4.7.1 <gina@grey.example>: Recipient address rejected: Greylisted (try again in 300 seconds (see policy)) (in reply to RCPT TO command))',
    ),
    expect: {
      postfix: {
        status: 'deferred',
        response:
          'host mx.grey.example[198.51.100.90] said: 450 4.7.1 <gina@grey.example>: Recipient address rejected: Greylisted (try again in 300 seconds (see policy)) (in reply to RCPT TO command)',
        reason: { category: 'greylist' },
      },
    },
  },
  {
    name: 'bounced: user unknown at the remote side',
    line: classic(
      'postfix/smtp',
      '8C3F12A0B7: to=<nobody@remote.example>, relay=mx.remote.example[198.51.100.26]:25, delay=0.9, delays=0.1/0/0.3/0.5, dsn=5.1.1, status=bounced (host mx.remote.example[198.51.100.26] said: 550 5.1.1 <nobody@remote.example>: Recipient address rejected: User unknown (in reply to RCPT TO command))',
    ),
    expect: { postfix: { status: 'bounced', dsn: '5.1.1', reason: { category: 'unknown_user' } } },
  },
  {
    name: 'bounced: mailbox full at local delivery',
    line: classic(
      'postfix/virtual',
      'ABCDEF1234: to=<full@example.org>, relay=virtual, delay=0.1, delays=0/0/0/0.1, dsn=5.2.2, status=bounced (maildir delivery failed: Disk quota exceeded)',
    ),
    expect: { postfix: { status: 'bounced', reason: { category: 'mailbox_full' } } },
  },
  {
    name: 'multi-line remote reply joined by rsyslog #012 escapes',
    line: classic(
      'postfix/smtp',
      '8C3F12A0B7: to=<h@remote.example>, relay=mx.remote.example[198.51.100.26]:25, delay=1, delays=0/0/0.5/0.5, dsn=5.7.1, status=bounced (host mx.remote.example[198.51.100.26] said: 550-5.7.1 Message rejected#012550 5.7.1 see https://help.remote.example/policy (in reply to end of DATA command))',
    ),
    expect: {
      postfix: {
        status: 'bounced',
        response:
          'host mx.remote.example[198.51.100.26] said: 550-5.7.1 Message rejected 550 5.7.1 see https://help.remote.example/policy (in reply to end of DATA command)',
        reason: { category: 'content' },
      },
    },
  },
  {
    name: 'conn_use on a reused connection',
    line: classic(
      'postfix/smtp',
      '8C3F12A0B7: to=<i@remote.example>, relay=mx.remote.example[198.51.100.26]:25, conn_use=3, delay=0.4, delays=0/0/0/0.4, dsn=2.0.0, status=sent (250 ok)',
    ),
    expect: { postfix: { conn_use: 3, status: 'sent' } },
  },
  {
    name: 'local delivery to mailbox',
    line: classic(
      'postfix/local',
      'ABCDEF1234: to=<root@mx1.example.org>, orig_to=<root>, relay=local, delay=0.02, delays=0.01/0/0/0.01, dsn=2.0.0, status=sent (delivered to mailbox)',
    ),
    expect: {
      postfix: {
        status: 'sent',
        relay: { hostname: 'local' },
        orig_to: 'root',
        response: 'delivered to mailbox',
      },
    },
  },
  {
    name: 'local forwarding creates a new message',
    line: classic(
      'postfix/local',
      'ABCDEF1234: to=<alias@example.org>, relay=local, delay=0.05, delays=0.01/0.03/0/0.01, dsn=2.0.0, status=sent (forwarded as 5F6E7D8C9B)',
    ),
    expect: { postfix: { status: 'sent', next_queue_id: '5F6E7D8C9B', hop: undefined } },
  },
  {
    name: 'pipe delivery',
    line: classic(
      'postfix/pipe',
      'ABCDEF1234: to=<j@example.org>, relay=dovecot, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered via dovecot service)',
    ),
    expect: { process: { name: 'pipe' }, postfix: { status: 'sent', relay: { hostname: 'dovecot' } } },
  },
  {
    name: 'error transport bounce',
    line: classic(
      'postfix/error',
      'ABCDEF1234: to=<k@blocked.example>, relay=none, delay=0.01, delays=0/0/0/0, dsn=5.0.0, status=bounced (blocked.example: mail for this domain is refused by policy)',
    ),
    expect: { process: { name: 'error' }, postfix: { status: 'bounced', reason: { category: 'policy' } } },
  },
  {
    name: 'discard transport',
    line: classic(
      'postfix/discard',
      'ABCDEF1234: to=<l@sink.example>, relay=none, delay=0.01, delays=0/0/0/0, dsn=2.0.0, status=sent (sink.example)',
    ),
    expect: { process: { name: 'discard' }, postfix: { status: 'sent' } },
  },
  {
    name: 'relay transport with its own syslog name',
    line: classic(
      'postfix/relay/smtp',
      'ABCDEF1234: to=<m@partner.example>, relay=gw.partner.example[192.0.2.100]:587, delay=2, delays=0/0/1/1, dsn=2.0.0, status=sent (250 2.0.0 accepted)',
    ),
    expect: { process: { name: 'smtp' }, postfix: { service: 'relay', relay: { port: 587 } } },
  },
  {
    name: 'address verification probe: deliverable',
    line: classic(
      'postfix/smtp',
      'ABCDEF1234: to=<n@remote.example>, relay=mx.remote.example[198.51.100.26]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.1.5, status=deliverable (250 2.1.5 Ok)',
    ),
    expect: { postfix: { status: 'deliverable', reason: undefined } },
  },
  {
    name: 'address verification probe: undeliverable',
    line: classic(
      'postfix/smtp',
      'ABCDEF1234: to=<o@remote.example>, relay=mx.remote.example[198.51.100.26]:25, delay=1, delays=0/0/0.5/0.5, dsn=5.1.1, status=undeliverable (host mx.remote.example[198.51.100.26] said: 550 5.1.1 No such user (in reply to RCPT TO command))',
    ),
    expect: { postfix: { status: 'undeliverable', reason: { category: 'unknown_user' } } },
  },
  {
    name: 'qmgr gives up on a recipient (delivery temporarily suspended)',
    line: classic(
      'postfix/qmgr',
      'ABCDEF1234: to=<p@slow.example>, relay=none, delay=400, delays=400/0/0/0, dsn=4.4.1, status=deferred (delivery temporarily suspended: connect to mx.slow.example[203.0.113.80]:25: Connection timed out)',
    ),
    expect: {
      event: { action: 'delivery' },
      process: { name: 'qmgr' },
      postfix: { status: 'deferred', reason: { category: 'connection' } },
    },
  },
  {
    name: 'soft_bounce: a bounce kept as a deferral',
    line: classic(
      'postfix/smtp',
      '8C3F12A0B7: to=<q@remote.example>, relay=mx.remote.example[198.51.100.26]:25, delay=1, delays=0/0/0.5/0.5, dsn=5.1.1, status=SOFTBOUNCE (host mx.remote.example[198.51.100.26] said: 550 5.1.1 unknown user (in reply to RCPT TO command))',
    ),
    expect: {
      postfix: {
        status: 'deferred',
        dsn: '5.1.1',
        detail: { soft_bounce: 1 },
        reason: { category: 'unknown_user' },
      },
    },
  },
  {
    name: 'lmtp over a UNIX socket: no relay address',
    line: classic(
      'postfix/lmtp',
      '8C3F12A0B7: to=<r@example.org>, relay=mail.example.org[private/dovecot-lmtp], delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 <r@example.org> Saved)',
    ),
    expect: {
      postfix: {
        relay: { hostname: 'mail.example.org', ip: undefined, port: undefined },
        status: 'sent',
        hop: undefined,
      },
    },
  },
  {
    name: 'smtp connect failure without a queue ID',
    line: classic('postfix/smtp', 'connect to mx2.slow.example[203.0.113.81]:25: Connection refused'),
    expect: {
      event: { action: 'connection_failed' },
      postfix: {
        relay: { hostname: 'mx2.slow.example', ip: '203.0.113.81', port: 25 },
        reason: { category: 'connection' },
      },
    },
  },
  {
    name: 'smtp TLS to the remote MX',
    line: classic(
      'postfix/smtp',
      'Verified TLS connection established to mx.remote.example[198.51.100.26]:25: TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits)',
    ),
    expect: {
      event: { action: 'tls_established' },
      tls: { version: 'TLSv1.3' },
      postfix: { relay: { ip: '198.51.100.26' }, detail: { tls_trust: 'verified' } },
    },
  },
  {
    name: 'smtp TLS handshake failure',
    line: classic('postfix/smtp', 'SSL_connect error to mx.remote.example[198.51.100.26]:25: -1'),
    expect: {
      event: { action: 'tls_failed' },
      postfix: { relay: { ip: '198.51.100.26', port: 25 }, response: '-1' },
    },
  },
  {
    name: 'smtp certificate verification failure',
    line: classic(
      'postfix/smtp',
      'server certificate verification failed for mx.remote.example[198.51.100.26]:25: num=10:certificate has expired',
    ),
    expect: {
      event: { action: 'tls_failed' },
      postfix: { relay: { hostname: 'mx.remote.example' }, response: 'num=10:certificate has expired' },
    },
  },
  {
    name: 'smtp cannot start TLS for a message',
    line: classic('postfix/smtp', '8C3F12A0B7: Cannot start TLS: handshake failure'),
    expect: {
      event: { action: 'tls_failed' },
      email: { local_id: '8C3F12A0B7' },
      postfix: { response: 'handshake failure' },
    },
  },
  {
    name: 'smtp TLS chatter (loglevel 2) is informational',
    line: classic('postfix/smtp', 'Host offered STARTTLS: [mx.remote.example]'),
    expect: {
      event: { action: 'daemon' },
      postfix: { relay: { hostname: 'mx.remote.example' }, detail: { note: 'tls' } },
    },
  },
  {
    name: 'smtp conversation timeout',
    line: classic(
      'postfix/smtp',
      '8C3F12A0B7: conversation with mx.remote.example[198.51.100.26] timed out while receiving the initial server greeting',
    ),
    expect: {
      event: { action: 'connection_failed' },
      email: { local_id: '8C3F12A0B7' },
      postfix: { relay: { ip: '198.51.100.26' }, reason: { category: 'connection' } },
    },
  },
  {
    name: 'smtp remote refuses to talk',
    line: classic(
      'postfix/smtp',
      '8C3F12A0B7: host mx.remote.example[198.51.100.26] refused to talk to me: 554 5.7.1 Access denied',
    ),
    expect: {
      event: { action: 'remote_reply' },
      postfix: { response: 'refused to talk to me: 554 5.7.1 Access denied', reason: { category: 'policy' } },
    },
  },
];

runCases('delivery', cases);
