import type { z } from 'zod';
import { ReportSchema } from '../../report/index.js';
import { PeriodSchema } from './common.js';

/**
 * The `mailpulse report --json` figures (one schema, the report's) for the range asked, plus
 * the range itself. `period` is, as in the report, the first and last line seen.
 */
export const SummaryResponseSchema = ReportSchema.extend({ range: PeriodSchema });
export type SummaryResponse = z.infer<typeof SummaryResponseSchema>;
