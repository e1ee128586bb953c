/**
 * An event's JSON into a `_bulk` body's buffer: `JsonBytes` against `JSON.stringify` and the copy
 * of its text, on the parser's events of the generated log, passes interleaved. CPU per event,
 * garbage collection included (process CPU, so V8's helper threads too). Prints only.
 *
 *   node dist/bench/json-bytes.bench.js [--lines 200000] [--passes 5]
 */
import { parseArgs } from 'node:util';
import { generateLog } from '../fixtures/generator.js';
import { JsonBytes } from '../indexer/json-bytes.js';
import { createParseContext, parseLine } from '../parser/index.js';
import { median } from './median.js';

const { values } = parseArgs({
  options: { lines: { type: 'string', default: '200000' }, passes: { type: 'string', default: '5' } },
});

const chunks: string[] = [];
generateLog({ lines: Number(values.lines), seed: 7 }, (chunk) => chunks.push(chunk));
const ctx = createParseContext({ timeZone: 'UTC' });
const events = chunks
  .join('')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => parseLine(line, ctx));

/** Bodies of 2,000 events (INDEXER_BULK_DOCS's default), a new buffer each, as the indexer has. */
const BODY = 2000;

function cpuPerEvent(write: (out: JsonBytes, event: object) => void): number {
  const t0 = process.cpuUsage();
  let out = new JsonBytes(256 * 1024);
  let bytes = 0;
  for (let i = 0; i < events.length; i++) {
    if (i % BODY === 0) {
      bytes += out.used;
      out = new JsonBytes(256 * 1024);
    }
    write(out, events[i] as object);
  }
  const used = process.cpuUsage(t0);
  if (bytes + out.used === 0) throw new Error('nothing written');
  return (used.user + used.system) / events.length;
}

const ways: Record<string, (out: JsonBytes, event: object) => void> = {
  JsonBytes: (out, event) => out.value(event),
  'JSON.stringify and copy': (out, event) => out.raw(JSON.stringify(event)),
};
const results = new Map<string, number[]>(Object.keys(ways).map((name) => [name, []]));
for (let p = 0; p < Number(values.passes); p++) {
  for (const [name, write] of Object.entries(ways)) results.get(name)?.push(cpuPerEvent(write));
}
process.stdout.write(`${events.length} events\n`);
for (const [name, us] of results) {
  process.stdout.write(
    `${name}: median ${median(us).toFixed(2)} µs per event (passes: ${us.map((x) => x.toFixed(2)).join(', ')})\n`,
  );
}
