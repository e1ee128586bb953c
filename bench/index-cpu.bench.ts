/**
 * The indexer's own CPU per line, without Kafka, Elasticsearch or HTTP: what `takeBatch` does
 * between receiving a batch and handing `_bulk` bodies to the client (read the shipper's
 * headers, decode, parse, correlate, tag the event with its message, write events and the changed
 * message documents into `_bulk` bodies of INDEXER_BULK_DOCS documents, expire the correlator).
 * Each build is driven as its own `takeBatch` does: one from before `BulkBody.addValue` writes
 * `JSON.stringify` text, one from before `LINES_PER_EXPIRY` expires at the end of a batch only
 * (events are tagged by this build's `tagWithMessage`, the same in every build).
 * The whole pipeline is measured by
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
import type { BulkBody, BulkMeta } from '../indexer/bulk-body.js';
import { tagWithMessage } from '../indexer/records.js';
import { fixtureLog } from '../test/integration/indexer-support.js';
import { median } from './median.js';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '300000' },
    passes: { type: 'string', default: '4' },
    against: { type: 'string' },
  },
});

type Body = InstanceType<typeof BulkBody> & { addValue?: BulkBody['addValue'] };

interface Build {
  name: string;
  newPartitionState: typeof import('../indexer/batch.js').newPartitionState;
  prepareRecord: typeof import('../indexer/records.js').prepareRecord;
  BulkBody: new () => Body;
  linesPerExpiry: number | undefined;
}

async function load(dist: string, name: string): Promise<Build> {
  const batch = await import(resolve(dist, 'indexer', 'batch.js'));
  const records = await import(resolve(dist, 'indexer', 'records.js'));
  const bodies = await import(resolve(dist, 'indexer', 'bulk-body.js'));
  return {
    name,
    newPartitionState: batch.newPartitionState,
    prepareRecord: records.prepareRecord,
    BulkBody: bodies.BulkBody,
    linesPerExpiry: batch.LINES_PER_EXPIRY,
  };
}

/** A document into the body as the build's `takeBatch` writes it. */
function write(body: Body, meta: BulkMeta, doc: object, extra?: object): void {
  if (body.addValue) body.addValue(meta, doc, extra);
  else {
    const json = JSON.stringify(doc);
    body.add(meta, extra === undefined ? json : `${json.slice(0, -1)},${JSON.stringify(extra).slice(1)}`);
  }
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

/** INDEXER_BULK_DOCS's default. */
const BULK_DOCS = 2000;

/** One pass over every record, in batches as the indexer takes them; CPU µs per line. */
function pass(build: Build): number {
  const state = build.newPartitionState('bench', 0, 'UTC');
  let bytes = 0;
  let body = new build.BulkBody();
  const full = () => {
    if (body.count < BULK_DOCS) return;
    bytes += body.bytes;
    body = new build.BulkBody();
  };
  const writeMessage = (doc: object, offset: number) => {
    full();
    write(body, { op: 'index', index: 'bench-messages', id: 'm', version: offset }, doc, {
      indexer: { topic: 'bench', partition: 0, offset },
    });
  };
  let clockMs = 0;
  const t0 = process.cpuUsage();
  for (let start = 0; start < records.length; start += BATCH) {
    const changed = new Map<string, { doc: object; offset: number }>();
    let sinceExpiry = 0;
    for (let i = start; i < Math.min(records.length, start + BATCH); i++) {
      if (
        build.linesPerExpiry !== undefined &&
        ++sinceExpiry >= build.linesPerExpiry &&
        sinceExpiry >= state.correlator.size
      ) {
        sinceExpiry = 0;
        for (const doc of state.correlator.expire(clockMs)) {
          const written = changed.get(doc.key);
          if (written?.doc !== doc) continue;
          changed.delete(doc.key);
          writeMessage(doc, written.offset);
        }
      }
      const prepared = build.prepareRecord(records[i] as (typeof records)[number], state.ctx, 1 << 20);
      if (prepared.kind !== 'event') continue;
      if (prepared.ms > clockMs) clockMs = prepared.ms;
      for (const doc of state.correlator.push(prepared.event, prepared.ms))
        changed.set(doc.key, { doc, offset: i });
      const key = state.correlator.lastKey;
      if (key !== undefined) tagWithMessage(prepared.event, key);
      full();
      write(body, { op: 'create', index: 'bench-events', id: prepared.id }, prepared.event);
    }
    for (const { doc, offset } of changed.values()) writeMessage(doc, offset);
    state.correlator.expire(clockMs);
  }
  const used = process.cpuUsage(t0);
  bytes += body.bytes;
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
