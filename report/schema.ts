/**
 * `mailpulse report --json` (contract §3), plus what the text report needs beyond it
 * (`top_senders`, `top_recipients`, `bytes`, `notes`). The API's `/summary` answers the same
 * shape.
 */
import { z } from 'zod';
import { ReasonCategorySchema } from '../core/event.js';

const count = z.number().int().nonnegative();

export const ReasonRowSchema = z.object({ category: ReasonCategorySchema, reason: z.string(), count });
export type ReasonRow = z.infer<typeof ReasonRowSchema>;

export const HourRowSchema = z.object({
  /** Start of the UTC hour, ISO 8601. */
  hour: z.string(),
  received: count,
  delivered: count,
  /** Deferral lines in this hour. */
  deferred: count,
  bounced: count,
  rejected: count,
});
export type HourRow = z.infer<typeof HourRowSchema>;

export const DomainRowSchema = z.object({
  domain: z.string(),
  delivered: count,
  /** Deferral lines for recipients in this domain. */
  deferred: count,
  bounced: count,
});
export type DomainRow = z.infer<typeof DomainRowSchema>;

export const ReportSchema = z.object({
  period: z.object({ from: z.string().nullable(), to: z.string().nullable() }),
  messages: z.object({
    received: count,
    delivered: count,
    internal_hops: count,
    forwarded: count,
    deferred: count,
    deferrals: count,
    bounced: count,
    expired: count,
    rejected: count,
    reject_warnings: count,
    held: count,
    discarded: count,
  }),
  delivery_rate: z.number().nullable(),
  rejections: z.array(ReasonRowSchema),
  deferral_reasons: z.array(ReasonRowSchema),
  bounce_reasons: z.array(ReasonRowSchema),
  queue: z.object({ backlog_at_end: count }),
  per_domain: z.array(DomainRowSchema),
  per_hour: z.array(HourRowSchema),
  /** Seconds from arrival to final delivery, over delivered recipients (nearest rank). */
  delays: z.object({ p50: z.number(), p95: z.number(), p99: z.number(), max: z.number() }),
  lines: z.object({ total: count, postfix: count, unparsed: count }),
  bytes: z.object({ received: count, delivered: count }),
  top_senders: z.array(z.object({ address: z.string(), count })),
  top_recipients: z.array(z.object({ address: z.string(), count })),
  /** Caveats a reader should know (a counter that hit its memory bound, unparsed lines). */
  notes: z.array(z.string()),
});
export type Report = z.infer<typeof ReportSchema>;
