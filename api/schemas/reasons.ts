import { z } from 'zod';
import { ReasonCategorySchema } from '../../core/event.js';
import { CountRowSchema, PeriodSchema, ReasonRowSchema } from './common.js';

const count = z.number().int().nonnegative();

export const CategoryRowSchema = z.object({
  category: ReasonCategorySchema,
  count,
  reasons: z.array(z.object({ reason: z.string(), count })).describe('Top reasons in this category'),
});
export type CategoryRow = z.infer<typeof CategoryRowSchema>;

export const RejectionsResponseSchema = z.object({
  period: PeriodSchema,
  interval: z.string(),
  rejected: count.describe('reject lines (smtpd, postscreen, cleanup, milter-reject)'),
  reject_warnings: count,
  categories: z.array(CategoryRowSchema),
  reasons: z.array(ReasonRowSchema).describe('Top (category, reason) pairs over all categories'),
  rbls: z.array(CountRowSchema).describe('Blocklists that caused rejections'),
  stages: z.array(CountRowSchema).describe('SMTP stage of the rejection (CONNECT, RCPT, ...)'),
  clients: z.array(CountRowSchema).describe('Client IPs with the most rejections'),
  buckets: z.array(
    z.object({
      time: z.string(),
      rejected: count,
      by_category: z.record(z.string(), count),
    }),
  ),
});
export type RejectionsResponse = z.infer<typeof RejectionsResponseSchema>;

export const DeferralsResponseSchema = z.object({
  period: PeriodSchema,
  interval: z.string(),
  deferrals: count.describe('Deferral attempts (lines)'),
  deferred: count.describe('Distinct messages with at least one deferral'),
  categories: z.array(CategoryRowSchema),
  reasons: z.array(ReasonRowSchema),
  relays: z.array(CountRowSchema).describe('Next-hop hosts with the most deferrals'),
  domains: z.array(CountRowSchema).describe('Recipient domains with the most deferrals'),
  buckets: z.array(z.object({ time: z.string(), deferrals: count, deferred: count })),
});
export type DeferralsResponse = z.infer<typeof DeferralsResponseSchema>;
