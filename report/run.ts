/**
 * The streaming driver: files (or stdin) → line batches → the report pipeline. The only I/O of
 * `mailpulse report`.
 *
 * With `parallel` (default), once the input has proved large (`PARALLEL_AFTER` lines, or at once
 * when the files on disk add up to `LARGE_INPUT_BYTES`: a worker's start-up costs more than it
 * saves on a small file), lines that surely carry no queue ID go to a worker thread that parses
 * and counts them, and the correlating main thread merges its counts at the end: the same
 * report (a test holds both paths equal), on two cores. At most `MAX_IN_FLIGHT` batches wait for
 * the worker, so memory stays bounded when it falls behind.
 */
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { type ReadOptions, readLogFiles } from '../core/log-files.js';
import type { ParseOptions } from '../parser/index.js';
import type { AccumulatorState } from './accumulate.js';
import { needsMainThread } from './line-split.js';
import { createReportPipeline, type ReportOptions } from './pipeline.js';
import type { Report } from './schema.js';

export interface RunStats {
  lines: number;
  /** Highest number of messages held by the correlator at a batch boundary. */
  peakOpenMessages: number;
  /** Lines parsed by the worker thread. */
  workerLines: number;
}

export interface RunOptions extends ReportOptions {
  read?: ReadOptions;
  /** Parse lines without a queue ID on a second thread. Default true. */
  parallel?: boolean;
  /** Lines read before the second thread starts. Default 200,000. */
  parallelAfter?: number;
}

const MAX_IN_FLIGHT = 8;
const PARALLEL_AFTER = 200_000;
/** About 400,000 plain lines, or several million gzipped: the worker pays for itself at once. */
const LARGE_INPUT_BYTES = 64 * 1024 * 1024;

/** Bytes of the named files on disk (unreadable names count 0: reading them reports the error). */
async function inputBytes(paths: readonly string[]): Promise<number> {
  let total = 0;
  for (const p of paths) {
    total += await stat(p).then(
      (st) => st.size,
      () => 0,
    );
  }
  return total;
}

interface NoiseWorker {
  send(lines: string[]): Promise<void>;
  finish(): Promise<AccumulatorState>;
  terminate(): void;
}

function startWorker(options: ParseOptions): NoiseWorker {
  const worker = new Worker(new URL('./noise-worker.js', import.meta.url), {
    workerData: { year: options.year, timeZone: options.timeZone, now: options.now },
  });
  let inFlight = 0;
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  let done: ((s: AccumulatorState) => void) | undefined;
  let fail: ((e: Error) => void) | undefined;
  worker.on('message', (msg: { ack?: true; state?: AccumulatorState }) => {
    if (msg.ack) {
      inFlight -= 1;
      wake?.();
      wake = undefined;
    } else if (msg.state !== undefined) {
      done?.(msg.state);
      void worker.terminate();
    }
  });
  worker.on('error', (err) => {
    failure = err;
    wake?.();
    fail?.(err);
  });
  return {
    async send(lines) {
      if (failure) throw failure;
      while (inFlight >= MAX_IN_FLIGHT && !failure) await new Promise<void>((resolve) => (wake = resolve));
      if (failure) throw failure;
      inFlight += 1;
      worker.postMessage({ lines });
    },
    finish() {
      return new Promise<AccumulatorState>((resolve, reject) => {
        if (failure) return reject(failure);
        done = resolve;
        fail = reject;
        worker.postMessage({ end: true });
      });
    },
    terminate() {
      void worker.terminate();
    },
  };
}

export async function reportOfFiles(
  paths: readonly string[],
  options: RunOptions = {},
  stats?: RunStats,
): Promise<Report> {
  const pipeline = createReportPipeline(options);
  const parallelAfter =
    options.parallel === false
      ? Number.POSITIVE_INFINITY
      : (options.parallelAfter ?? ((await inputBytes(paths)) >= LARGE_INPUT_BYTES ? 0 : PARALLEL_AFTER));
  let worker: NoiseWorker | undefined;
  let lines = 0;
  let workerLines = 0;
  let peak = 0;
  try {
    for await (const batch of readLogFiles(paths, options.read)) {
      lines += batch.length;
      if (lines <= parallelAfter) {
        for (const line of batch) pipeline.pushLine(line);
      } else {
        const noise: string[] = [];
        for (const line of batch) {
          if (needsMainThread(line)) pipeline.pushLine(line);
          else noise.push(line);
        }
        workerLines += noise.length;
        // Started on the first line it can take: a year-less log never pays for it.
        if (noise.length > 0) {
          worker ??= startWorker(options);
          await worker.send(noise);
        }
      }
      if (pipeline.openMessages > peak) peak = pipeline.openMessages;
    }
  } catch (err) {
    worker?.terminate();
    throw err;
  }
  if (worker) pipeline.merge(await worker.finish());
  if (stats) {
    stats.lines = lines;
    stats.peakOpenMessages = peak;
    stats.workerLines = workerLines;
  }
  return pipeline.finish();
}
