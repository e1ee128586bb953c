import { classic, type LineCase, runCases } from '../line-cases.js';

const cases: LineCase[] = [
  {
    name: 'master start',
    line: classic('postfix/master', 'daemon started -- version 3.7.10, configuration /etc/postfix'),
    expect: {
      event: { action: 'daemon' },
      postfix: { detail: { state: 'started', version: '3.7.10', configuration: '/etc/postfix' } },
    },
  },
  {
    name: 'master reload',
    line: classic('postfix/master', 'reload -- version 3.7.10, configuration /etc/postfix'),
    expect: { postfix: { detail: { state: 'reloaded' } } },
  },
  {
    name: 'master stop',
    line: classic('postfix/master', 'terminating on signal 15'),
    expect: { event: { action: 'daemon' }, postfix: { detail: { state: 'stopped', signal: 15 } } },
  },
  {
    name: 'postfix-script start',
    line: classic('postfix/postfix-script', 'starting the Postfix mail system'),
    expect: { event: { action: 'daemon' }, postfix: { detail: { state: 'starting' } } },
  },
  {
    name: 'postfix-script stop',
    line: classic('postfix/postfix-script', 'stopping the Postfix mail system'),
    expect: { postfix: { detail: { state: 'stopping' } } },
  },
  {
    name: 'postfix-script refresh',
    line: classic('postfix/postfix-script', 'refreshing the Postfix mail system'),
    expect: { postfix: { detail: { state: 'refreshing' } } },
  },
  {
    name: 'anvil connection rate',
    line: classic(
      'postfix/anvil',
      'statistics: max connection rate 12/60s for (smtp:192.0.2.80) at Mar 14 09:55:01',
    ),
    expect: {
      event: { action: 'anvil' },
      email: undefined,
      source: { ip: '192.0.2.80' },
      postfix: {
        detail: {
          statistic: 'connection_rate',
          value: 12,
          interval_seconds: 60,
          anvil_service: 'smtp',
          at: 'Mar 14 09:55:01',
        },
      },
    },
  },
  {
    name: 'anvil connection count',
    line: classic(
      'postfix/anvil',
      'statistics: max connection count 3 for (submission:2001:db8::9) at Mar 14 09:55:01',
    ),
    expect: {
      postfix: { detail: { statistic: 'connection_count', value: 3, anvil_service: 'submission' } },
      source: { ip: '2001:db8::9' },
    },
  },
  {
    name: 'anvil cache size',
    line: classic('postfix/anvil', 'statistics: max cache size 7 at Mar 14 09:55:01'),
    expect: { postfix: { detail: { statistic: 'cache_size', value: 7 } } },
  },
  {
    name: 'scache start interval',
    line: classic('postfix/scache', 'statistics: start interval Mar 14 09:50:01'),
    expect: { event: { action: 'scache' }, email: undefined },
  },
  {
    name: 'scache domain lookups',
    line: classic('postfix/scache', 'statistics: domain lookup hits=4 miss=3 success=57%'),
    expect: {
      event: { action: 'scache' },
      postfix: { detail: { statistic: 'domain_lookup', value: 'hits=4 miss=3 success=57%' } },
    },
  },
  {
    name: 'fatal from sendmail',
    line: classic(
      'postfix/sendmail',
      'fatal: Recipient addresses must be specified on the command line or via the -t option',
    ),
    expect: { event: { action: 'fatal' } },
  },
  {
    name: 'postdrop warning',
    line: classic('postfix/postdrop', 'warning: unable to look up public/pickup: No such file or directory'),
    expect: { event: { action: 'warning' }, process: { name: 'postdrop' } },
  },
  {
    name: 'tlsmgr warning',
    line: classic(
      'postfix/tlsmgr',
      'warning: request to update table btree:/var/lib/postfix/smtpd_scache in non-postfix directory',
    ),
    expect: { event: { action: 'warning' } },
  },
  {
    name: 'trivial-rewrite warning',
    line: classic(
      'postfix/trivial-rewrite',
      'warning: do not list domain example.org in BOTH mydestination and virtual_mailbox_domains',
    ),
    expect: { event: { action: 'warning' }, process: { name: 'trivial-rewrite' } },
  },
  {
    name: 'verify cache cleanup',
    line: classic(
      'postfix/verify',
      'cache btree:/var/lib/postfix/verify_cache full cleanup: retained=10 dropped=2 entries',
    ),
    expect: { event: { action: 'daemon' } },
  },
  {
    name: 'panic',
    line: classic('postfix/qmgr', 'panic: myfree: corrupt or unallocated memory block'),
    expect: { event: { action: 'panic' } },
  },
  {
    name: 'fatal from smtpd',
    line: classic('postfix/smtpd', 'fatal: open /etc/postfix/main.cf: Permission denied'),
    expect: { event: { action: 'fatal' } },
  },
  {
    name: 'error: is a warning',
    line: classic('postfix/local', 'error: open database /etc/aliases.db: No such file or directory'),
    expect: { event: { action: 'warning' } },
  },
  {
    name: 'warning with a queue ID',
    line: classic('postfix/smtp', '7E1AEC2C388: warning: TLS library problem'),
    expect: { event: { action: 'warning' }, email: { local_id: '7E1AEC2C388' } },
  },
  {
    name: 'postlog text from a script is other',
    line: classic('postfix/postlog', 'backup finished'),
    expect: { event: { action: 'other' }, postfix: { instance: 'postfix' } },
  },
  {
    name: 'unknown Postfix text is unparsed with a reason',
    line: classic('postfix/qmgr', '7E1AEC2C388: something new in Postfix 9'),
    expect: {
      event: { action: 'unparsed', reason: 'no rule for this qmgr line' },
      email: { local_id: '7E1AEC2C388' },
    },
  },
  {
    name: 'a second instance (postfix-out) keeps its name',
    line: classic('postfix-out/qmgr', '7E1AEC2C388: removed'),
    expect: { event: { action: 'removed' }, postfix: { instance: 'postfix-out', service: 'qmgr' } },
  },
];

runCases('admin', cases);
