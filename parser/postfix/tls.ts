/**
 * TLS lines, written alike by smtpd and tlsproxy (the peer is a client: `source.*`) and by
 * smtp/lmtp (the peer is a server: `postfix.relay.*`):
 *
 *   Anonymous TLS connection established from host[ip]: TLSv1.3 with cipher X (256/256 bits) ...
 *   Verified TLS connection established to host[ip]:25: TLSv1.3 with cipher X (128/128 bits)
 *   SSL_accept error from host[ip]: lost connection
 *
 * and the chatter of `smtp(d)_tls_loglevel` 2 and up (`setting up TLS connection ...`,
 * `host[ip]: subject_CN=...`), which is informational: `daemon` events.
 */
import type { MailEvent } from '../../core/event.js';
import { detail, type Endpoint, endpointAt, pf, setSource } from './fields.js';

export type Peer = 'client' | 'server';

const ESTABLISHED = ' TLS connection established ';

function setPeer(event: MailEvent, peer: Peer, ep: Endpoint): void {
  if (peer === 'client') {
    setSource(event, ep);
    return;
  }
  const r: NonNullable<NonNullable<MailEvent['postfix']>['relay']> = {};
  if (ep.name !== '') r.hostname = ep.name;
  if (ep.ip !== '') r.ip = ep.ip;
  if (ep.port >= 0) r.port = ep.port;
  pf(event).relay = r;
}

/** The endpoint at `i`, set as the peer; the index after it, or -1. */
export function peerAt(event: MailEvent, s: string, i: number, peer: Peer): number {
  const ep = endpointAt(s, i);
  if (ep === undefined) return -1;
  setPeer(event, peer, ep);
  return ep.end;
}

function established(event: MailEvent, s: string, peer: Peer): boolean {
  const at = s.indexOf(ESTABLISHED);
  if (at <= 0 || at > 24) return false;
  let i = at + ESTABLISHED.length;
  if (s.startsWith('from ', i)) i += 5;
  else if (s.startsWith('to ', i)) i += 3;
  else return false;
  const end = peerAt(event, s, i, peer);
  if (end < 0) return false;
  event.event.action = 'tls_established';
  detail(event, 'tls_trust', s.slice(0, at).toLowerCase());
  // `: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) ...`
  if (s.charCodeAt(end) !== 58) return true;
  const versionAt = end + 2;
  const with_ = s.indexOf(' with cipher ', versionAt);
  const t: NonNullable<MailEvent['tls']> = {};
  if (with_ > versionAt && with_ - versionAt <= 16) {
    t.version = s.slice(versionAt, with_);
    const cipherAt = with_ + 13;
    const space = s.indexOf(' ', cipherAt);
    t.cipher = s.slice(cipherAt, space < 0 ? s.length : space);
  }
  event.tls = t;
  return true;
}

/** Prefix of a failure line → where its endpoint starts. */
const FAILURES: ReadonlyArray<string> = [
  'SSL_accept error from ',
  'SSL_connect error to ',
  'server certificate verification failed for ',
];

const CHATTER: ReadonlyArray<string> = [
  'setting up TLS connection from ',
  'setting up TLS connection to ',
  'Host offered STARTTLS: ',
];

export function parseTls(event: MailEvent, s: string, peer: Peer): boolean {
  if (established(event, s, peer)) return true;
  for (const prefix of FAILURES) {
    if (!s.startsWith(prefix)) continue;
    event.event.action = 'tls_failed';
    const end = peerAt(event, s, prefix.length, peer);
    if (end > 0 && s.charCodeAt(end) === 58) pf(event).response = s.slice(end + 2);
    return end > 0;
  }
  if (s.startsWith('TLS handshake failed for service=')) {
    // tlsproxy: `TLS handshake failed for service=smtpd peer=[ip]:port`
    event.event.action = 'tls_failed';
    const peerKey = s.indexOf(' peer=', 33);
    detail(event, 'service', s.slice(33, peerKey < 0 ? s.length : peerKey));
    return peerKey > 0 && peerAt(event, s, peerKey + 6, peer) > 0;
  }
  if (s.startsWith('Cannot start TLS: ')) {
    event.event.action = 'tls_failed';
    pf(event).response = s.slice(18);
    return true;
  }
  for (const prefix of CHATTER) {
    if (!s.startsWith(prefix)) continue;
    event.event.action = 'daemon';
    detail(event, 'note', 'tls');
    if (prefix.startsWith('Host')) {
      // `Host offered STARTTLS: [mx.example.com]`
      const name = s.slice(prefix.length).replace(/^\[|\]$/g, '');
      if (name !== '' && name.length <= 255) pf(event).relay = { hostname: name };
    } else peerAt(event, s, prefix.length, peer);
    return true;
  }
  if (s.startsWith('SSL_accept:') || s.startsWith('SSL_connect:')) {
    event.event.action = 'daemon';
    detail(event, 'note', 'tls');
    return true;
  }
  return false;
}

/**
 * `host[ip]: subject_CN=...`, `host[ip]:25: depth=0 verify=1 ...`: per-peer TLS detail lines.
 * Tried last, so it never hides a line another rule understands.
 */
export function parseTlsPeerDetail(event: MailEvent, s: string, peer: Peer): boolean {
  const ep = endpointAt(s, 0);
  if (ep === undefined || ep.ip === '' || !s.startsWith(': ', ep.end)) return false;
  setPeer(event, peer, ep);
  event.event.action = 'daemon';
  detail(event, 'note', 'tls');
  return true;
}
