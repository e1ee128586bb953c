import { z } from 'zod';
import { PeriodSchema } from './common.js';

const count = z.number().int().nonnegative();

export const DeliveryFiguresSchema = z.object({
  delivered: count.describe('Recipient deliveries with status sent, internal hops excluded'),
  deferred: count.describe('Distinct messages with at least one deferral'),
  deferrals: count.describe('Deferral attempts (lines)'),
  bounced: count.describe('Bounced recipients'),
  expired: count.describe('Messages returned after the maximal queue lifetime'),
  delivery_rate: z
    .number()
    .nullable()
    .describe('delivered / (delivered + bounced + expired); null when that is 0'),
});
export type DeliveryFigures = z.infer<typeof DeliveryFiguresSchema>;

export const DeliveryResponseSchema = z.object({
  period: PeriodSchema,
  interval: z.string(),
  totals: DeliveryFiguresSchema,
  buckets: z.array(DeliveryFiguresSchema.extend({ time: z.string().describe('Bucket start, ISO 8601 UTC') })),
});
export type DeliveryResponse = z.infer<typeof DeliveryResponseSchema>;
