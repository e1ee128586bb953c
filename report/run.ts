/**
 * The streaming driver: files (or stdin) → line batches → the report pipeline. The only I/O of
 * `mailpulse report`.
 *
 * With `parallel` (default), once the input has proved large (`PARALLEL_AFTER` lines, or at once
 * when the files on disk add up to `LARGE_INPUT_BYTES`: a worker's start-up costs more than it
 * saves on a small file), lines that surely carry no queue ID go to a worker thread that parses
 * and counts them, and the correlating main thread merges its counts at the end: the same
 * report (a test holds both paths equal), on two cores. At most `MAX_IN_FLIGHT` batches wait for
 * the other thread, so memory stays bounded when one falls behind.
 *
 * Files that add up to `LARGE_INPUT_BYTES` are also read by the worker, which sends the main
 * thread only the lines it must correlate: on the 1M-line benchmark log the correlating thread
 * sets the pace, and reading, splitting and sorting the lines were about a tenth of its work
 * (the CLI took 2.03-2.12 s against 2.27-2.43 s, four paired runs). Stdin and smaller files are
 * read here: a second thread that reads from the first line doubles the cold start (two
 * isolates compiling the same parser), which costs more than it saves on a day's log (a
 * prototype on the 70k-line corpus: 0.45-0.49 s against 0.37-0.40).
 */
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { type ReadOptions, readLogFiles } from '../core/log-files.js';
import type { ParseOptions } from '../parser/index.js';
import { MailpulseError } from '../core/errors.js';
import type { AccumulatorState } from './accumulate.js';
import { InFlight } from './in-flight.js';
import { splitBatch } from './line-split.js';
import type { WorkerDone, WorkerInit } from './noise-worker.js';
import { createReportPipeline, type ReportOptions, type ReportPipeline } from './pipeline.js';
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
  /**
   * With `parallel`: the worker reads the files too. Default: when they add up to
   * `LARGE_INPUT_BYTES` on disk. Never for stdin.
   */
  readOnWorker?: boolean;
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

function newWorker(options: ParseOptions, read?: WorkerInit['read']): Worker {
  const init: WorkerInit = { year: options.year, timeZone: options.timeZone, now: options.now, read };
  return new Worker(new URL('./noise-worker.js', import.meta.url), { workerData: init });
}

function startWorker(options: ParseOptions): NoiseWorker {
  const worker = newWorker(options);
  const inFlight = new InFlight(MAX_IN_FLIGHT);
  let failure: Error | undefined;
  let done: ((s: AccumulatorState) => void) | undefined;
  let fail: ((e: Error) => void) | undefined;
  worker.on('message', (msg: { ack?: true; state?: AccumulatorState }) => {
    if (msg.ack) {
      inFlight.answered();
    } else if (msg.state !== undefined) {
      done?.(msg.state);
      void worker.terminate();
    }
  });
  worker.on('error', (err) => {
    failure = err;
    inFlight.fail(err);
    fail?.(err);
  });
  return {
    async send(lines) {
      await inFlight.reserve();
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

/**
 * The worker reads `paths` and hands each batch of lines to correlate to `onLines`, in order;
 * resolves with its counts. A `MailpulseError` raised while reading (a missing file, bad gzip)
 * is raised here again, the same code and message.
 */
function readOnWorker(
  paths: readonly string[],
  options: RunOptions,
  parallelAfter: number,
  onLines: (lines: string[]) => void,
): Promise<WorkerDone> {
  const worker = newWorker(options, {
    paths: [...paths],
    options: options.read ?? {},
    parallelAfter,
    maxInFlight: MAX_IN_FLIGHT,
  });
  return new Promise<WorkerDone>((resolve, reject) => {
    const fail = (err: unknown) => {
      void worker.terminate();
      reject(err);
    };
    worker.on(
      'message',
      (msg: {
        lines?: string[];
        done?: WorkerDone;
        failure?: { code: MailpulseError['code']; args: string[] };
      }) => {
        if (msg.lines !== undefined) {
          try {
            onLines(msg.lines);
          } catch (err) {
            fail(err);
            return;
          }
          worker.postMessage({ ack: true });
        } else if (msg.done !== undefined) {
          resolve(msg.done);
          void worker.terminate();
        } else if (msg.failure !== undefined) {
          fail(new MailpulseError(msg.failure.code, msg.failure.args));
        }
      },
    );
    worker.on('error', fail);
    // Settled already unless the thread died without a word (out of memory, a native crash).
    worker.on('exit', (code) => reject(new Error(`the report's worker thread exited early (code ${code})`)));
  });
}

/** Reads here; the worker, once started, parses the lines that need no correlation. */
async function readHere(
  paths: readonly string[],
  options: RunOptions,
  parallelAfter: number,
  pipeline: ReportPipeline,
  stats: RunStats,
): Promise<void> {
  let worker: NoiseWorker | undefined;
  try {
    for await (const batch of readLogFiles(paths, options.read)) {
      stats.lines += batch.length;
      const { main, noise } = splitBatch(batch, stats.lines, parallelAfter);
      for (const line of main) pipeline.pushLine(line);
      stats.workerLines += noise.length;
      // Started on the first line it can take: a year-less log never pays for it.
      if (noise.length > 0) {
        worker ??= startWorker(options);
        await worker.send(noise);
      }
      if (pipeline.openMessages > stats.peakOpenMessages) stats.peakOpenMessages = pipeline.openMessages;
    }
  } catch (err) {
    worker?.terminate();
    throw err;
  }
  if (worker) pipeline.merge(await worker.finish());
}

export async function reportOfFiles(
  paths: readonly string[],
  options: RunOptions = {},
  stats?: RunStats,
): Promise<Report> {
  const parallel = options.parallel !== false;
  const files = parallel && paths.length > 0;
  const large = files && (await inputBytes(paths)) >= LARGE_INPUT_BYTES;
  const parallelAfter = parallel
    ? (options.parallelAfter ?? (large ? 0 : PARALLEL_AFTER))
    : Number.POSITIVE_INFINITY;
  const pipeline = createReportPipeline(options);
  const run: RunStats = { lines: 0, peakOpenMessages: 0, workerLines: 0 };
  if (files && (options.readOnWorker ?? large)) {
    const done = await readOnWorker(paths, options, parallelAfter, (lines) => {
      for (const line of lines) pipeline.pushLine(line);
      if (pipeline.openMessages > run.peakOpenMessages) run.peakOpenMessages = pipeline.openMessages;
    });
    pipeline.merge(done.state);
    run.lines = done.lines;
    run.workerLines = done.workerLines;
  } else {
    await readHere(paths, options, parallelAfter, pipeline, run);
  }
  if (stats) Object.assign(stats, run);
  return pipeline.finish();
}
