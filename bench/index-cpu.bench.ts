/**
 * The indexer's own CPU per line, without Kafka, Elasticsearch or HTTP: what `takeBatch` does
 * between receiving a batch and handing `_bulk` bodies to the client (read the shipper's
 * headers, decode, parse, correlate, tag the event with its message, `JSON.stringify` events and,
 * once per batch, the changed message documents). The whole pipeline is measured by
 * `index.bench.ts`, whose figures drift with the machine by 15 % between runs; this one is
 * steady enough to compare two builds, passes interleaved:
 *
 *   node dist/bench/index-cpu.bench.js [--lines 300000] [--passes 4] [--against OTHER_DIST_DIR]
 *
 * (`OTHER_DIST_DIR`: another checkout's `dist/`, built with `npm run build`.) Prints only; the
 * README table keeps the end-to-end figure.
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { rawHeaders } from '../core/raw-record.js';
import { fixtureLog } from '../test/integration/indexer-support.js';
import { median } from './median.js';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '300000' },
    passes: { type: 'string', default: '4' },
    against: { type: 'string' },
  },
});

interface Build {
  name: string;
  newPartitionState: typeof import('../indexer/batch.js').newPartitionState;
  prepareRecord: typeof import('../indexer/records.js').prepareRecord;
}

async function load(dist: string, name: string): Promise<Build> {
  const batch = await import(resolve(dist, 'indexer', 'batch.js'));
  const records = await import(resolve(dist, 'indexer', 'records.js'));
  return { name, newPartitionState: batch.newPartitionState, prepareRecord: records.prepareRecord };
}

const here = resolve(import.meta.dirname, '..');
const builds = [await load(here, 'this build')];
if (values.against !== undefined) builds.push(await load(values.against, values.against));

const log = fixtureLog(Number(values.lines), { seed: 5 });
const records = log.records.map((r, i) => ({
  topic: 'bench',
  partition: 0,
  offset: String(i),
  key: null,
  value: Buffer.from(r.line),
  headers: rawHeaders({ host: r.host, path: '/var/log/mail.log', fileId: `gen-${r.host}`, offset: r.offset }),
}));
const BATCH = 10_000;

/** One pass over every record, in batches as the indexer takes them; CPU µs per line. */
function pass(build: Build): number {
  const state = build.newPartitionState('bench', 0, 'UTC');
  let bytes = 0;
  const t0 = process.cpuUsage();
  for (let start = 0; start < records.length; start += BATCH) {
    const changed = new Map<string, { doc: object; offset: number }>();
    for (let i = start; i < Math.min(records.length, start + BATCH); i++) {
      const prepared = build.prepareRecord(records[i] as (typeof records)[number], state.ctx, 1 << 20);
      if (prepared.kind !== 'event') continue;
      for (const doc of state.correlator.push(prepared.event, prepared.ms))
        changed.set(doc.key, { doc, offset: i });
      const key = state.correlator.lastKey;
      if (key !== undefined && prepared.event.postfix !== undefined) prepared.event.postfix.message_key = key;
      bytes += JSON.stringify(prepared.event).length;
    }
    for (const { doc, offset } of changed.values()) {
      bytes += JSON.stringify({ ...doc, indexer: { topic: 'bench', partition: 0, offset } }).length;
    }
  }
  const used = process.cpuUsage(t0);
  if (bytes === 0) throw new Error('nothing serialized');
  return (used.user + used.system) / records.length;
}

const results = new Map<string, number[]>(builds.map((b) => [b.name, []]));
for (let p = 0; p < Number(values.passes); p++) {
  for (const b of builds) results.get(b.name)?.push(pass(b));
}
process.stdout.write(
  `${records.length} lines, batches of ${BATCH}, load average ${(loadavg()[0] ?? 0).toFixed(1)}\n`,
);
for (const [name, us] of results) {
  process.stdout.write(
    `${name}: median ${median(us).toFixed(1)} µs per line (passes: ${us.map((x) => x.toFixed(1)).join(', ')})\n`,
  );
}
