/**
 * The syslog header: timestamp, host, program tag, pid; where the message starts.
 *
 * Accepted timestamp forms (each optionally after a `<PRI>`):
 * - classic `Mar 14 00:00:31` (day space- or zero-padded, no year, no zone): syslogd's, and
 *   Postfix's own `maillog_file` (postlogd, strftime `%b %d %H:%M:%S`: `Mar 04`); also with a
 *   fraction of a second `Mar 14 00:00:31.123456`;
 * - `2023 Mar 14 00:00:31.123` (year first, no zone);
 * - RFC 3339 / ISO 8601 `2023-03-14T00:00:31.185246+01:00` (`Z`, `±hh:mm`, `±hhmm`, or no
 *   zone; `T` or a space between date and time);
 * - RFC 5424 `<22>1 2023-03-14T00:00:31Z host app procid msgid [sd] msg`.
 *
 * Hand-written scanning over char codes: no regex, no backtracking, linear in the header.
 */
import type { ParseContext } from './context.js';
import { yearlessToUtc, zonedToUtc } from './timestamp.js';

export interface SyslogHeader {
  /** NaN when the timestamp is out of range. */
  utcMs: number;
  host: string;
  /** Program tag, e.g. `postfix/submission/smtpd`; '' when the line has none. */
  tag: string;
  /** -1 when the tag has no `[pid]`. */
  pid: number;
  /** Index of the first character of the message text. */
  msgStart: number;
}

const MONTHS = new Map<number, number>(
  ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].map((name, i) => [
    (name.charCodeAt(0) << 16) | (name.charCodeAt(1) << 8) | name.charCodeAt(2),
    i,
  ]),
);

const SPACE = 32;
const ZERO = 48;

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - ZERO;
  return c >= 0 && c <= 9 ? c : -1;
}

function num2(s: string, i: number): number {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

function num4(s: string, i: number): number {
  const a = num2(s, i);
  const b = num2(s, i + 2);
  return a < 0 || b < 0 ? -1 : a * 100 + b;
}

/** Scratch result of the time-of-day scanner, reused: the header parser is single-threaded. */
const tod = { hour: 0, minute: 0, second: 0, ms: 0, end: 0 };

/** `hh:mm:ss` with an optional `.fraction` of any length; false when malformed. */
function timeOfDay(s: string, i: number): boolean {
  const hour = num2(s, i);
  const minute = num2(s, i + 3);
  const second = num2(s, i + 6);
  if (hour < 0 || minute < 0 || second < 0 || s.charCodeAt(i + 2) !== 58 || s.charCodeAt(i + 5) !== 58)
    return false;
  if (hour > 23 || minute > 59 || second > 60) return false;
  let j = i + 8;
  let ms = 0;
  if (s.charCodeAt(j) === 46 || s.charCodeAt(j) === 44) {
    j++;
    const start = j;
    // Milliseconds from the first three digits; finer digits are read past, not rounded.
    for (let scale = 100; scale >= 1; scale /= 10) {
      const d = digit(s, j);
      if (d < 0) break;
      ms += d * scale;
      j++;
    }
    while (digit(s, j) >= 0) j++;
    if (j === start) return false;
  }
  tod.hour = hour;
  tod.minute = minute;
  // A leap second is logged as :60; it is the same instant as :59.999 for our purposes.
  tod.second = second === 60 ? 59 : second;
  tod.ms = second === 60 ? 999 : ms;
  tod.end = j;
  return true;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month !== 1) return DAYS_IN_MONTH[month] ?? 31;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

/** Result of a timestamp scan: the instant and where the header continues. */
const stamp = { utcMs: 0, end: 0 };

function isoTimestamp(ctx: ParseContext, s: string, i: number): boolean {
  const year = num4(s, i);
  const month = num2(s, i + 5);
  const day = num2(s, i + 8);
  // Years before 1000 are not log timestamps (and Date.UTC would read 0023 as 1923).
  if (year < 1000 || month < 1 || month > 12 || day < 1 || s.charCodeAt(i + 7) !== 45) return false;
  if (day > daysInMonth(year, month - 1)) return false;
  const sep = s.charCodeAt(i + 10);
  if (sep !== 84 && sep !== SPACE && sep !== 116) return false;
  if (!timeOfDay(s, i + 11)) return false;
  const j = tod.end;
  const c = s.charCodeAt(j);
  const wall = Date.UTC(year, month - 1, day, tod.hour, tod.minute, tod.second, tod.ms);
  if (c === 90 || c === 122) {
    stamp.utcMs = wall;
    stamp.end = j + 1;
    return true;
  }
  if (c === 43 || c === 45) {
    const oh = num2(s, j + 1);
    const colon = s.charCodeAt(j + 3) === 58;
    const om = num2(s, colon ? j + 4 : j + 3);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return false;
    const offset = (oh * 60 + om) * 60_000 * (c === 45 ? -1 : 1);
    stamp.utcMs = wall - offset;
    stamp.end = j + (colon ? 6 : 5);
    return true;
  }
  stamp.utcMs = zonedToUtc(ctx, year, month - 1, day, tod.hour, tod.minute, tod.second, tod.ms);
  stamp.end = j;
  return true;
}

function monthAt(s: string, i: number): number {
  // Three letters packed into one number: no substring, no hashing.
  const key = (s.charCodeAt(i) << 16) | (s.charCodeAt(i + 1) << 8) | s.charCodeAt(i + 2);
  const m = MONTHS.get(key);
  return m === undefined ? -1 : m;
}

/** `Mar 14 00:00:31` or `Mar  4 00:00:31[.frac]`, year from the context. */
function classicTimestamp(ctx: ParseContext, s: string, i: number, year: number): boolean {
  const month = monthAt(s, i);
  if (month < 0 || s.charCodeAt(i + 3) !== SPACE) return false;
  let j = i + 4;
  if (s.charCodeAt(j) === SPACE) j++;
  let day = digit(s, j);
  if (day < 0) return false;
  j++;
  const d2 = digit(s, j);
  if (d2 >= 0) {
    day = day * 10 + d2;
    j++;
  }
  // Without a year, Feb 29 is possible (2000 is a leap year); Apr 31 never is.
  if (day < 1 || day > daysInMonth(year < 0 ? 2000 : year, month) || s.charCodeAt(j) !== SPACE) return false;
  if (!timeOfDay(s, j + 1)) return false;
  stamp.utcMs =
    year < 0
      ? yearlessToUtc(ctx, month, day, tod.hour, tod.minute, tod.second, tod.ms)
      : zonedToUtc(ctx, year, month, day, tod.hour, tod.minute, tod.second, tod.ms);
  stamp.end = tod.end;
  return true;
}

/**
 * Hosts and tags repeat on nearly every line; handing back the same string instance avoids a
 * substring per line and lets Map lookups reuse the string's cached hash.
 */
const recent: string[] = [];
const RECENT_LIMIT = 32;
let recentNext = 0;

function intern(s: string, start: number, end: number): string {
  const len = end - start;
  const first = s.charCodeAt(start);
  for (let k = 0; k < recent.length; k++) {
    const r = recent[k] as string;
    if (r.length === len && r.charCodeAt(0) === first && s.startsWith(r, start)) return r;
  }
  const fresh = s.slice(start, end);
  if (recent.length < RECENT_LIMIT) recent.push(fresh);
  else {
    recent[recentNext] = fresh;
    recentNext = (recentNext + 1) % RECENT_LIMIT;
  }
  return fresh;
}

/** End of the token at `i`: the next space, or the end of the line. */
function token(s: string, i: number): number {
  const j = s.indexOf(' ', i);
  return j < 0 ? s.length : j;
}

/** The header of a line, or undefined when it has no recognizable timestamp and host. */
export function parseHeader(ctx: ParseContext, s: string): SyslogHeader | undefined {
  let i = 0;
  if (s.charCodeAt(0) === 60) {
    const close = s.indexOf('>', 1);
    if (close < 2 || close > 4) return undefined;
    i = close + 1;
    // RFC 5424: a version number and a space after the PRI.
    if (digit(s, i) >= 1 && s.charCodeAt(i + 1) === SPACE) return rfc5424(ctx, s, i + 2);
  }
  const c = s.charCodeAt(i);
  if (c >= ZERO && c <= ZERO + 9) {
    const sep = s.charCodeAt(i + 4);
    if (sep === 45) {
      if (!isoTimestamp(ctx, s, i)) return undefined;
    } else if (sep === SPACE) {
      const year = num4(s, i);
      if (year < 1000 || !classicTimestamp(ctx, s, i + 5, year)) return undefined;
    } else return undefined;
  } else if (!classicTimestamp(ctx, s, i, -1)) return undefined;
  i = stamp.end;
  if (s.charCodeAt(i) !== SPACE) return undefined;
  const utcMs = stamp.utcMs;
  const hostStart = i + 1;
  const hostEnd = token(s, hostStart);
  if (hostEnd === hostStart) return undefined;
  // Local syslog without a host field: the token is already the tag (`postfix/smtpd[1]:`).
  if (s.charCodeAt(hostEnd - 1) === 58) return programTag(s, '', hostStart, utcMs);
  if (hostEnd >= s.length) return undefined;
  let tagStart = hostEnd + 1;
  // Some syslog templates put `facility.severity` (`mail.info`) between host and tag.
  const next = token(s, tagStart);
  if (next < s.length && next - tagStart <= 16 && isFacilityLevel(s, tagStart, next)) tagStart = next + 1;
  return programTag(s, intern(s, hostStart, hostEnd), tagStart, utcMs);
}

function isFacilityLevel(s: string, start: number, end: number): boolean {
  const dot = s.indexOf('.', start);
  if (dot <= start || dot >= end - 1) return false;
  for (let k = start; k < end; k++) {
    const c = s.charCodeAt(k);
    if (k !== dot && !(c >= 97 && c <= 122) && !(c >= 48 && c <= 57)) return false;
  }
  return true;
}

/** `prog[pid]: `, `prog: `; a line with neither has no tag and the message starts right away. */
function programTag(s: string, host: string, start: number, utcMs: number): SyslogHeader {
  let j = start;
  const limit = Math.min(s.length, start + 256);
  while (j < limit) {
    const c = s.charCodeAt(j);
    if (c === 58 || c === 91 || c === SPACE) break;
    j++;
  }
  const c = s.charCodeAt(j);
  if (j > start && c === 58) {
    return { utcMs, host, tag: intern(s, start, j), pid: -1, msgStart: skipSpace(s, j + 1) };
  }
  if (j > start && c === 91) {
    let k = j + 1;
    let pid = 0;
    while (digit(s, k) >= 0 && k - j < 12) pid = pid * 10 + digit(s, k++);
    if (k > j + 1 && s.charCodeAt(k) === 93 && s.charCodeAt(k + 1) === 58) {
      return { utcMs, host, tag: intern(s, start, j), pid, msgStart: skipSpace(s, k + 2) };
    }
  }
  return { utcMs, host, tag: '', pid: -1, msgStart: start };
}

function skipSpace(s: string, i: number): number {
  return s.charCodeAt(i) === SPACE ? i + 1 : i;
}

function rfc5424(ctx: ParseContext, s: string, start: number): SyslogHeader | undefined {
  let i = start;
  let utcMs: number;
  if (s.charCodeAt(i) === 45) {
    utcMs = Number.NaN;
    i++;
  } else {
    if (!isoTimestamp(ctx, s, i)) return undefined;
    utcMs = stamp.utcMs;
    i = stamp.end;
  }
  if (s.charCodeAt(i) !== SPACE) return undefined;
  const fields: string[] = [];
  let j = i + 1;
  for (let f = 0; f < 4; f++) {
    const end = token(s, j);
    if (end === j || end >= s.length) return undefined;
    fields.push(s.slice(j, end));
    j = end + 1;
  }
  const [host = '-', app = '-', procid = '-'] = fields;
  // Structured data: '-' or one or more [id k="v" ...] elements; `]` inside values is escaped.
  if (s.charCodeAt(j) === 45) j++;
  else {
    while (s.charCodeAt(j) === 91) {
      j++;
      while (j < s.length) {
        const c = s.charCodeAt(j);
        if (c === 92) j += 2;
        else if (c === 93) break;
        else j++;
      }
      if (j >= s.length) return undefined;
      j++;
    }
  }
  j = skipSpace(s, j);
  // A UTF-8 byte order mark may open the message (RFC 5424 §6.4).
  if (s.charCodeAt(j) === 0xfeff) j++;
  const pid = /^\d{1,10}$/.test(procid) ? Number(procid) : -1;
  return { utcMs, host: host === '-' ? '' : host, tag: app === '-' ? '' : app, pid, msgStart: j };
}
