/**
 * Wall-clock time in an IANA zone → UTC, without a date library. Offsets come from
 * `Intl.DateTimeFormat` and are cached per zone in 15-minute UTC buckets (every real offset
 * change happens on a quarter hour), so a log with a million lines asks Intl a few dozen times.
 */

const BUCKET_MS = 15 * 60 * 1000;
const CACHE_LIMIT = 50_000;

export interface ZoneClock {
  readonly zone: string;
  readonly formatter: Intl.DateTimeFormat;
  readonly offsets: Map<number, number>;
}

export function createZoneClock(zone: string): ZoneClock {
  const formatter = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  return { zone, formatter, offsets: new Map() };
}

/** The zone's UTC offset in ms at the UTC instant `utcMs` (east of Greenwich is positive). */
export function offsetAt(clock: ZoneClock, utcMs: number): number {
  const bucket = Math.floor(utcMs / BUCKET_MS);
  const cached = clock.offsets.get(bucket);
  if (cached !== undefined) return cached;
  const at = bucket * BUCKET_MS;
  let y = 1970;
  let mo = 1;
  let d = 1;
  let h = 0;
  let mi = 0;
  let s = 0;
  for (const part of clock.formatter.formatToParts(at)) {
    switch (part.type) {
      case 'year':
        y = Number(part.value);
        break;
      case 'month':
        mo = Number(part.value);
        break;
      case 'day':
        d = Number(part.value);
        break;
      case 'hour':
        h = Number(part.value);
        break;
      case 'minute':
        mi = Number(part.value);
        break;
      case 'second':
        s = Number(part.value);
        break;
      default:
        break;
    }
  }
  const offset = Date.UTC(y, mo - 1, d, h, mi, s) - at;
  if (clock.offsets.size >= CACHE_LIMIT) clock.offsets.clear();
  clock.offsets.set(bucket, offset);
  return offset;
}

const AROUND_MS = 3 * 60 * 60 * 1000;

/**
 * The UTC instants that show `localMs` (a wall-clock time encoded as if it were UTC) in the zone.
 * Usually one; two in the repeated hour when clocks go back (earlier first); none in the skipped
 * hour when they go forward, in which case the pre-transition offset is used, as syslog daemons
 * that stamped the line with a stale offset would have done.
 */
export function localToUtc(clock: ZoneClock, localMs: number): { earlier: number; later: number } {
  const before = offsetAt(clock, localMs - AROUND_MS);
  const after = offsetAt(clock, localMs + AROUND_MS);
  if (before === after) {
    const utc = localMs - before;
    const exact = offsetAt(clock, utc);
    // A change that is not within ±3 h of here (rare historical zones): trust the local offset.
    const u = exact === before ? utc : localMs - exact;
    return { earlier: u, later: u };
  }
  const withBefore = localMs - before;
  const withAfter = localMs - after;
  const validBefore = offsetAt(clock, withBefore) === before;
  const validAfter = offsetAt(clock, withAfter) === after;
  if (validBefore && validAfter) {
    const earlier = Math.min(withBefore, withAfter);
    return { earlier, later: Math.max(withBefore, withAfter) };
  }
  if (validBefore) return { earlier: withBefore, later: withBefore };
  if (validAfter) return { earlier: withAfter, later: withAfter };
  return { earlier: withBefore, later: withBefore };
}

export function isValidZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
