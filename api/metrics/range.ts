/**
 * Time ranges and bucket intervals, resolved to absolute milliseconds once per request so that
 * every query of one answer (and of one alert evaluation) sees the same `now`.
 */

export interface TimeRange {
  /** Inclusive start, UTC ms. */
  readonly from: number;
  /** Exclusive end, UTC ms. */
  readonly to: number;
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNIT_MS;

/**
 * What `now` means in an API request: the current time rounded up to the whole minute. Two
 * refreshes of a dashboard within the same minute then send Elasticsearch byte-identical
 * aggregation requests, which its shard request cache answers without recomputing (until the
 * shard refreshes with new documents). Up, not down: the range still ends after the newest
 * event, so nothing just logged is left out; `to` stays exclusive.
 */
export const NOW_STEP_MS = 60_000;

export function requestNow(clock: number = Date.now()): number {
  return Math.ceil(clock / NOW_STEP_MS) * NOW_STEP_MS;
}

/** `now`, `now-24h`, `now-15m`, `now+1d`, `now-7d` ... */
const RELATIVE = /^now(?:([+-])(\d{1,6})([smhdw]))?$/;
/**
 * ISO 8601 date-time with a zone (`2026-11-27T10:00:00Z`, `...+01:00`) or a plain date
 * (`2026-11-27`, taken as UTC midnight). A date-time without a zone is refused: it would mean
 * the server's zone, which the caller cannot see.
 */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/** Earliest and latest instants accepted: outside, Elasticsearch date math gets silly. */
const MIN_MS = Date.UTC(1970, 0, 1);
const MAX_MS = Date.UTC(9999, 11, 31);

/** Resolves one time expression against `now`; `undefined` when it is not one we accept. */
export function parseTimeExpression(text: string, now: number): number | undefined {
  const rel = RELATIVE.exec(text);
  if (rel) {
    const [, sign, amount, unit] = rel;
    if (sign === undefined) return now;
    const delta = Number(amount) * UNIT_MS[unit as Unit];
    const ms = sign === '-' ? now - delta : now + delta;
    return ms >= MIN_MS && ms <= MAX_MS ? ms : undefined;
  }
  if (!ISO_DATE.test(text) && !ISO_DATE_TIME.test(text)) return undefined;
  const ms = Date.parse(ISO_DATE.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(ms) || ms < MIN_MS || ms > MAX_MS) return undefined;
  // Date.parse rolls 2026-02-31 over to March; a calendar date that does not exist is a typo.
  const day = text.slice(0, 10);
  const local = ISO_DATE.test(text) ? new Date(ms).toISOString().slice(0, 10) : day;
  return local === day ? ms : undefined;
}

export const INTERVAL_PATTERN = /^(\d{1,4})([mhd])$/;
export const MIN_INTERVAL_MS = UNIT_MS.m;
export const MAX_INTERVAL_MS = UNIT_MS.d;

/** `5m` → 300000; `undefined` for anything outside 1m..1d or not in that form. */
export function parseInterval(text: string): number | undefined {
  const m = INTERVAL_PATTERN.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2] as Unit];
  return ms >= MIN_INTERVAL_MS && ms <= MAX_INTERVAL_MS ? ms : undefined;
}

/** Most buckets one answer may hold: a year at 1h is 8,760, so the cap is generous but finite. */
export const MAX_BUCKETS = 10_000;

/** The interval ladder used when the caller gives none: the finest with at most `target` buckets. */
const AUTO_INTERVALS = ['1m', '5m', '10m', '15m', '30m', '1h', '3h', '6h', '12h', '1d'] as const;

export function autoInterval(range: TimeRange, target = 300): string {
  const span = range.to - range.from;
  for (const candidate of AUTO_INTERVALS) {
    if (span / (parseInterval(candidate) as number) <= target) return candidate;
  }
  return '1d';
}

/** Buckets a histogram over `range` holds, counting the partial first one. */
export function bucketCount(range: TimeRange, intervalMs: number): number {
  const first = Math.floor(range.from / intervalMs) * intervalMs;
  return Math.ceil((range.to - first) / intervalMs);
}

/** Bucket start times, aligned to the epoch as Elasticsearch aligns `fixed_interval` buckets. */
export function bucketStarts(range: TimeRange, intervalMs: number): number[] {
  const starts: number[] = [];
  for (let t = Math.floor(range.from / intervalMs) * intervalMs; t < range.to; t += intervalMs)
    starts.push(t);
  return starts;
}

export function isoString(ms: number): string {
  return new Date(ms).toISOString();
}
