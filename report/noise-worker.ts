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
import type { ParseOptions } from '../parser/index.js';
import type { AccumulatorState } from './accumulate.js';
import { InFlight } from './in-flight.js';
import { splitBatch } from './line-split.js';

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

interface Counter {
  count(lines: readonly string[]): void;
  state(): AccumulatorState;
}

/**
 * The parser is loaded while the first bytes are read, not before: the main thread, which waits
 * for its first lines, gets them without waiting for this thread to compile the parser (on the
 * 1M-line log the first batch reached it 115-179 ms after the thread was created when the
 * parser came first, 39-54 ms after this change, five runs each).
 */
const counter: Promise<Counter> = Promise.all([import('../parser/index.js'), import('./accumulate.js')]).then(
  ([parser, accumulate]) => {
    const ctx = parser.createParseContext(init);
    const acc = accumulate.createReportAccumulator();
    return {
      count(lines) {
        for (const line of lines) {
          const ev = parser.parseLine(line, ctx);
          acc.addEvent(ev, parser.parsedMs(ev, ctx));
        }
      },
      state: () => acc.state(),
    };
  },
);

async function readAndSplit(read: WorkerRead, out: NonNullable<typeof port>): Promise<void> {
  const inFlight = new InFlight(read.maxInFlight);
  out.on('message', () => inFlight.answered());
  let lines = 0;
  let workerLines = 0;
  let ready: Counter | undefined;
  const waiting: string[][] = [];
  void counter.then((c) => {
    for (const noise of waiting.splice(0)) c.count(noise);
    ready = c;
  });
  try {
    for await (const batch of readLogFiles(read.paths, read.options)) {
      lines += batch.length;
      const { main, noise } = splitBatch(batch, lines, read.parallelAfter);
      // The main thread's share leaves first: it is the thread that sets the pace.
      if (main.length > 0) {
        await inFlight.reserve();
        out.postMessage({ lines: main });
      }
      if (noise.length > 0) {
        // Until the parser is in, a few batches wait for it while reading and forwarding go on.
        if (ready === undefined && waiting.length < read.maxInFlight) waiting.push(noise);
        else (ready ?? (await counter)).count(noise);
        workerLines += noise.length;
      }
    }
  } catch (err) {
    if (!isMailpulseError(err)) throw err;
    out.postMessage({ failure: { code: err.code, args: err.args.map(String) } });
    return;
  }
  // The handler above was attached first, so it has counted what waited before this resumes.
  const done: WorkerDone = { state: (await counter).state(), lines, workerLines };
  out.postMessage({ done });
}

if (init.read !== undefined) {
  await readAndSplit(init.read, port);
} else {
  const ready = await counter;
  port.on('message', (msg: { lines?: string[]; end?: true }) => {
    if (msg.lines !== undefined) {
      ready.count(msg.lines);
      port.postMessage({ ack: true });
    } else if (msg.end) {
      port.postMessage({ state: ready.state() });
    }
  });
}
