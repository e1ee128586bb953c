/**
 * Pieces shared by the daemon parsers: queue IDs, `host[ip]:port` clients, `key=value, ...`
 * lists, and setters that create the nested event objects on demand.
 */
import type { MailEvent } from '../../core/event.js';

export type Postfix = NonNullable<MailEvent['postfix']>;

export function pf(event: MailEvent): Postfix {
  if (event.postfix === undefined) event.postfix = {};
  return event.postfix;
}

export type Email = NonNullable<MailEvent['email']>;

/**
 * `event.email`, made on first use. Parsers set fields on it: a spread copy
 * (`{ ...event.email, to }`) took a microsecond, most of a delivery line's own parsing.
 */
export function email(event: MailEvent): Email {
  if (event.email === undefined) event.email = {};
  return event.email;
}

/** Sets `postfix.detail[key]`; a number that is not finite (`1.2.3`, 400 digits) is left out. */
export function detail(event: MailEvent, key: string, value: string | number): void {
  if (typeof value === 'number' && !Number.isFinite(value)) return;
  const p = pf(event);
  if (p.detail === undefined) p.detail = {};
  p.detail[key] = value;
}

function isHexUpper(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70);
}

/**
 * Long queue IDs (`enable_long_queue_ids`) use digits and consonants (base 52 without vowels,
 * `z` included): at least 10 characters of time (seconds, then 4 of microseconds), `z`, then
 * the inode number in base 51 (no `z`). So the separator is the last `z`, at index 10 or later.
 */
function isLongIdChar(c: number): boolean {
  if (c >= 48 && c <= 57) return true;
  if ((c >= 66 && c <= 90) || (c >= 98 && c <= 122)) {
    return c !== 69 && c !== 73 && c !== 79 && c !== 85 && c !== 101 && c !== 105 && c !== 111 && c !== 117;
  }
  return false;
}

/**
 * Length of a queue ID at the start of `s` followed by `: `, or 0. Short IDs are upper-case
 * hex; `NOQUEUE` stands for a transaction that never got one. `statistics:` (anvil) is neither.
 */
export function queueIdLength(s: string): number {
  if (s.startsWith('NOQUEUE: ')) return 7;
  let hex = true;
  let long = true;
  let lastZ = -1;
  let i = 0;
  for (; i < s.length && i < 32; i++) {
    const c = s.charCodeAt(i);
    if (c === 58) break;
    if (!isHexUpper(c)) hex = false;
    if (c === 122) lastZ = i;
    else if (!isLongIdChar(c)) long = false;
    if (!hex && !long) return 0;
  }
  if (s.charCodeAt(i) !== 58 || s.charCodeAt(i + 1) !== 32) return 0;
  if (hex && i >= 5 && i <= 20) return i;
  if (long && lastZ >= 10 && lastZ < i - 1) return i;
  return 0;
}

/** True when `id` is a whole queue ID (short or long). */
export function isQueueId(id: string): boolean {
  return queueIdLength(`${id}: `) === id.length && id !== 'NOQUEUE';
}

export interface Endpoint {
  name: string;
  ip: string;
  port: number;
}

/**
 * `host[ip]`, `host[ip]:port` or `[ip]:port` starting at `i`, ending at `end` (exclusive);
 * IPv6 addresses may come as `ipv6:...` inside the brackets. Undefined when not that shape.
 */
export function endpointAt(s: string, i: number, end = s.length): (Endpoint & { end: number }) | undefined {
  const open = s.indexOf('[', i);
  if (open < 0 || open >= end) return undefined;
  for (let k = i; k < open; k++) if (s.charCodeAt(k) === 32) return undefined;
  const close = s.indexOf(']', open + 1);
  if (close < 0 || close >= end) return undefined;
  let ip = s.slice(open + 1, close);
  if (ip.startsWith('ipv6:') || ip.startsWith('IPv6:')) ip = ip.slice(5);
  // `unknown[unknown]`, `host[private/dovecot-lmtp]` (a UNIX socket): no address to report.
  if (!isIpLike(ip)) ip = '';
  let j = close + 1;
  let port = -1;
  if (s.charCodeAt(j) === 58) {
    let k = j + 1;
    let n = 0;
    while (k < end && k - j <= 5) {
      const c = s.charCodeAt(k) - 48;
      if (c < 0 || c > 9) break;
      n = n * 10 + c;
      k++;
    }
    if (k > j + 1) {
      port = n;
      j = k;
    }
  }
  return { name: s.slice(i, open), ip, port, end: j };
}

/** Digits, hex letters, dots and colons with a dot or a colon: an IPv4 or IPv6 address. */
function isIpLike(v: string): boolean {
  if (v.length < 2 || v.length > 45) return false;
  let sep = false;
  for (let k = 0; k < v.length; k++) {
    const c = v.charCodeAt(k);
    if (c === 46 || c === 58) sep = true;
    else if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) return false;
  }
  return sep;
}

export function setSource(event: MailEvent, ep: Endpoint): void {
  const source: NonNullable<MailEvent['source']> = {};
  if (ep.name !== '') source.domain = ep.name;
  if (ep.ip !== '') source.ip = ep.ip;
  if (ep.port >= 0) source.port = ep.port;
  event.source = source;
}

/**
 * `key=value, key=value, ...` from `i`, for the keys in `names`: `out[k]` gets the raw value of
 * `names[k]` (the last one when a key repeats), undefined when absent. `<...>` values are read to
 * their closing bracket (an address may contain `, `). Stops at `status=` and gives back the
 * rest unsplit, since the status is followed by free text. Keys are compared in place and only
 * wanted values are cut out: a Map of every pair cost a microsecond per delivery line.
 */
export function keyValues(
  s: string,
  i: number,
  names: readonly string[],
  out: Array<string | undefined>,
): number {
  for (let k = 0; k < names.length; k++) out[k] = undefined;
  let j = i;
  while (j < s.length) {
    const eq = s.indexOf('=', j);
    if (eq < 0) break;
    const len = eq - j;
    if (len === 0 || len > 32) break;
    const space = s.indexOf(' ', j);
    if (space >= 0 && space < eq) break;
    let slot = -1;
    for (let k = 0; k < names.length; k++) {
      const name = names[k] as string;
      if (name.length === len && s.startsWith(name, j)) {
        slot = k;
        break;
      }
    }
    if (len === 6 && s.startsWith('status', j)) {
      if (slot >= 0) out[slot] = s.slice(eq + 1);
      return s.length;
    }
    let end: number;
    if (s.charCodeAt(eq + 1) === 60) {
      const close = s.indexOf('>', eq + 2);
      end = close < 0 ? s.length : close + 1;
    } else {
      const comma = s.indexOf(', ', eq + 1);
      end = comma < 0 ? s.length : comma;
    }
    if (slot >= 0) out[slot] = s.slice(eq + 1, end);
    if (s.charCodeAt(end) !== 44) return end;
    j = end + 2;
  }
  return j;
}

/**
 * `keyValues` for a fixed list of keys, with one output array reused on every call (the parsers
 * run per line): read the values before the next call of the same reader.
 */
export function keyReader(
  names: readonly string[],
): (s: string, i: number) => ReadonlyArray<string | undefined> {
  const out: Array<string | undefined> = [];
  return (s, i) => {
    keyValues(s, i, names, out);
    return out;
  };
}

export function stripAngles(v: string): string {
  return v.charCodeAt(0) === 60 && v.charCodeAt(v.length - 1) === 62 ? v.slice(1, -1) : v;
}

const POWERS_OF_TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * `s[start, end)` as a non-negative decimal like `0.24` or `12`; NaN otherwise. Postfix's own
 * `digits[.digits]` form (up to 15 digits) is read by hand, as digits / 10^decimals: both exact
 * doubles, so the division rounds to the same double `Number()` gives. Anything else (`1e-05`,
 * spaces, 20 digits) goes through `Number()`, which cost half a microsecond per call.
 */
export function secondsAt(s: string, start: number, end: number): number {
  const len = end - start;
  if (len <= 0 || len > 20) return Number.NaN;
  let n = 0;
  let digits = 0;
  let decimals = -1;
  let plain = true;
  for (let k = start; k < end && plain; k++) {
    const c = s.charCodeAt(k);
    if (c >= 48 && c <= 57) {
      n = n * 10 + (c - 48);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (c === 46 && decimals < 0 && digits > 0 && k + 1 < end) decimals = 0;
    else plain = false;
  }
  if (plain && digits <= 15) return decimals > 0 ? n / (POWERS_OF_TEN[decimals] as number) : n;
  const v = Number(s.slice(start, end));
  return v >= 0 && v < Number.POSITIVE_INFINITY ? v : Number.NaN;
}

/** `secondsAt` of a whole string; NaN when undefined. */
export function seconds(v: string | undefined): number {
  return v === undefined ? Number.NaN : secondsAt(v, 0, v.length);
}

/** Leading integer of `v` (`1 (queue active)` → 1); NaN when none. */
export function leadingInt(v: string | undefined): number {
  if (v === undefined) return Number.NaN;
  let n = 0;
  let k = 0;
  for (; k < v.length && k < 15; k++) {
    const c = v.charCodeAt(k) - 48;
    if (c < 0 || c > 9) break;
    n = n * 10 + c;
  }
  return k === 0 ? Number.NaN : n;
}

export function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1' || ip === '0:0:0:0:0:0:0:1' || ip.startsWith('::ffff:127.');
}
