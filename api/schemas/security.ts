import { z } from 'zod';
import { CountRowSchema, PeriodSchema } from './common.js';

const count = z.number().int().nonnegative();

export const SecurityResponseSchema = z.object({
  period: PeriodSchema,
  sasl_failures: z.object({
    total: count,
    by_client_ip: z.array(CountRowSchema),
    by_user: z.array(CountRowSchema),
    distinct_client_ips: count,
  }),
  tls: z.object({
    smtpd_connections: count,
    smtpd_tls: count.describe('smtpd TLS sessions established'),
    tls_share: z.number().nullable().describe('smtpd_tls / smtpd_connections; null without connections'),
    plaintext_share: z.number().nullable(),
    versions: z.array(CountRowSchema),
  }),
  postscreen: z.object({
    connections: count,
    verdicts: z.array(CountRowSchema).describe('PASS NEW, PASS OLD, PREGREET, DNSBL, HANGUP, ...'),
    rejected: count,
  }),
  rate_limits: z.object({
    total: count.describe('Lines classified as rate limiting (anvil limits, smtpd rate warnings)'),
    by_client_ip: z.array(CountRowSchema),
  }),
});
export type SecurityResponse = z.infer<typeof SecurityResponseSchema>;
