import { classic, type LineCase, runCases } from '../line-cases.js';

const cases: LineCase[] = [
  {
    name: 'connect',
    line: classic('postfix/smtpd', 'connect from mail.example.org[192.0.2.10]'),
    expect: {
      event: { action: 'connect' },
      process: { name: 'smtpd', pid: 4711 },
      postfix: { instance: 'postfix', service: 'smtpd' },
      source: { domain: 'mail.example.org', ip: '192.0.2.10', port: undefined },
    },
  },
  {
    name: 'connect with client port logging, IPv6',
    line: classic('postfix/smtpd', 'connect from unknown[2001:db8::25]:41234'),
    expect: { event: { action: 'connect' }, source: { domain: 'unknown', ip: '2001:db8::25', port: 41234 } },
  },
  {
    name: 'client with an unknown address',
    line: classic('postfix/smtpd', 'connect from unknown[unknown]'),
    expect: { event: { action: 'connect' }, source: { domain: 'unknown', ip: undefined } },
  },
  {
    name: 'disconnect with command counts',
    line: classic(
      'postfix/smtpd',
      'disconnect from unknown[198.51.100.7] ehlo=1 auth=0/1 rset=1 quit=1 commands=3/4',
    ),
    expect: {
      event: { action: 'disconnect' },
      source: { ip: '198.51.100.7' },
      postfix: {
        detail: { commands: 'ehlo=1 auth=0/1 rset=1 quit=1 commands=3/4', commands_ok: 3, commands_total: 4 },
      },
    },
  },
  {
    name: 'lost connection after DATA',
    line: classic(
      'postfix/smtpd',
      'lost connection after DATA (0 bytes) from client.example.net[203.0.113.5]',
    ),
    expect: {
      event: { action: 'lost_connection' },
      source: { ip: '203.0.113.5' },
      postfix: { detail: { after: 'DATA (0 bytes)' } },
    },
  },
  {
    name: 'timeout after END-OF-MESSAGE',
    line: classic('postfix/smtpd', 'timeout after END-OF-MESSAGE from client.example.net[203.0.113.5]'),
    expect: { event: { action: 'timeout' }, postfix: { detail: { after: 'END-OF-MESSAGE' } } },
  },
  {
    name: 'too many errors',
    line: classic('postfix/smtpd', 'too many errors after RCPT from unknown[203.0.113.9]'),
    expect: {
      event: { action: 'lost_connection' },
      postfix: { detail: { after: 'RCPT', cause: 'too many errors' } },
    },
  },
  {
    name: 'client= opens a message',
    line: classic('postfix/smtpd', '7E1AEC2C388: client=mail.example.org[192.0.2.10]:51234'),
    expect: {
      event: { action: 'client' },
      email: { local_id: '7E1AEC2C388' },
      source: { domain: 'mail.example.org', ip: '192.0.2.10', port: 51234 },
    },
  },
  {
    name: 'client= with SASL login on the submission service',
    line: classic(
      'postfix/submission/smtpd',
      '3F2A91B0C4: client=laptop.example.org[192.0.2.44], sasl_method=PLAIN, sasl_username=alice@example.org',
    ),
    expect: {
      event: { action: 'client' },
      postfix: { instance: 'postfix', service: 'submission', sasl: { method: 'PLAIN' } },
      process: { name: 'smtpd' },
      user: { name: 'alice@example.org' },
    },
  },
  {
    name: 'NOQUEUE reject at RCPT: relay access denied',
    line: classic(
      'postfix/smtpd',
      'NOQUEUE: reject: RCPT from unknown[203.0.113.77]: 554 5.7.1 <victim@elsewhere.example>: Relay access denied; from=<spam@bad.example> to=<victim@elsewhere.example> proto=ESMTP helo=<bad.example>',
    ),
    expect: {
      event: { action: 'reject' },
      email: {
        local_id: undefined,
        from: { address: 'spam@bad.example' },
        to: { address: 'victim@elsewhere.example' },
      },
      source: { domain: 'unknown', ip: '203.0.113.77' },
      postfix: {
        reject: { stage: 'RCPT', code: 554, dsn: '5.7.1' },
        reason: { category: 'relay_denied', text: '<*>: Relay access denied' },
        detail: { helo: 'bad.example', proto: 'ESMTP' },
      },
    },
  },
  {
    name: 'reject by an RBL with a URL and a semicolon in the text',
    line: classic(
      'postfix/smtpd',
      'NOQUEUE: reject: RCPT from unknown[198.51.100.23]: 554 5.7.1 Service unavailable; Client host [198.51.100.23] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/198.51.100.23; from=<a@b.example> to=<c@d.example> proto=ESMTP helo=<x>',
    ),
    expect: {
      event: { action: 'reject' },
      postfix: {
        reject: { stage: 'RCPT', code: 554, dsn: '5.7.1' },
        response:
          '554 5.7.1 Service unavailable; Client host [198.51.100.23] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/198.51.100.23',
        reason: {
          category: 'rbl',
          rbl: 'zen.spamhaus.org',
          text: 'Service unavailable; Client host * blocked using zen.spamhaus.org; https://www.spamhaus.org/*',
        },
      },
    },
  },
  {
    name: 'reject unknown user in virtual mailbox table',
    line: classic(
      'postfix/smtpd',
      'NOQUEUE: reject: RCPT from mx.sender.example[192.0.2.5]: 550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in virtual mailbox table; from=<x@sender.example> to=<nobody@example.org> proto=ESMTP helo=<mx.sender.example>',
    ),
    expect: {
      postfix: {
        reason: {
          category: 'unknown_user',
          text: '<*>: Recipient address rejected: User unknown in virtual mailbox table',
        },
      },
    },
  },
  {
    name: 'reject at CONNECT: cannot find your hostname',
    line: classic(
      'postfix/smtpd',
      'NOQUEUE: reject: CONNECT from unknown[203.0.113.8]: 450 4.7.25 Client host rejected: cannot find your hostname, [203.0.113.8]; proto=SMTP',
    ),
    expect: {
      event: { action: 'reject' },
      postfix: {
        reject: { stage: 'CONNECT', code: 450, dsn: '4.7.25' },
        reason: { category: 'client_hostname' },
      },
    },
  },
  {
    name: 'reject at HELO',
    line: classic(
      'postfix/smtpd',
      'NOQUEUE: reject: RCPT from unknown[203.0.113.8]: 504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname; from=<a@b.example> to=<c@example.org> proto=SMTP helo=<localhost>',
    ),
    expect: { postfix: { reason: { category: 'helo' }, reject: { code: 504 } } },
  },
  {
    name: 'reject: sender domain not found',
    line: classic(
      'postfix/smtpd',
      'NOQUEUE: reject: RCPT from x.example.net[192.0.2.9]: 450 4.1.8 <a@nx.invalid>: Sender address rejected: Domain not found; from=<a@nx.invalid> to=<b@example.org> proto=ESMTP helo=<x.example.net>',
    ),
    expect: { postfix: { reason: { category: 'sender_domain' }, reject: { code: 450, dsn: '4.1.8' } } },
  },
  {
    name: 'greylisting by a policy service',
    line: classic(
      'postfix/smtpd',
      'NOQUEUE: reject: RCPT from x.example.net[192.0.2.9]: 450 4.2.0 <b@example.org>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.org.html; from=<a@x.example.net> to=<b@example.org> proto=ESMTP helo=<x.example.net>',
    ),
    expect: { postfix: { reason: { category: 'greylist' } } },
  },
  {
    name: 'reject_warning (soft_bounce style dry run)',
    line: classic(
      'postfix/smtpd',
      'NOQUEUE: reject_warning: RCPT from unknown[203.0.113.3]: 450 4.7.1 Client host rejected: cannot find your reverse hostname, [203.0.113.3]; from=<a@b.example> to=<c@example.org> proto=ESMTP helo=<b.example>',
    ),
    expect: {
      event: { action: 'reject_warning' },
      postfix: { reject: { stage: 'RCPT', code: 450 }, reason: { category: 'client_hostname' } },
    },
  },
  {
    name: 'hold with a queue ID',
    line: classic(
      'postfix/smtpd',
      '4A1B2C3D4E: hold: RCPT from a.example[192.0.2.1]: <x@example.org>: Recipient address triggers HOLD action; from=<y@a.example> to=<x@example.org> proto=ESMTP helo=<a.example>',
    ),
    expect: {
      event: { action: 'hold' },
      email: { local_id: '4A1B2C3D4E', to: { address: 'x@example.org' } },
      postfix: { reject: { stage: 'RCPT' } },
    },
  },
  {
    name: 'discard at END-OF-MESSAGE',
    line: classic(
      'postfix/smtpd',
      '4A1B2C3D4E: discard: END-OF-MESSAGE from a.example[192.0.2.1]: <y@a.example>: Sender address triggers DISCARD action; from=<y@a.example> to=<x@example.org> proto=ESMTP helo=<a.example>',
    ),
    expect: { event: { action: 'discard' }, postfix: { reject: { stage: 'END-OF-MESSAGE' } } },
  },
  {
    name: 'filter action names the content filter, no reason',
    line: classic(
      'postfix/smtpd',
      '4A1B2C3D4E: filter: RCPT from a.example[192.0.2.1]: <x@example.org>: Recipient address triggers FILTER smtp:[127.0.0.1]:10025; from=<y@a.example> to=<x@example.org> proto=SMTP helo=<a.example>',
    ),
    expect: { event: { action: 'filter' }, postfix: { reason: undefined } },
  },
  {
    name: 'milter-reject at END-OF-MESSAGE from smtpd',
    line: classic(
      'postfix/smtpd',
      '4A1B2C3D4E: milter-reject: END-OF-MESSAGE from a.example[192.0.2.1]: 5.7.1 Spam message rejected; from=<y@a.example> to=<x@example.org> proto=ESMTP helo=<a.example>',
    ),
    expect: {
      event: { action: 'reject' },
      postfix: {
        reject: { stage: 'END-OF-MESSAGE', dsn: '5.7.1', code: undefined },
        reason: { category: 'content' },
      },
    },
  },
  {
    name: 'milter-reject at CONNECT has no sender yet (envelope starts at proto=)',
    line: classic(
      'postfix/smtpd',
      'NOQUEUE: milter-reject: CONNECT from unknown[203.0.113.90]: 451 4.7.1 Service unavailable - try again later; proto=SMTP',
    ),
    expect: {
      event: { action: 'reject' },
      postfix: {
        reject: { stage: 'CONNECT', code: 451, dsn: '4.7.1' },
        response: '451 4.7.1 Service unavailable - try again later',
        detail: { decision: 'milter-reject', proto: 'SMTP' },
      },
    },
  },
  {
    name: 'proxy-reject from a before-queue filter',
    line: classic(
      'postfix/smtpd',
      'NOQUEUE: proxy-reject: END-OF-MESSAGE: 554 5.7.0 Reject, id=12345-03 - spam detected; from=<a@b.example> to=<c@example.org> proto=ESMTP helo=<b.example>',
    ),
    expect: {
      event: { action: 'reject' },
      postfix: {
        reject: { stage: 'END-OF-MESSAGE', code: 554, dsn: '5.7.0' },
        reason: { category: 'content' },
      },
      email: { from: { address: 'a@b.example' } },
    },
  },
  {
    name: 'proxy-accept names the queue ID of the message the filter re-injected',
    line: classic(
      'postfix/smtpd',
      'NOQUEUE: proxy-accept: END-OF-MESSAGE: 250 2.0.0 Ok: queued as 6A7B8C9D0E; from=<a@b.example> to=<c@example.org> proto=ESMTP helo=<b.example>',
    ),
    expect: {
      event: { action: 'filter' },
      postfix: { next_queue_id: '6A7B8C9D0E', hop: 'internal', reason: undefined },
    },
  },
  {
    name: 'WARN access action is a warning, not a reject_warning',
    line: classic(
      'postfix/smtpd',
      'NOQUEUE: warn: RCPT from a.example[192.0.2.1]: Suspicious sender; from=<a@a.example> to=<b@example.org> proto=ESMTP helo=<a.example>',
    ),
    expect: { event: { action: 'warning' }, postfix: { detail: { decision: 'warn' }, reason: undefined } },
  },
  {
    name: 'SASL authentication failure',
    line: classic(
      'postfix/submission/smtpd',
      'warning: unknown[203.0.113.66]: SASL LOGIN authentication failed: UGFzc3dvcmQ6',
    ),
    expect: {
      event: { action: 'sasl_failure' },
      source: { domain: 'unknown', ip: '203.0.113.66' },
      postfix: { service: 'submission', sasl: { method: 'LOGIN' }, response: 'UGFzc3dvcmQ6' },
    },
  },
  {
    name: 'SASL failure with the user name (smtpd_sasl_authenticated_header)',
    line: classic(
      'postfix/smtpd',
      'warning: host.example[192.0.2.4]: SASL PLAIN authentication failed: authentication failure, sasl_username=bob@example.org',
    ),
    expect: { event: { action: 'sasl_failure' }, user: { name: 'bob@example.org' } },
  },
  {
    name: 'TLS established from a client',
    line: classic(
      'postfix/smtpd',
      'Anonymous TLS connection established from mail.example.org[192.0.2.10]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256',
    ),
    expect: {
      event: { action: 'tls_established' },
      tls: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' },
      source: { ip: '192.0.2.10' },
      postfix: { detail: { tls_trust: 'anonymous' } },
    },
  },
  {
    name: 'TLS handshake error',
    line: classic('postfix/smtpd', 'SSL_accept error from unknown[203.0.113.12]: lost connection'),
    expect: {
      event: { action: 'tls_failed' },
      source: { ip: '203.0.113.12' },
      postfix: { response: 'lost connection' },
    },
  },
  {
    name: 'TLS chatter: setting up a connection',
    line: classic('postfix/smtpd', 'setting up TLS connection from mail.example.org[192.0.2.10]'),
    expect: {
      event: { action: 'daemon' },
      source: { ip: '192.0.2.10' },
      postfix: { detail: { note: 'tls' } },
    },
  },
  {
    name: 'TLS chatter: peer certificate detail',
    line: classic(
      'postfix/smtpd',
      'mail.example.org[192.0.2.10]: subject_CN=mail.example.org, issuer_CN=Example CA',
    ),
    expect: { event: { action: 'daemon' }, source: { domain: 'mail.example.org', ip: '192.0.2.10' } },
  },
  {
    name: 'improper pipelining',
    line: classic(
      'postfix/smtpd',
      'improper command pipelining after CONNECT from unknown[203.0.113.14]: QUIT\\r\\n',
    ),
    expect: {
      event: { action: 'protocol_violation' },
      source: { ip: '203.0.113.14' },
      postfix: { detail: { after: 'CONNECT' } },
    },
  },
  {
    name: 'connection rate limit from anvil',
    line: classic(
      'postfix/smtpd',
      'warning: Connection rate limit exceeded: 31 from unknown[203.0.113.30] for service smtp',
    ),
    expect: {
      event: { action: 'rate_limit' },
      source: { ip: '203.0.113.30' },
      postfix: { reason: { category: 'rate_limit' } },
    },
  },
  {
    name: 'a plain warning names the client',
    line: classic(
      'postfix/smtpd',
      'warning: hostname mail.example.com does not resolve to address 192.0.2.200: Name or service not known',
    ),
    expect: { event: { action: 'warning' } },
  },
  {
    name: 'non-SMTP command warning keeps the client',
    line: classic(
      'postfix/submission/smtpd',
      'warning: non-SMTP command from unknown[198.51.100.99]: GET / HTTP/1.1',
    ),
    expect: { event: { action: 'warning' }, source: { ip: '198.51.100.99', domain: 'unknown' } },
  },
  {
    name: 'content-filter re-injection listener (postfix/10025/smtpd)',
    line: classic('postfix/10025/smtpd', '5B2C8D9E0F: client=localhost[127.0.0.1]:40123'),
    expect: {
      event: { action: 'client' },
      postfix: { instance: 'postfix', service: '10025' },
      source: { ip: '127.0.0.1' },
    },
  },
  {
    name: 'long queue ID',
    line: classic('postfix/smtpd', '4XyB7k9LmNz2Qrs: client=mail.example.org[192.0.2.10]'),
    expect: { email: { local_id: '4XyB7k9LmNz2Qrs' }, event: { action: 'client' } },
  },
];

runCases('smtpd', cases);
