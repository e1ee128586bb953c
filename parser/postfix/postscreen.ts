/**
 * postscreen(8), its DNSBL helper dnsblog(8) and tlsproxy(8). Postscreen verdicts become
 * `postscreen` events with `postfix.detail.verdict` (`PASS NEW`, `PREGREET`, `HANGUP`,
 * `DNSBL`, `COMMAND TIME LIMIT`, ...); its CONNECT/DISCONNECT are `connect`/`disconnect` with
 * process.name `postscreen`, and its `NOQUEUE: reject:` lines are `reject`s like smtpd's.
 */
import type { MailEvent } from '../../core/event.js';
import { detail, endpointAt, pf, setSource } from './fields.js';
import { parseDecision } from './reject.js';
import { parseTls, parseTlsPeerDetail } from './tls.js';

function client(event: MailEvent, s: string, i: number): number {
  const ep = endpointAt(s, i);
  if (ep === undefined) return -1;
  setSource(event, ep);
  return ep.end;
}

function verdict(event: MailEvent, name: string): void {
  event.event.action = 'postscreen';
  detail(event, 'verdict', name);
}

/** Verdicts of the form `WORD[S] [ip]:port` with nothing of interest after. */
const SIMPLE = [
  'PASS NEW ',
  'PASS OLD ',
  'WHITELISTED ',
  'ALLOWLISTED ',
  'BLACKLISTED ',
  'DENYLISTED ',
  'WHITELIST VETO ',
  'ALLOWLIST VETO ',
];

/** Verdicts `NAME from [ip]:port after CMD[: text]` (postscreen's deep protocol tests). */
const AFTER = [
  'COMMAND TIME LIMIT',
  'COMMAND COUNT LIMIT',
  'COMMAND LENGTH LIMIT',
  'COMMAND PIPELINING',
  'BARE NEWLINE',
  'NON-SMTP COMMAND',
];

export function parsePostscreen(event: MailEvent, s: string): boolean {
  if (s.startsWith('CONNECT from ')) {
    event.event.action = 'connect';
    const end = client(event, s, 13);
    if (end < 0) return false;
    if (s.startsWith(' to ', end)) {
      const local = endpointAt(s, end + 4);
      if (local !== undefined)
        detail(event, 'local', local.port >= 0 ? `${local.ip}:${local.port}` : local.ip);
    }
    return true;
  }
  if (s.startsWith('DISCONNECT ')) {
    event.event.action = 'disconnect';
    return client(event, s, 11) > 0;
  }
  for (const prefix of SIMPLE) {
    if (s.startsWith(prefix)) {
      verdict(event, prefix.trimEnd());
      return client(event, s, prefix.length) > 0;
    }
  }
  if (s.startsWith('DNSBL rank ')) {
    verdict(event, 'DNSBL');
    const sp = s.indexOf(' for ', 11);
    if (sp < 0) return false;
    detail(event, 'dnsbl_rank', Number(s.slice(11, sp)));
    return client(event, s, sp + 5) > 0;
  }
  if (s.startsWith('PREGREET ')) {
    // PREGREET 11 after 0.23 from [ip]:port: EHLO User\r\n
    verdict(event, 'PREGREET');
    const m = /^PREGREET (\d+) after ([\d.]+) from /.exec(s);
    if (m === null) return false;
    detail(event, 'bytes', Number(m[1]));
    detail(event, 'after_seconds', Number(m[2]));
    const end = client(event, s, m[0].length);
    if (end > 0 && s.charCodeAt(end) === 58) detail(event, 'text', s.slice(end + 2, end + 202));
    return end > 0;
  }
  if (s.startsWith('HANGUP after ')) {
    // HANGUP after 0.5 from [ip]:port in tests after SMTP handshake
    verdict(event, 'HANGUP');
    const m = /^HANGUP after ([\d.]+) from /.exec(s);
    if (m === null) return false;
    detail(event, 'after_seconds', Number(m[1]));
    const end = client(event, s, m[0].length);
    if (end > 0 && s.startsWith(' in ', end)) detail(event, 'stage', s.slice(end + 4));
    return end > 0;
  }
  for (const name of AFTER) {
    if (s.startsWith(name) && s.startsWith(' from ', name.length)) {
      verdict(event, name);
      const end = client(event, s, name.length + 6);
      if (end < 0) return false;
      if (s.startsWith(' after ', end)) {
        const colon = s.indexOf(': ', end + 7);
        detail(event, 'after', s.slice(end + 7, Math.min(colon < 0 ? s.length : colon, end + 7 + 64)));
        if (colon > 0) detail(event, 'text', s.slice(colon + 2, colon + 202));
      }
      return true;
    }
  }
  if (s.startsWith('NOQUEUE: ')) {
    const colon = s.indexOf(': ', 9);
    if (colon < 0) return false;
    const word = s.slice(9, colon);
    if (word !== 'reject' && word !== 'reject_warning') return false;
    return parseDecision(event, word, word, s, colon + 2);
  }
  if (s.startsWith('cache ') && s.indexOf(' full cleanup: ') > 0) {
    verdict(event, 'cache cleanup');
    const m = /retained=(\d+) dropped=(\d+)/.exec(s);
    if (m !== null) {
      detail(event, 'retained', Number(m[1]));
      detail(event, 'dropped', Number(m[2]));
    }
    return true;
  }
  if (s.startsWith('reject: connect from ')) {
    // `all server ports busy`, `too many connections`: postscreen turns the client away.
    event.event.action = 'reject';
    const end = client(event, s, 21);
    if (end < 0) return false;
    pf(event).reject = { stage: 'CONNECT' };
    if (s.charCodeAt(end) === 58) pf(event).response = s.slice(end + 2);
    return true;
  }
  return false;
}

/** `addr 192.0.2.1 listed by domain zen.spamhaus.org as 127.0.0.2` */
export function parseDnsblog(event: MailEvent, s: string): boolean {
  const m = /^addr (\S+) listed by domain (\S+) as (\S+)$/.exec(s.length > 1024 ? s.slice(0, 1024) : s);
  if (m === null) return false;
  event.event.action = 'dnsblog';
  event.source = { ip: m[1] ?? '' };
  detail(event, 'dnsbl', m[2] ?? '');
  detail(event, 'dnsbl_reply', m[3] ?? '');
  return true;
}

export function parseTlsproxy(event: MailEvent, s: string): boolean {
  if (s.startsWith('CONNECT from ')) {
    event.event.action = 'connect';
    return client(event, s, 13) > 0;
  }
  if (s.startsWith('DISCONNECT ')) {
    event.event.action = 'disconnect';
    return client(event, s, 11) > 0;
  }
  return parseTls(event, s, 'client') || parseTlsPeerDetail(event, s, 'client');
}
