/**
 * The program tag, split the way Postfix builds it: `syslog_name/process_name`, where
 * `syslog_name` is the instance (`postfix`, `postfix-out`) optionally followed by a service
 * (`postfix/submission`, `postfix-mx/content-filter`, `postfix/10025` from master.cf
 * `-o syslog_name=...`).
 */

/** Process names of Postfix programs that write to the mail log. */
const POSTFIX_PROGRAMS = new Set([
  'anvil',
  'bounce',
  'cleanup',
  'defer',
  'discard',
  'dnsblog',
  'error',
  'flush',
  'lmtp',
  'local',
  'master',
  'oqmgr',
  'pickup',
  'pipe',
  'postalias',
  'postcat',
  'postconf',
  'postdrop',
  'postfix',
  'postfix-script',
  'postkick',
  'postlock',
  'postlog',
  'postlogd',
  'postmap',
  'postmulti',
  'postqueue',
  'postscreen',
  'postsuper',
  'proxymap',
  'qmgr',
  'qmqpd',
  'relay',
  'retry',
  'scache',
  'sendmail',
  'showq',
  'smtp',
  'smtpd',
  'spawn',
  'tlsmgr',
  'tlsproxy',
  'trace',
  'trivial-rewrite',
  'verify',
  'virtual',
]);

export interface Program {
  readonly postfix: boolean;
  /** Process name, the tag's last part: `smtpd`. */
  readonly name: string;
  /** First part of the tag for Postfix programs: `postfix`, `postfix-out`. */
  readonly instance: string;
  /** `submission` for `postfix/submission/smtpd`, else the process name. */
  readonly service: string;
}

const cache = new Map<string, Program>();
const CACHE_LIMIT = 4096;

function classify(tag: string): Program {
  const parts = tag.split('/');
  const name = parts[parts.length - 1] ?? tag;
  const instance = parts[0] ?? '';
  const postfix =
    parts.length >= 2 && name.length > 0 && (instance.startsWith('postfix') || POSTFIX_PROGRAMS.has(name));
  if (!postfix) return { postfix: false, name: tag, instance: '', service: '' };
  const service = parts.length > 2 ? parts.slice(1, -1).join('/') : name;
  return { postfix, name, instance, service };
}

/** Tags repeat endlessly (a handful per host), so each is split once. */
export function programOf(tag: string): Program {
  let p = cache.get(tag);
  if (p === undefined) {
    p = classify(tag);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(tag, p);
  }
  return p;
}
