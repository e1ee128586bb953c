/**
 * The streaming driver: files (or stdin) → line batches → the report pipeline. The only I/O of
 * `mailpulse report`.
 */
import { type ReadOptions, readLogFiles } from '../core/log-files.js';
import { createReportPipeline, type ReportOptions } from './pipeline.js';
import type { Report } from './schema.js';

export interface RunStats {
  lines: number;
  /** Highest number of messages held by the correlator at a sweep. */
  peakOpenMessages: number;
}

export async function reportOfFiles(
  paths: readonly string[],
  options: ReportOptions & { read?: ReadOptions } = {},
  stats?: RunStats,
): Promise<Report> {
  const pipeline = createReportPipeline(options);
  let lines = 0;
  let peak = 0;
  for await (const batch of readLogFiles(paths, options.read)) {
    for (const line of batch) pipeline.pushLine(line);
    lines += batch.length;
    if (pipeline.openMessages > peak) peak = pipeline.openMessages;
  }
  if (stats) {
    stats.lines = lines;
    stats.peakOpenMessages = peak;
  }
  return pipeline.finish();
}
