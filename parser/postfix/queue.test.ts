import { classic, type LineCase, runCases } from '../line-cases.js';

const cases: LineCase[] = [
  {
    name: 'cleanup message-id',
    line: classic('postfix/cleanup', '7E1AEC2C388: message-id=<20230314093000.12345@sender.example>'),
    expect: {
      event: { action: 'message_id' },
      email: { local_id: '7E1AEC2C388', message_id: '<20230314093000.12345@sender.example>' },
    },
  },
  {
    name: 'cleanup empty message-id (no header, none added)',
    line: classic('postfix/cleanup', '7E1AEC2C388: message-id='),
    expect: { event: { action: 'message_id' }, email: { message_id: undefined } },
  },
  {
    name: 'cleanup resent-message-id',
    line: classic('postfix/cleanup', '7E1AEC2C388: resent-message-id=<resent.1@sender.example>'),
    expect: {
      event: { action: 'resent_message_id' },
      postfix: { detail: { resent_message_id: '<resent.1@sender.example>' } },
    },
  },
  {
    name: 'cleanup milter-reject',
    line: classic(
      'postfix/cleanup',
      '7E1AEC2C388: milter-reject: END-OF-MESSAGE from mail.sender.example[192.0.2.10]: 5.7.1 Rejected by SPF policy; from=<a@sender.example> to=<b@example.org> proto=ESMTP helo=<mail.sender.example>',
    ),
    expect: {
      event: { action: 'reject' },
      process: { name: 'cleanup' },
      source: { ip: '192.0.2.10' },
      postfix: { reject: { stage: 'END-OF-MESSAGE', dsn: '5.7.1' }, reason: { category: 'spf' } },
    },
  },
  {
    name: 'cleanup milter-hold',
    line: classic(
      'postfix/cleanup',
      '7E1AEC2C388: milter-hold: END-OF-MESSAGE from mail.sender.example[192.0.2.10]: milter triggers HOLD action; from=<a@sender.example> to=<b@example.org> proto=ESMTP helo=<mail.sender.example>',
    ),
    expect: { event: { action: 'hold' } },
  },
  {
    name: 'header_checks reject: text after the envelope',
    line: classic(
      'postfix/cleanup',
      '7E1AEC2C388: reject: header Subject: Buy cheap watches from mail.sender.example[192.0.2.10]; from=<a@sender.example> to=<b@example.org> proto=ESMTP helo=<mail.sender.example>: 5.7.1 Spam subject refused',
    ),
    expect: {
      event: { action: 'reject' },
      email: { from: { address: 'a@sender.example' }, to: { address: 'b@example.org' } },
      source: { domain: 'mail.sender.example', ip: '192.0.2.10' },
      postfix: {
        reject: { stage: 'HEADER', dsn: '5.7.1' },
        response: '5.7.1 Spam subject refused',
        reason: { category: 'content' },
        detail: { check: 'header', matched: 'Subject: Buy cheap watches' },
      },
    },
  },
  {
    name: 'body_checks hold from local submission (no client)',
    line: classic(
      'postfix/cleanup',
      '7E1AEC2C388: hold: body this is a test from local; from=<root@mx1.example.org> to=<ops@example.org>',
    ),
    expect: {
      event: { action: 'hold' },
      postfix: { reject: { stage: 'BODY' }, detail: { matched: 'this is a test' } },
    },
  },
  {
    name: 'header_checks REPLACE is a rewrite',
    line: classic(
      'postfix/cleanup',
      '7E1AEC2C388: replace: header Received: from internal.example.org (internal [10.0.0.5]) from local; from=<a@example.org> to=<b@example.org>: Received: from [removed]',
    ),
    expect: {
      event: { action: 'rewrite' },
      postfix: { reject: { stage: 'HEADER' }, reason: undefined, detail: { decision: 'replace' } },
    },
  },
  {
    name: 'header_checks warning stays a warning',
    line: classic(
      'postfix/cleanup',
      '7E1AEC2C388: warning: header X-Spam-Flag: YES from mail.sender.example[192.0.2.10]; from=<a@sender.example> to=<b@example.org> proto=ESMTP helo=<x>',
    ),
    expect: { event: { action: 'warning' }, email: { local_id: '7E1AEC2C388' } },
  },
  {
    name: 'qmgr queued',
    line: classic(
      'postfix/qmgr',
      '7E1AEC2C388: from=<alice@sender.example>, size=4242, nrcpt=3 (queue active)',
    ),
    expect: {
      event: { action: 'queued' },
      email: { local_id: '7E1AEC2C388', from: { address: 'alice@sender.example' } },
      postfix: { size: 4242, nrcpt: 3, detail: { queue: 'active' } },
    },
  },
  {
    name: 'qmgr queued, null sender (a bounce)',
    line: classic('postfix/qmgr', '7E1AEC2C388: from=<>, size=2000, nrcpt=1 (queue active)'),
    expect: { event: { action: 'queued' }, email: { from: { address: '' } } },
  },
  {
    name: 'qmgr removed',
    line: classic('postfix/qmgr', '7E1AEC2C388: removed'),
    expect: { event: { action: 'removed' }, email: { local_id: '7E1AEC2C388' } },
  },
  {
    name: 'qmgr expired',
    line: classic(
      'postfix/qmgr',
      '7E1AEC2C388: from=<alice@sender.example>, status=expired, returned to sender',
    ),
    expect: {
      event: { action: 'expired' },
      postfix: { status: 'expired', detail: { status_note: 'returned to sender' } },
      email: { from: { address: 'alice@sender.example' } },
    },
  },
  {
    name: 'oqmgr (old queue manager) queued',
    line: classic('postfix/oqmgr', '7E1AEC2C388: from=<a@b.example>, size=10, nrcpt=1 (queue active)'),
    expect: { event: { action: 'queued' } },
  },
  {
    name: 'pickup',
    line: classic('postfix/pickup', '7E1AEC2C388: uid=1000 from=<alice>'),
    expect: {
      event: { action: 'pickup' },
      email: { from: { address: 'alice' } },
      postfix: { detail: { uid: 1000 } },
    },
  },
  {
    name: 'bounce: sender non-delivery notification',
    line: classic('postfix/bounce', '7E1AEC2C388: sender non-delivery notification: 8F2BFD2C389'),
    expect: {
      event: { action: 'bounce_notification' },
      email: { local_id: '7E1AEC2C388' },
      postfix: { next_queue_id: '8F2BFD2C389', detail: { notification: 'sender non-delivery' } },
    },
  },
  {
    name: 'bounce: delay notification',
    line: classic('postfix/bounce', '7E1AEC2C388: sender delay notification: 8F2BFD2C389'),
    expect: {
      event: { action: 'bounce_notification' },
      postfix: { next_queue_id: '8F2BFD2C389', detail: { notification: 'sender delay' } },
    },
  },
  {
    name: 'postsuper delete',
    line: classic('postfix/postsuper', '7E1AEC2C388: removed'),
    expect: {
      event: { action: 'removed' },
      process: { name: 'postsuper' },
      postfix: { detail: { by: 'postsuper' } },
    },
  },
  {
    name: 'postsuper hold',
    line: classic('postfix/postsuper', '7E1AEC2C388: placed on hold'),
    expect: { event: { action: 'hold' } },
  },
  {
    name: 'postsuper release',
    line: classic('postfix/postsuper', '7E1AEC2C388: released from hold'),
    expect: { event: { action: 'released' } },
  },
  {
    name: 'postsuper requeue',
    line: classic('postfix/postsuper', '7E1AEC2C388: requeued'),
    expect: { event: { action: 'requeued' } },
  },
  {
    name: 'postsuper summary',
    line: classic('postfix/postsuper', 'Deleted: 12 messages'),
    expect: { event: { action: 'daemon' }, postfix: { detail: { operation: 'deleted', count: 12 } } },
  },
  {
    name: 'long queue IDs (enable_long_queue_ids) through the queue',
    line: classic('postfix/qmgr', '4XyB7k9LmNz2Qrs: removed'),
    expect: { event: { action: 'removed' }, email: { local_id: '4XyB7k9LmNz2Qrs' } },
  },
  {
    name: 'a long ID whose time part contains z',
    line: classic('postfix/cleanup', '3pWzL5kQ8dz7Hxy: message-id=<m@x.example>'),
    expect: { email: { local_id: '3pWzL5kQ8dz7Hxy' } },
  },
];

runCases('queue', cases);
