import { z } from 'zod';
import { PeriodSchema } from './common.js';
import { DeliveryFiguresSchema } from './delivery.js';

export const DomainRowSchema = DeliveryFiguresSchema.omit({ expired: true }).extend({
  domain: z.string().describe('Recipient domain (lower case)'),
  delay_p95: z.number().nullable().describe('95th percentile of the delay of sent deliveries, seconds'),
});
export type DomainRow = z.infer<typeof DomainRowSchema>;

export const DomainsResponseSchema = z.object({
  period: PeriodSchema,
  domains: z.array(DomainRowSchema).describe('Domains with the most delivery attempts first'),
});
export type DomainsResponse = z.infer<typeof DomainsResponseSchema>;
