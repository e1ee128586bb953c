/**
 * Shapes shared by every endpoint: the query (range, interval, filters), the error body, and
 * the small rows several answers reuse. Request schemas resolve relative times once, so the
 * handler sees absolute milliseconds and every query of one answer uses the same `now`.
 */
import { z } from 'zod';
import { ReportSchema } from '../../report/index.js';
import { type Filters, FiltersSchema } from '../metrics/filters.js';
import {
  autoInterval,
  bucketCount,
  INTERVAL_PATTERN,
  MAX_BUCKETS,
  parseInterval,
  parseTimeExpression,
  requestNow,
  type TimeRange,
} from '../metrics/range.js';

const TIME_HELP =
  'ISO 8601 with a zone (2026-11-27T10:00:00Z), a date (2026-11-27, UTC midnight) or now[-+]N[smhdw] (now-24h)';
const NOW_NOTE =
  '`now` is the current time rounded up to the whole minute, so that repeated queries within a minute are answered from the Elasticsearch request cache; the range still ends after the newest event, and `to` stays exclusive';

export const timeExpression = (fallback: string) =>
  z
    .string()
    .trim()
    .max(40, 'time is too long')
    .refine((s) => parseTimeExpression(s, Date.now()) !== undefined, `expected ${TIME_HELP}`)
    .default(fallback)
    .describe(`${TIME_HELP}. ${NOW_NOTE}`);

const intervalText = z
  .string()
  .trim()
  .regex(INTERVAL_PATTERN, 'expected an interval such as 1m, 5m, 1h or 1d')
  .refine((s) => parseInterval(s) !== undefined, 'interval must be from 1m to 1d')
  .describe('Bucket width, 1m to 1d (m, h, d); default: the finest giving at most 300 buckets');

const rangeFields = {
  from: timeExpression('now-24h'),
  to: timeExpression('now'),
};

/** Resolves validated `from`/`to` against one `now`; adds an issue when from is not before to. */
export function resolveRange(q: { from: string; to: string }, ctx: z.RefinementCtx): TimeRange | undefined {
  const now = requestNow();
  const from = parseTimeExpression(q.from, now);
  const to = parseTimeExpression(q.to, now);
  if (from === undefined || to === undefined) return undefined;
  if (from >= to) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'from must be earlier than to' });
    return undefined;
  }
  return { from, to };
}

const HOUR_MS = 3_600_000;
const rangeShape = { ...rangeFields, ...FiltersSchema.shape };
const bucketShape = { ...rangeShape, interval: intervalText.optional() };
type RangeInput = z.output<z.ZodObject<typeof rangeShape>> & { limit?: number };
type BucketInput = RangeInput & { interval?: string };

function pickFilters(q: Filters): Filters {
  const filters: Filters = {};
  if (q.host !== undefined) filters.host = q.host;
  if (q.domain !== undefined) filters.domain = q.domain;
  if (q.sender !== undefined) filters.sender = q.sender;
  if (q.recipient !== undefined) filters.recipient = q.recipient;
  return filters;
}

function toRange<Q extends RangeInput>(q: Q, ctx: z.RefinementCtx) {
  const range = resolveRange(q, ctx);
  if (!range) return z.NEVER;
  return { range, filters: pickFilters(q), limit: q.limit as Q['limit'] };
}

function toBuckets<Q extends BucketInput>(q: Q, ctx: z.RefinementCtx) {
  const range = resolveRange(q, ctx);
  if (!range) return z.NEVER;
  const interval = q.interval ?? autoInterval(range);
  const intervalMs = parseInterval(interval) as number;
  const count = bucketCount(range, intervalMs);
  if (count > MAX_BUCKETS) {
    ctx.addIssue({
      code: 'custom',
      path: ['interval'],
      message: `${count} buckets of ${interval} in this range; at most ${MAX_BUCKETS}: use a wider interval or a shorter range`,
    });
    return z.NEVER;
  }
  return {
    range,
    interval: { text: interval, ms: intervalMs },
    filters: pickFilters(q),
    limit: q.limit as Q['limit'],
  };
}

/** How many rows a "top" list holds. */
export const topLimit = (fallback: number, max: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback).describe(`Rows in each top list, 1 to ${max}`);

/*
 * Unknown parameters are refused: a typo (`?form=`) must not silently answer for the default
 * range.
 */

/** Range and filters, for answers without time buckets. */
export const RangeQuerySchema = z.strictObject(rangeShape).transform(toRange);
/** Range and filters for answers with an hourly table (`/summary`): at most MAX_BUCKETS hours. */
export const HourlyRangeQuerySchema = RangeQuerySchema.refine(
  (q) => bucketCount(q.range, HOUR_MS) <= MAX_BUCKETS,
  {
    message: `the range may span at most ${MAX_BUCKETS} hours (its hourly table has a row per hour)`,
    path: ['from'],
  },
);
/** Range, filters and the length of top lists. */
export const rangeTopQuery = (fallback: number, max: number) =>
  z.strictObject({ ...rangeShape, limit: topLimit(fallback, max) }).transform(toRange);
/** Range, interval and filters, for answers with time buckets. */
export const BucketQuerySchema = z.strictObject(bucketShape).transform(toBuckets);
/** Range, interval, filters and the length of top lists. */
export const bucketTopQuery = (fallback: number, max: number) =>
  z.strictObject({ ...bucketShape, limit: topLimit(fallback, max) }).transform(toBuckets);

export const PeriodSchema = z.object({
  from: z.string().describe('Start of the range asked for (inclusive), ISO 8601 UTC'),
  to: z.string().describe('End of the range asked for (exclusive), ISO 8601 UTC'),
});

/** One row of a reason table: the report's row (`report/schema.ts`), one schema for both. */
export const ReasonRowSchema = ReportSchema.shape.rejections.element;
export type ReasonRow = z.infer<typeof ReasonRowSchema>;

export const CountRowSchema = z.object({ key: z.string(), count: z.number().int() });
export type CountRow = z.infer<typeof CountRowSchema>;

export const ErrorBodySchema = z.object({
  statusCode: z.number().int(),
  code: z.string().describe('MP_ERR_* code, see docs/errors.md'),
  error: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
