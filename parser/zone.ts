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
  /** Result of the last `localToUtc` (UTC ms), and the local bucket its offsets hold for. */
  earlier: number;
  later: number;
  /** When earlier !== later: the UTC instant the clocks went back (first instant of the repeat). */
  transition: number;
  memoBucket: number;
  memoTransition: number;
  memoEarlierOffset: number;
  memoLaterOffset: number;
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
  return {
    zone,
    formatter,
    offsets: new Map(),
    earlier: 0,
    later: 0,
    transition: Number.NaN,
    memoBucket: Number.NaN,
    memoTransition: Number.NaN,
    memoEarlierOffset: 0,
    memoLaterOffset: 0,
  };
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
 * The UTC instants that show `localMs` (a wall-clock time encoded as if it were UTC) in the zone,
 * left in `clock.earlier` / `clock.later`. Usually one; two in the repeated hour when clocks go
 * back; none in the skipped hour when they go forward, in which case the pre-transition offset
 * is used, as a syslog daemon stamping with a stale offset would have done. Offsets change only
 * on quarter hours of local time too, so the answer is memoized per local 15-minute bucket.
 */
export function localToUtc(clock: ZoneClock, localMs: number): void {
  const bucket = Math.floor(localMs / BUCKET_MS);
  if (bucket !== clock.memoBucket) {
    const [earlier, later] = offsetsFor(clock, bucket * BUCKET_MS);
    clock.memoBucket = bucket;
    clock.memoEarlierOffset = earlier;
    clock.memoLaterOffset = later;
    clock.memoTransition =
      earlier === later ? Number.NaN : transitionAfter(clock, bucket * BUCKET_MS - earlier, later);
  }
  clock.earlier = localMs - clock.memoEarlierOffset;
  clock.later = localMs - clock.memoLaterOffset;
  clock.transition = clock.memoTransition;
}

/** The first quarter hour from `utcMs` on whose offset is `offset` (a few steps at most). */
function transitionAfter(clock: ZoneClock, utcMs: number, offset: number): number {
  let t = Math.floor(utcMs / BUCKET_MS) * BUCKET_MS;
  for (let i = 0; i < 16 && offsetAt(clock, t) !== offset; i++) t += BUCKET_MS;
  return t;
}

/** Offsets giving the earlier and the later UTC instant for a local time. */
function offsetsFor(clock: ZoneClock, localMs: number): [number, number] {
  const before = offsetAt(clock, localMs - AROUND_MS);
  const after = offsetAt(clock, localMs + AROUND_MS);
  if (before === after) {
    const exact = offsetAt(clock, localMs - before);
    // A change that is not within ±3 h of here (rare historical zones): trust the local offset.
    const o = exact === before ? before : exact;
    return [o, o];
  }
  const validBefore = offsetAt(clock, localMs - before) === before;
  const validAfter = offsetAt(clock, localMs - after) === after;
  if (validBefore && validAfter) return before > after ? [before, after] : [after, before];
  if (validAfter && !validBefore) return [after, after];
  return [before, before];
}

export function isValidZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
