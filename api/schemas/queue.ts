import { z } from 'zod';
import { PeriodSchema } from './common.js';

const count = z.number().int().nonnegative();

export const BacklogSchema = z.object({
  backlog: count.describe('Messages that entered the queue manager and were not removed yet'),
  active: count.describe('Backlog messages never deferred'),
  deferred: count.describe('Backlog messages with at least one deferral'),
});
export type Backlog = z.infer<typeof BacklogSchema>;

export const QueueResponseSchema = z.object({
  period: PeriodSchema,
  interval: z.string(),
  source: z
    .literal('lifecycle')
    .describe('lifecycle: computed from message documents (queued_at ≤ t < removed_at)'),
  at_end: BacklogSchema.describe('The backlog at the end of the range'),
  buckets: z.array(
    BacklogSchema.extend({ time: z.string().describe('Bucket start; figures are at the bucket end') }),
  ),
});
export type QueueResponse = z.infer<typeof QueueResponseSchema>;
