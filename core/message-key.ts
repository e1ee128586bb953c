/**
 * Message identity and timestamp reading, without zod: the correlator and the report need these
 * on every line, and loading the schema library costs ~100 ms of start-up that a one-shot
 * `mailpulse report` would pay for nothing. `core/message.ts` re-exports them.
 */

/**
 * Stable identity of one message: reuse of a queue ID later gets a different key. `firstSeen`
 * is the `@timestamp` of the first line the correlator took for it (ISO string or epoch ms).
 */
export function messageKey(
  host: string,
  instance: string,
  queueId: string,
  firstSeen: string | number,
): string {
  return `${host}/${instance}/${queueId}/${typeof firstSeen === 'number' ? firstSeen : timestampMs(firstSeen)}`;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Two (or more) ASCII digits at `i` as a number, NaN if any is not a digit. */
function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const d = s.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Epoch ms of an event or document timestamp (NaN if unreadable). The parser writes
 * `YYYY-MM-DDTHH:MM:SS.mmmZ`; that form is read with integer arithmetic (this runs for every
 * line of a report, and `Date.parse` showed up in its profile); anything else goes through
 * `Date.parse`.
 */
export function timestampMs(iso: string): number {
  if (
    iso.length === 24 &&
    iso.charCodeAt(23) === 90 &&
    iso.charCodeAt(10) === 84 &&
    iso.charCodeAt(19) === 46
  ) {
    const year = digits(iso, 0, 4);
    const month = digits(iso, 5, 2);
    const day = digits(iso, 8, 2);
    const hour = digits(iso, 11, 2);
    const minute = digits(iso, 14, 2);
    const second = digits(iso, 17, 2);
    const ms = digits(iso, 20, 3);
    // NaN fails every comparison, so one check covers malformed digits too.
    if (
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= 31 &&
      hour <= 23 &&
      minute <= 59 &&
      second <= 59 &&
      ms >= 0
    ) {
      return ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + ms;
    }
  }
  return Date.parse(iso);
}
