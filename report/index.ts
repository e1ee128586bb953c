/**
 * `mailpulse report`: pflogsumm's job with mailpulse's counting rules, no servers.
 *
 * Design: files → line batches (`core/log-files.ts`) → `parseLine` → correlator → accumulator
 * → Report (contract §3) → JSON or text. Everything after reading is pure (`pipeline.ts`,
 * `accumulate.ts`, `metrics.ts`, `render-text.ts`), so the same figures come out of a test's
 * line array and of a 10 GB rotated set.
 *
 * Guarantees: one pass, input order (rotated sets oldest first); memory bounded by the
 * correlator's window and the accumulator's capped tables, not by input size; a message is
 * counted once, when the correlator releases it, so hop links (content filter, forwards,
 * bounce notifications) are known before it is counted; bad lines are counted
 * (`lines.unparsed`), never fatal.
 */
export {
  type AccumulatorOptions,
  type AccumulatorState,
  createReportAccumulator,
  type ReportAccumulator,
} from './accumulate.js';
export { needsMainThread } from './line-split.js';
export { deliveryRate, domainOf, Histogram, hourOf, percentileOf, TopCounter } from './metrics.js';
export { createReportPipeline, type ReportOptions, type ReportPipeline, reportOfLines } from './pipeline.js';
export { type RenderOptions, renderText } from './render-text.js';
export { type RunOptions, type RunStats, reportOfFiles } from './run.js';
export { type Report, ReportSchema } from './schema.js';
