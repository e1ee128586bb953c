/**
 * Access-decision lines shared by smtpd, postscreen and cleanup (milters):
 *
 *   reject: RCPT from host[ip]:port: 554 5.7.1 <x@y>: Relay access denied; from=<a> to=<b> proto=ESMTP helo=<h>
 *   milter-reject: END-OF-MESSAGE from host[ip]: 5.7.1 Spam; from=<a> to=<b> proto=ESMTP helo=<h>
 *   hold: RCPT from host[ip]: <x@y>: Recipient address triggers HOLD action; from=<a> ...
 *
 * and cleanup's header/body checks, whose text comes after the envelope:
 *
 *   reject: header Subject: hi from host[ip]; from=<a> to=<b> proto=ESMTP helo=<h>: 5.7.1 No
 */
import type { EventAction, MailEvent } from '../../core/event.js';
import { classifyReason } from '../reasons.js';
import { detail, email, endpointAt, pf, setSource } from './fields.js';

/**
 * Decision words → actions. `warn`/`info` only log (like a warning); `replace`, `prepend`,
 * `strip`, `ignore` edit headers. `proxy-*` come from smtpd with a before-queue filter.
 */
export const DECISIONS: ReadonlyMap<string, EventAction> = new Map<string, EventAction>([
  ['reject', 'reject'],
  ['milter-reject', 'reject'],
  ['proxy-reject', 'reject'],
  ['reject_warning', 'reject_warning'],
  ['hold', 'hold'],
  ['milter-hold', 'hold'],
  ['discard', 'discard'],
  ['milter-discard', 'discard'],
  ['redirect', 'redirect'],
  ['milter-redirect', 'redirect'],
  ['filter', 'filter'],
  ['proxy-accept', 'filter'],
  ['warn', 'warning'],
  ['info', 'warning'],
  ['replace', 'rewrite'],
  ['prepend', 'rewrite'],
  ['strip', 'rewrite'],
  ['ignore', 'rewrite'],
]);

/** The decision word at the start of `s` (`reject: `) and where the rest starts, or undefined. */
export function decisionAt(
  s: string,
  i: number,
): { action: EventAction; word: string; rest: number } | undefined {
  const colon = s.indexOf(': ', i);
  if (colon < 0 || colon - i > 16) return undefined;
  const word = s.slice(i, colon);
  const action = DECISIONS.get(word);
  return action === undefined ? undefined : { action, word, rest: colon + 2 };
}

/** Where the envelope (`; from=<...` or, when there is no sender yet, `; proto=...`) starts. */
function envelopeAt(s: string): number {
  const from = s.lastIndexOf('; from=<');
  return from >= 0 ? from : s.lastIndexOf('; proto=');
}

/** `from=<a> to=<b> proto=ESMTP helo=<h>` (smtpd) or with `, ` separators (postscreen). */
function envelope(event: MailEvent, s: string, i: number): number {
  let j = i;
  while (j < s.length) {
    const eq = s.indexOf('=', j);
    if (eq < 0 || eq - j > 12) return j;
    const key = s.slice(j, eq);
    let end: number;
    if (s.charCodeAt(eq + 1) === 60) {
      const close = s.indexOf('>', eq + 2);
      if (close < 0) return j;
      end = close + 1;
    } else {
      end = eq + 1;
      while (end < s.length) {
        const c = s.charCodeAt(end);
        if (c === 32 || c === 44 || c === 58) break;
        end++;
      }
    }
    const value = s.slice(eq + 1, end);
    const bare = value.charCodeAt(0) === 60 ? value.slice(1, -1) : value;
    if (key === 'from') {
      email(event).from = { address: bare };
    } else if (key === 'to') {
      email(event).to = { address: bare };
    } else if (key === 'helo') {
      detail(event, 'helo', bare);
    } else if (key === 'proto') {
      detail(event, 'proto', bare);
    } else if (key === 'orig_to') {
      pf(event).orig_to = bare;
    }
    j = end;
    if (s.charCodeAt(j) === 44) j++;
    if (s.charCodeAt(j) === 32) j++;
    else return j;
  }
  return j;
}

/** `554 5.7.1 text` / `5.7.1 text` / `text`: sets reject.code/dsn and returns the rest. */
function replyCode(event: MailEvent, text: string): string {
  const reject: NonNullable<NonNullable<MailEvent['postfix']>['reject']> = pf(event).reject ?? {};
  let rest = text;
  const m = /^([245]\d\d)[ -]/.exec(rest);
  if (m?.[1] !== undefined) {
    reject.code = Number(m[1]);
    rest = rest.slice(4);
  }
  const d = /^([245]\.\d{1,3}\.\d{1,3}) /.exec(rest);
  if (d?.[1] !== undefined) {
    reject.dsn = d[1];
    rest = rest.slice(d[1].length + 1);
  }
  pf(event).reject = reject;
  return rest;
}

export function setReason(event: MailEvent, text: string): void {
  const r = classifyReason(text);
  const p = pf(event);
  p.reason =
    r.rbl === undefined
      ? { category: r.category, text: r.text }
      : { category: r.category, text: r.text, rbl: r.rbl };
}

/**
 * The part after the decision word. Returns false when it is not one of the two shapes, so
 * the caller can report the line as unparsed.
 */
export function parseDecision(
  event: MailEvent,
  action: EventAction,
  word: string,
  s: string,
  i: number,
): boolean {
  event.event.action = action;
  detail(event, 'decision', word);
  const header = s.startsWith('header ', i) || s.startsWith('body ', i);
  if (header) return parseContentCheck(event, s, i);
  let stage: string;
  let textStart: number;
  const space = s.indexOf(' ', i);
  if (space > i && s.startsWith('from ', space + 1)) {
    stage = s.slice(i, space);
    const client = endpointAt(s, space + 6);
    if (client !== undefined && s.charCodeAt(client.end) === 58) {
      setSource(event, client);
      textStart = client.end + 2;
    } else {
      // `from local` (pickup) and other sources without an address.
      const colon = s.indexOf(': ', space + 6);
      if (colon < 0) return false;
      textStart = colon + 2;
    }
  } else {
    // proxy-accept / proxy-reject: `END-OF-MESSAGE: 250 2.0.0 Ok: queued as X; from=<...`
    const colon = s.indexOf(': ', i);
    if (colon < 0) return false;
    stage = s.slice(i, colon);
    textStart = colon + 2;
  }
  if (stage.length > 20 || stage.indexOf(' ') >= 0) return false;
  const envAt = envelopeAt(s);
  const text = envAt > textStart ? s.slice(textStart, envAt) : s.slice(textStart);
  if (envAt > textStart) envelope(event, s, envAt + 2);
  const reason = replyCode(event, text);
  const p = pf(event);
  if (p.reject === undefined) p.reject = { stage };
  else p.reject.stage = stage;
  p.response = text;
  if (word === 'proxy-accept') {
    const next = /queued as ([0-9A-Za-z]{5,24})\b/.exec(text.length > 1024 ? text.slice(0, 1024) : text);
    if (next?.[1] !== undefined) {
      p.next_queue_id = next[1];
      p.hop = 'internal';
    }
  }
  if (action === 'reject' || action === 'reject_warning' || action === 'hold' || action === 'discard') {
    setReason(event, reason);
  }
  return true;
}

/** `header Subject: x from host[ip]; from=<a> to=<b> proto=P helo=<h>: 5.7.1 text` */
function parseContentCheck(event: MailEvent, s: string, i: number): boolean {
  const envAt = envelopeAt(s);
  if (envAt < 0) return false;
  const kind = s.startsWith('header ', i) ? 'header' : 'body';
  const fromAt = s.lastIndexOf(' from ', envAt);
  const matched = s.slice(i + kind.length + 1, fromAt > i ? fromAt : envAt);
  if (fromAt > i) {
    const client = endpointAt(s, fromAt + 6, envAt);
    if (client !== undefined) setSource(event, client);
  }
  const end = envelope(event, s, envAt + 2);
  const p = pf(event);
  p.reject = { stage: kind === 'header' ? 'HEADER' : 'BODY' };
  detail(event, 'check', kind);
  detail(event, 'matched', matched.length > 200 ? matched.slice(0, 200) : matched);
  let text = s.charCodeAt(end) === 58 ? s.slice(end + 1).trimStart() : '';
  if (text !== '') {
    p.response = text;
    text = replyCode(event, text);
  }
  const a = event.event.action;
  if (a === 'reject' || a === 'hold' || a === 'discard' || a === 'reject_warning')
    setReason(event, `${kind} ${text === '' ? 'check' : text}`);
  return true;
}
