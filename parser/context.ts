import { MailpulseError } from '../core/errors.js';
import { createZoneClock, isValidZone, type ZoneClock } from './zone.js';

export interface ParseOptions {
  /** Year of the first year-less line (`--year`); later lines still roll over Dec → Jan. */
  year?: number;
  /** IANA zone for timestamps without an offset (`--tz`, `TZ_DEFAULT`); default the host's. */
  timeZone?: string;
  /** The reference "now" for year inference; default the clock at each decision. */
  now?: Date;
}

/**
 * Per-stream state: what year-less lines infer from the lines before them. One context per
 * input stream (file, Kafka partition); opaque to callers.
 */
export interface ParseContext {
  readonly clock: ZoneClock;
  readonly fixedNow: number | undefined;
  readonly yearOverride: number | undefined;
  /** Year assumed for the current year-less line; undefined until the first one. */
  year: number | undefined;
  /** Month (0-11) of the last year-less line, -1 before the first. */
  lastMonth: number;
  /** UTC ms of the last timestamp read, NaN before the first: resolves the repeated DST hour. */
  lastUtc: number;
  /** Header fields carried to a following line that has none (garbage, a split piece). */
  lastTimestamp: string;
  lastHost: string;
}

function hostZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function createParseContext(options: ParseOptions = {}): ParseContext {
  const zone = options.timeZone ?? hostZone();
  if (!isValidZone(zone)) {
    throw new MailpulseError('MP_ERR_PARSE_OPTIONS', [
      `unknown time zone "${zone}" (expected e.g. Europe/Prague or UTC)`,
    ]);
  }
  const { year, now } = options;
  if (year !== undefined && !(Number.isInteger(year) && year >= 1970 && year <= 9999)) {
    throw new MailpulseError('MP_ERR_PARSE_OPTIONS', [
      `year must be an integer from 1970 to 9999 (got ${year})`,
    ]);
  }
  if (now !== undefined && Number.isNaN(now.getTime())) {
    throw new MailpulseError('MP_ERR_PARSE_OPTIONS', ['now is an invalid date']);
  }
  return {
    clock: createZoneClock(zone),
    fixedNow: now?.getTime(),
    yearOverride: year,
    year: undefined,
    lastMonth: -1,
    lastUtc: Number.NaN,
    lastTimestamp: '',
    lastHost: '',
  };
}
