/**
 * SMTP/LMTP client lines other than delivery attempts: connection failures to a remote
 * server (the message stays queued and the next MX is tried), TLS with the remote side.
 */
import type { MailEvent } from '../../core/event.js';
import { detail, endpointAt, pf } from './fields.js';
import { setReason } from './reject.js';

function relayAt(event: MailEvent, s: string, i: number): number {
  const ep = endpointAt(s, i);
  if (ep === undefined) return -1;
  const r: NonNullable<NonNullable<MailEvent['postfix']>['relay']> = {};
  if (ep.name !== '') r.hostname = ep.name;
  if (ep.ip !== '') r.ip = ep.ip;
  if (ep.port >= 0) r.port = ep.port;
  pf(event).relay = r;
  return ep.end;
}

/** Prefix → the text that follows the remote endpoint. */
const FAILURES: ReadonlyArray<readonly [string, MailEvent['event']['action']]> = [
  ['connect to ', 'connection_failed'],
  ['lost connection with ', 'connection_failed'],
  ['conversation with ', 'connection_failed'],
  ['host ', 'remote_reply'],
];

const TLS_TO = / TLS connection established to /;

export function parseSmtpClient(event: MailEvent, s: string, qid: string): boolean {
  for (const [prefix, action] of FAILURES) {
    if (!s.startsWith(prefix)) continue;
    const end = relayAt(event, s, prefix.length);
    if (end < 0) return false;
    event.event.action = action;
    const text = s.slice(s.charCodeAt(end) === 58 ? end + 2 : end + 1);
    pf(event).response = text;
    setReason(event, prefix === 'host ' ? `said: ${text}` : `${prefix.trim()} ${text}`);
    return true;
  }
  const tls = TLS_TO.exec(s.length > 1024 ? s.slice(0, 1024) : s);
  if (tls !== null && tls.index < 20) {
    event.event.action = 'tls_established';
    const end = relayAt(event, s, tls.index + tls[0].length);
    if (end < 0) return false;
    const rest = s.slice(end + 2);
    const w = rest.indexOf(' with cipher ');
    if (w > 0) {
      const ce = rest.indexOf(' ', w + 13);
      event.tls = { version: rest.slice(0, w), cipher: rest.slice(w + 13, ce < 0 ? rest.length : ce) };
    }
    detail(event, 'tls_trust', s.slice(0, tls.index).toLowerCase());
    return true;
  }
  if (s.startsWith('SSL_connect error to ') || s.startsWith('server certificate verification failed for ')) {
    event.event.action = 'tls_failed';
    const end = relayAt(event, s, s.startsWith('SSL') ? 21 : 43);
    if (end > 0 && s.charCodeAt(end) === 58) pf(event).response = s.slice(end + 2);
    return end > 0;
  }
  if (qid !== '' && s.startsWith('Cannot start TLS: ')) {
    event.event.action = 'tls_failed';
    pf(event).response = s.slice(18);
    return true;
  }
  if (qid !== '' && s.startsWith('enabling PIX workarounds: ')) {
    event.event.action = 'daemon';
    detail(event, 'note', 'PIX workarounds');
    const f = s.lastIndexOf(' for ');
    if (f > 0) relayAt(event, s, f + 5);
    return true;
  }
  return false;
}
