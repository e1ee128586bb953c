/**
 * Turning header timestamps into UTC instants: year inference for year-less syslog lines and
 * wall-clock → UTC in the configured zone, with the state kept in the ParseContext.
 */
import type { ParseContext } from './context.js';
import { localToUtc, offsetAt } from './zone.js';

/** Clock skew tolerated before a year-less line counts as "in the future". */
const FUTURE_SLACK_MS = 2 * 24 * 60 * 60 * 1000;

function nowMs(ctx: ParseContext): number {
  return ctx.fixedNow ?? Date.now();
}

/** A wall-clock time in the context's zone, year known. */
export function zonedToUtc(
  ctx: ParseContext,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
): number {
  const local = Date.UTC(year, month, day, hour, minute, second, ms);
  if (Number.isNaN(local)) return local;
  localToUtc(ctx.clock, local);
  const { earlier, later, transition } = ctx.clock;
  if (earlier === later || Number.isNaN(ctx.lastUtc)) return earlier;
  // In the repeated hour: once past the change, stay in the second pass; before it, a jump back
  // lands nearer the second pass than the first, while small disorder stays in the first.
  const last = ctx.lastUtc;
  if (last >= transition) return later;
  return Math.abs(later - last) < Math.abs(earlier - last) ? later : earlier;
}

function yearInZone(ctx: ParseContext, utcMs: number): number {
  return new Date(utcMs + offsetAt(ctx.clock, utcMs)).getUTCFullYear();
}

/**
 * A classic year-less timestamp. The first line takes the year of "now" (or `--year`), minus one
 * if that would put it in the future; later lines keep that year and step it when the month
 * wraps (Dec → Jan forward, Jan → Dec backward for a late straggler).
 */
export function yearlessToUtc(
  ctx: ParseContext,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
): number {
  let year: number;
  let checkFuture: boolean;
  if (ctx.year === undefined) {
    year = ctx.yearOverride ?? yearInZone(ctx, nowMs(ctx));
    checkFuture = ctx.yearOverride === undefined;
  } else {
    year = ctx.year;
    checkFuture = false;
    if (month !== ctx.lastMonth) {
      if (month < ctx.lastMonth - 6) year += 1;
      else if (month > ctx.lastMonth + 6) year -= 1;
      checkFuture = ctx.yearOverride === undefined;
    }
  }
  let utc = zonedToUtc(ctx, year, month, day, hour, minute, second, ms);
  if (checkFuture && utc > nowMs(ctx) + FUTURE_SLACK_MS) {
    year -= 1;
    utc = zonedToUtc(ctx, year, month, day, hour, minute, second, ms);
  }
  ctx.year = year;
  ctx.lastMonth = month;
  return utc;
}
