/**
 * Shapes shared by every endpoint: the query (range, interval, filters), the error body, and
 * the small rows several answers reuse. Request schemas resolve relative times once, so the
 * handler sees absolute milliseconds and every query of one answer uses the same `now`.
 */
import { z } from 'zod';
import { FiltersSchema } from '../metrics/filters.js';
import {
  INTERVAL_PATTERN,
  MAX_BUCKETS,
  autoInterval,
  bucketCount,
  parseInterval,
  parseTimeExpression,
  type TimeRange,
} from '../metrics/range.js';

const TIME_HELP = 'ISO 8601 with a zone (2026-11-27T10:00:00Z), a date (2026-11-27, UTC midnight) or now[-+]N[smhdw] (now-24h)';

const timeExpression = (fallback: string) =>
  z
    .string()
    .trim()
    .max(40, 'time is too long')
    .refine((s) => parseTimeExpression(s, Date.now()) !== undefined, `expected ${TIME_HELP}`)
    .default(fallback)
    .describe(TIME_HELP);

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

function resolveRange(q: { from: string; to: string }, ctx: z.RefinementCtx): TimeRange | undefined {
  const now = Date.now();
  const from = parseTimeExpression(q.from, now);
  const to = parseTimeExpression(q.to, now);
  if (from === undefined || to === undefined) return undefined;
  if (from >= to) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'from must be earlier than to' });
    return undefined;
  }
  return { from, to };
}

/** Range and filters, for answers without time buckets. */
export const RangeQuerySchema = z
  .strictObject({ ...rangeFields, ...FiltersSchema.shape })
  .transform((q, ctx) => {
    const range = resolveRange(q, ctx);
    if (!range) return z.NEVER;
    const { from: _f, to: _t, ...filters } = q;
    return { range, filters };
  });
export type RangeQuery = z.output<typeof RangeQuerySchema>;

/** Range, interval and filters, for answers with time buckets. */
export const BucketQuerySchema = z
  .strictObject({ ...rangeFields, interval: intervalText.optional(), ...FiltersSchema.shape })
  .transform((q, ctx) => {
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
    const { from: _f, to: _t, interval: _i, ...filters } = q;
    return { range, interval, intervalMs, filters };
  });
export type BucketQuery = z.output<typeof BucketQuerySchema>;

/** How many rows a "top" list holds. */
export const topLimit = (fallback: number, max: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback).describe(`Rows in each top list, 1 to ${max}`);

export const PeriodSchema = z.object({
  from: z.string().describe('Start of the range asked for (inclusive), ISO 8601 UTC'),
  to: z.string().describe('End of the range asked for (exclusive), ISO 8601 UTC'),
});

export const ReasonRowSchema = z.object({
  category: z.string(),
  reason: z.string(),
  count: z.number().int(),
});
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
