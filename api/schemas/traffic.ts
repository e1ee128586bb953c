import { z } from 'zod';
import { PeriodSchema } from './common.js';

const count = z.number().int().nonnegative();

export const TrafficFiguresSchema = z.object({
  connections_smtpd: count.describe('smtpd connect lines'),
  connections_postscreen: count.describe('postscreen CONNECT lines'),
  messages_received: count.describe(
    'Messages received by smtpd or pickup (content-filter re-injections and cleanup rejects excluded), by first-seen time',
  ),
  bytes_received: count.describe('Size of those messages'),
  messages_delivered: count.describe(
    'Messages removed after a final delivery (not to a content filter, not a forward), by removal time',
  ),
  bytes_delivered: count.describe('Size of those messages (once per message, not per recipient)'),
});
export type TrafficFigures = z.infer<typeof TrafficFiguresSchema>;

export const TrafficResponseSchema = z.object({
  period: PeriodSchema,
  interval: z.string(),
  totals: TrafficFiguresSchema,
  buckets: z.array(TrafficFiguresSchema.extend({ time: z.string() })),
});
export type TrafficResponse = z.infer<typeof TrafficResponseSchema>;
