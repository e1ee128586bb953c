/**
 * SMTP/LMTP client lines other than delivery attempts: connection failures to a remote
 * server (the message stays queued and the next MX is tried). TLS lines: `tls.ts`.
 */
import type { MailEvent } from '../../core/event.js';
import { detail, pf } from './fields.js';
import { setReason } from './reject.js';
import { parseTls, parseTlsPeerDetail, peerAt } from './tls.js';

/** Prefix → the text that follows the remote endpoint. */
const FAILURES: ReadonlyArray<readonly [string, MailEvent['event']['action']]> = [
  ['connect to ', 'connection_failed'],
  ['lost connection with ', 'connection_failed'],
  ['conversation with ', 'connection_failed'],
  ['host ', 'remote_reply'],
];

export function parseSmtpClient(event: MailEvent, s: string, qid: string): boolean {
  for (const [prefix, action] of FAILURES) {
    if (!s.startsWith(prefix)) continue;
    const end = peerAt(event, s, prefix.length, 'server');
    if (end < 0) return false;
    event.event.action = action;
    const text = s.slice(s.charCodeAt(end) === 58 ? end + 2 : end + 1);
    pf(event).response = text;
    setReason(event, prefix === 'host ' ? `said: ${text}` : `${prefix.trim()} ${text}`);
    return true;
  }
  if (parseTls(event, s, 'server')) return true;
  if (qid !== '' && s.startsWith('enabling PIX workarounds: ')) {
    event.event.action = 'daemon';
    detail(event, 'note', 'PIX workarounds');
    const f = s.lastIndexOf(' for ');
    if (f > 0) peerAt(event, s, f + 5, 'server');
    return true;
  }
  return qid === '' && parseTlsPeerDetail(event, s, 'server');
}
