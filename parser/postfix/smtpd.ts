/**
 * smtpd(8) lines (also qmqpd): connections, the `client=` line that opens a message, access
 * decisions, SASL failures. TLS lines: `tls.ts`.
 */
import type { MailEvent } from '../../core/event.js';
import { detail, endpointAt, keyReader, pf, setSource } from './fields.js';
import { decisionAt, parseDecision, setReason } from './reject.js';
import { parseTls, parseTlsPeerDetail } from './tls.js';

/** `<what> from host[ip]...` at `i`; sets source. Returns the index after the endpoint or -1. */
function fromClient(event: MailEvent, s: string, i: number): number {
  const ep = endpointAt(s, i);
  if (ep === undefined) return -1;
  setSource(event, ep);
  return ep.end;
}

/** `after DATA (0 bytes) from host[ip]` */
function afterFrom(event: MailEvent, s: string, i: number): boolean {
  if (!s.startsWith('after ', i)) return false;
  const from = s.indexOf(' from ', i + 6);
  if (from < 0) return false;
  detail(event, 'after', s.slice(i + 6, from));
  return fromClient(event, s, from + 6) > 0;
}

const clientFields = keyReader(['sasl_method', 'sasl_username', 'orig_queue_id', 'orig_client']);

export function parseSmtpd(event: MailEvent, s: string, qid: string): boolean {
  if (qid === '') {
    if (s.startsWith('connect from ')) {
      event.event.action = 'connect';
      return fromClient(event, s, 13) > 0;
    }
    if (s.startsWith('disconnect from ')) {
      event.event.action = 'disconnect';
      const end = fromClient(event, s, 16);
      if (end < 0) return false;
      if (end + 1 < s.length) detail(event, 'commands', s.slice(end + 1));
      const total = / commands=(\d+)(?:\/(\d+))?$/.exec(s);
      if (total?.[1] !== undefined) {
        detail(event, 'commands_ok', Number(total[1]));
        detail(event, 'commands_total', Number(total[2] ?? total[1]));
      }
      return true;
    }
    if (s.startsWith('lost connection ')) {
      event.event.action = 'lost_connection';
      return afterFrom(event, s, 16);
    }
    if (s.startsWith('timeout ')) {
      event.event.action = 'timeout';
      return afterFrom(event, s, 8);
    }
    if (s.startsWith('too many errors ')) {
      event.event.action = 'lost_connection';
      detail(event, 'cause', 'too many errors');
      return afterFrom(event, s, 16);
    }
    if (parseTls(event, s, 'client')) return true;
    if (s.startsWith('improper command pipelining after ')) {
      event.event.action = 'protocol_violation';
      const from = s.indexOf(' from ', 34);
      if (from < 0) return false;
      detail(event, 'after', s.slice(34, from));
      return fromClient(event, s, from + 6) > 0;
    }
    if (s.startsWith('discarding EHLO keywords:')) {
      event.event.action = 'daemon';
      return true;
    }
  } else if (s.startsWith('client=')) {
    event.event.action = 'client';
    const ep = endpointAt(s, 7);
    if (ep === undefined) return false;
    setSource(event, ep);
    if (s.startsWith(', ', ep.end)) {
      const fields = clientFields(s, ep.end + 2);
      const method = fields[0];
      const user = fields[1];
      if (method !== undefined) pf(event).sasl = { method };
      if (user !== undefined) event.user = { name: user };
      const orig = fields[2];
      if (orig !== undefined) detail(event, 'orig_queue_id', orig);
      const origClient = fields[3];
      if (origClient !== undefined) detail(event, 'orig_client', origClient);
    }
    return true;
  }
  const decision = decisionAt(s, 0);
  if (decision !== undefined) return parseDecision(event, decision.action, decision.word, s, decision.rest);
  return qid === '' && parseTlsPeerDetail(event, s, 'client');
}

/** `warning: host[ip]: SASL LOGIN authentication failed: reason` (after the `warning: `). */
const SASL_FAILED = /^([^\s[]*\[[^\]\s]*\]): SASL ([A-Za-z0-9_-]+) authentication failed(?:: ?(.*))?$/;

export function parseSmtpdWarning(event: MailEvent, s: string): boolean {
  if (s.indexOf('SASL') >= 0) {
    const m = SASL_FAILED.exec(s.length > 4096 ? s.slice(0, 4096) : s);
    if (m?.[1] !== undefined) {
      event.event.action = 'sasl_failure';
      const ep = endpointAt(m[1], 0);
      if (ep !== undefined) setSource(event, ep);
      pf(event).sasl = { method: m[2] ?? '' };
      if (m[3] !== undefined && m[3] !== '') {
        const user = /, sasl_username=(.*)$/.exec(m[3]);
        if (user?.[1] !== undefined) event.user = { name: user[1] };
        pf(event).response = m[3];
      }
      return true;
    }
  }
  if (
    s.startsWith('Connection rate limit exceeded') ||
    s.startsWith('Connection concurrency limit exceeded')
  ) {
    event.event.action = 'rate_limit';
    rateLimit(event, s);
    return true;
  }
  if (
    /^(?:Message delivery request|Recipient address|Message submission|New TLS session|AUTH command) rate limit exceeded/.test(
      s,
    )
  ) {
    event.event.action = 'rate_limit';
    rateLimit(event, s);
    return true;
  }
  return false;
}

/** `Connection rate limit exceeded: 31 from host[ip] for service smtp` */
function rateLimit(event: MailEvent, s: string): void {
  const colon = s.indexOf(': ');
  detail(event, 'limit', colon > 0 ? s.slice(0, colon) : s);
  const from = s.indexOf(' from ');
  if (from > 0) {
    const ep = endpointAt(s, from + 6);
    if (ep !== undefined) setSource(event, ep);
  }
  setReason(event, s);
}
