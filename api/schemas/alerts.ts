/**
 * Alerts and silences over HTTP. The stored shapes are the alert engine's own schemas
 * (alerts/state-store.ts), so the API shows exactly what the engine recorded.
 */
import { z } from 'zod';
import {
  DeadLetterSchema,
  HistoryEntrySchema,
  SilenceSchema,
  StoredAlertSchema,
} from '../../alerts/index.js';
import { parseTimeExpression } from '../metrics/range.js';
import { timeExpression } from './common.js';

export const AlertsQuerySchema = z.strictObject({
  rule: z.string().min(1).max(100).optional().describe('Only this rule'),
  since: timeExpression('now-24h').describe('History and resolved alerts from this time (default now-24h)'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(100)
    .describe('History entries, newest first, 1 to 1000'),
});
export type AlertsQuery = z.output<typeof AlertsQuerySchema>;

export const AlertsResponseSchema = z.object({
  active: z
    .array(StoredAlertSchema)
    .describe('Alerts firing or pending (condition holds, waiting for `for`)'),
  resolved: z.array(StoredAlertSchema).describe('Alerts resolved since `since`'),
  history: z.array(HistoryEntrySchema).describe('State changes and reminders, newest first'),
});
export type AlertsResponse = z.infer<typeof AlertsResponseSchema>;

const DURATION = /^(\d{1,6})([mhd])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const instant = z
  .string()
  .trim()
  .refine(
    (s) => parseTimeExpression(s, Date.now()) !== undefined,
    'expected ISO 8601 with a zone or now[-+]N[smhdw]',
  );

export const SilenceCreateSchema = z
  .strictObject({
    matchers: z
      .record(z.string().min(1).max(100), z.string().max(1000))
      .refine((m) => Object.keys(m).length > 0, 'give at least one matcher')
      .describe(
        'Label → exact value; all must match. `alertname` is the rule name; group labels are domain, host, relay, sender',
      ),
    starts_at: instant.optional().describe('Default now'),
    ends_at: instant.optional().describe('When the silence ends; give this or `duration`'),
    duration: z
      .string()
      .regex(DURATION, 'expected a duration such as 30m, 4h or 2d')
      .optional()
      .describe('Length from starts_at, e.g. 2h'),
    comment: z.string().max(2000).default(''),
    created_by: z.string().min(1).max(200).default('api'),
  })
  .transform((s, ctx) => {
    const now = Date.now();
    const start = s.starts_at === undefined ? now : (parseTimeExpression(s.starts_at, now) as number);
    let end: number | undefined;
    if (s.ends_at !== undefined) end = parseTimeExpression(s.ends_at, now);
    else if (s.duration !== undefined) {
      const m = DURATION.exec(s.duration) as RegExpExecArray;
      end = start + Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    }
    if (end === undefined) {
      ctx.addIssue({ code: 'custom', path: ['ends_at'], message: 'give ends_at or duration' });
      return z.NEVER;
    }
    if (end <= start || end <= now) {
      ctx.addIssue({
        code: 'custom',
        path: ['ends_at'],
        message: 'ends_at must be later than starts_at and now',
      });
      return z.NEVER;
    }
    return {
      matchers: s.matchers,
      starts_at: new Date(start).toISOString(),
      ends_at: new Date(end).toISOString(),
      comment: s.comment,
      created_by: s.created_by,
    };
  });

export const SilencesQuerySchema = z.strictObject({
  expired_since: timeExpression('now').describe(
    'Also list silences that ended after this time (default: only active ones)',
  ),
});

export const SilencesResponseSchema = z.object({ silences: z.array(SilenceSchema) });
export const SilenceIdParamsSchema = z.strictObject({ id: z.string().min(1).max(100) });

export const DeadLettersQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});
export const DeadLettersResponseSchema = z.object({ dead_letters: z.array(DeadLetterSchema) });
