/**
 * The second thread of `report`: parses and counts the lines that need no correlation
 * (`line-split.ts`), then hands back its counts for the main thread to merge. Two ways to feed
 * it, chosen by `run.ts`:
 * - lines from the main thread, which reads: `{lines}` → `{ack}` after each batch (flow
 *   control); `{end}` → `{state}`.
 * - it reads the files itself (`workerData.read`) and sends the main thread the lines it must
 *   correlate: `{lines}` ← `{ack}` (at most `maxInFlight` batches unanswered), then
 *   `{done}`, or `{failure}` with a `MailpulseError`'s code and arguments. Reading, splitting
 *   and sorting the lines then cost the correlating thread nothing, and the strings it receives
 *   are copies of their own, so none keeps a read chunk alive.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type ReadOptions, readLogFiles } from '../core/log-files.js';
import { isMailpulseError } from '../core/errors.js';
import { createParseContext, type ParseOptions, parsedMs, parseLine } from '../parser/index.js';
import { type AccumulatorState, createReportAccumulator } from './accumulate.js';
import { needsMainThread } from './line-split.js';

export interface WorkerRead {
  paths: string[];
  options: ReadOptions;
  /** Batches whose last line is at most this far into the input go to the main thread whole. */
  parallelAfter: number;
  /** Batches sent and not yet answered, at most. */
  maxInFlight: number;
}

export interface WorkerInit extends ParseOptions {
  read?: WorkerRead;
}

/** What a reading worker sends when it is through: its counts and how many lines it read. */
export interface WorkerDone {
  state: AccumulatorState;
  lines: number;
  workerLines: number;
}

const port = parentPort;
if (port === null) throw new Error('noise-worker must run as a worker thread');
const init = workerData as WorkerInit;
const ctx = createParseContext(init);
const acc = createReportAccumulator();

function count(line: string): void {
  const ev = parseLine(line, ctx);
  acc.addEvent(ev, parsedMs(ev, ctx));
}

async function readAndSplit(read: WorkerRead, out: NonNullable<typeof port>): Promise<void> {
  let inFlight = 0;
  let wake: (() => void) | undefined;
  out.on('message', () => {
    inFlight -= 1;
    wake?.();
    wake = undefined;
  });
  let lines = 0;
  let workerLines = 0;
  try {
    for await (const batch of readLogFiles(read.paths, read.options)) {
      lines += batch.length;
      let forward = batch;
      if (lines > read.parallelAfter) {
        forward = [];
        for (const line of batch) {
          if (needsMainThread(line)) forward.push(line);
          else count(line);
        }
        workerLines += batch.length - forward.length;
      }
      if (forward.length === 0) continue;
      while (inFlight >= read.maxInFlight) await new Promise<void>((resolve) => (wake = resolve));
      inFlight += 1;
      out.postMessage({ lines: forward });
    }
  } catch (err) {
    if (!isMailpulseError(err)) throw err;
    out.postMessage({ failure: { code: err.code, args: err.args.map(String) } });
    return;
  }
  const done: WorkerDone = { state: acc.state(), lines, workerLines };
  out.postMessage({ done });
}

if (init.read !== undefined) {
  await readAndSplit(init.read, port);
} else {
  port.on('message', (msg: { lines?: string[]; end?: true }) => {
    if (msg.lines !== undefined) {
      for (const line of msg.lines) count(line);
      port.postMessage({ ack: true });
    } else if (msg.end) {
      port.postMessage({ state: acc.state() });
    }
  });
}
