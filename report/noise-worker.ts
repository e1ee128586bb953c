/**
 * The second thread of `report`: parses and counts the lines that need no correlation
 * (`line-split.ts`), then hands back its counts for the main thread to merge. Protocol:
 * `{lines}` → `{ack}` after each batch (flow control); `{end}` → `{state}`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createParseContext, type ParseOptions, parsedMs, parseLine } from '../parser/index.js';
import { createReportAccumulator } from './accumulate.js';

const port = parentPort;
if (port === null) throw new Error('noise-worker must run as a worker thread');
const ctx = createParseContext(workerData as ParseOptions);
const acc = createReportAccumulator();
port.on('message', (msg: { lines?: string[]; end?: true }) => {
  if (msg.lines !== undefined) {
    for (const line of msg.lines) {
      const ev = parseLine(line, ctx);
      acc.addEvent(ev, parsedMs(ev, ctx));
    }
    port.postMessage({ ack: true });
  } else if (msg.end) {
    port.postMessage({ state: acc.state() });
  }
});
