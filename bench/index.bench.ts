/**
 * Indexer throughput and end-to-end lag against the local stack.
 *
 * Models a backlog: N lines of the fixture log already in the raw topic when the indexer starts,
 * as after an outage or an import. The topic has 3 partitions, but the fixture's 3 host names
 * (the record keys) all hash to partition 0 with Kafka's partitioner: what is measured is one
 * partition, as from one mail server. (Host names spread over the 3 partitions gave the same
 * indexer times, 42.0 to 47.7 s in three rounds on 2026-11-28.) Reports:
 * - the ceiling: the same documents the indexer produces (events with their message's key, and
 *   final message documents with the indexer's stamp, built here with the same parse and
 *   correlate code) loaded with plain `curl` `_bulk` requests,
 *   INDEXER_BULK_CONCURRENCY at once (what the indexer keeps in flight for the backlog's one
 *   partition; curl with six at once was no faster), timed on a warm Elasticsearch (a third of
 *   them is loaded first, untimed, into indices deleted after);
 * - the indexer (`mailpulse index` in a child process):
 *   documents per second from its start until every event is searchable and committed, the
 *   ratio to the ceiling (target >= 0.7), and the CPU seconds it and the JVMs used meanwhile;
 *   both are timed back to back `--rounds` times, and the round with the median ratio is the
 *   result (every round is kept in the file);
 * - lag: with the indexer caught up, lines produced at `--rate` lines/s for `--lag-seconds`,
 *   time from handing a line to the producer until a search sees it (p50/p99/max; target p99
 *   under 2 s). Elasticsearch's 1 s refresh interval is part of that time.
 *
 *   node dist/bench/index.bench.js [--lines 1000000] [--rounds 5] [--rate 2000] [--lag-seconds 30]
 *     [--keep] [--cpu-prof DIR] [--node-arg FLAG]... [--pin]
 *
 * Results go to bench/results/index.json (with --pin, index-pinned.json). The machine is shared:
 * the load average is recorded, and so is what else the cluster holds (`cluster_at_start`); the
 * indices of earlier runs of this bench (interrupted, or kept with --keep) are deleted first, so
 * two runs at once are not supported.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config.js';
import { createEsClient } from '../core/elasticsearch.js';
import { createKafka } from '../core/kafka.js';
import { repoPath } from '../core/paths.js';
import { rawHeaders } from '../core/raw-record.js';
import { dailyIndexName, installTemplates, messageDay, messageDocId } from '../indexer/index.js';
import { createCorrelator, createParseContext } from '../parser/index.js';
import { prepareRecord, tagWithMessage } from '../indexer/records.js';
import {
  cleanup,
  count,
  fixtureLog,
  produceRecords,
  uniqueName,
  waitFor,
} from '../test/integration/indexer-support.js';
import { peakRss } from '../test/integration/shipper-support.js';
import { median } from './median.js';

const { values: args } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    rate: { type: 'string', default: '2000' },
    'lag-seconds': { type: 'string', default: '30' },
    /** Ceiling and indexer timed back to back this many times; the median ratio is the result. */
    rounds: { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
    /** Directory for V8 CPU profiles of the indexer, one per round (written when it stops). */
    'cpu-prof': { type: 'string' },
    /** A V8/Node flag for the indexer process, for experiments (repeatable). */
    'node-arg': { type: 'string', multiple: true, default: [] },
    /** Elasticsearch and the rest on separate CPUs (`pinCpus`); results to index-pinned.json. */
    pin: { type: 'boolean', default: false },
  },
});
const LINES = Number(args.lines);
const RATE = Number(args.rate);
const LAG_SECONDS = Number(args['lag-seconds']);
const ROUNDS = Number.parseInt(args.rounds, 10);
if (!(ROUNDS >= 1) || String(ROUNDS) !== args.rounds)
  throw new Error(`--rounds: a whole number of at least 1 (got ${args.rounds})`);

const say = (s: string) => process.stdout.write(`${s}\n`);
/** Every name this bench creates starts with it: indices, topics, groups. */
const STEM = 'mpbench-idx';
const id = uniqueName(STEM);
const n = { prefix: id, ceiling: `${id}-ceil`, raw: `${id}.raw`, dlq: `${id}.dlq` };
/** The settings of this run, for this process and the indexer child alike. */
const env = {
  ...process.env,
  ES_INDEX_PREFIX: n.prefix,
  KAFKA_TOPIC_RAW: n.raw,
  KAFKA_TOPIC_DLQ: n.dlq,
  KAFKA_PARTITIONS: '3',
  TZ_DEFAULT: 'UTC',
};
const config = loadConfig({ env });
const es = createEsClient(config.elasticsearch, { requestTimeoutMs: 120_000 });
const kafka = createKafka(config.kafka);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** The documents the indexer would write, as `_bulk` files for curl, and how many. */
function bulkFiles(
  records: ReturnType<typeof fixtureLog>['records'],
  dir: string,
): { files: string[]; events: number; messages: number } {
  const contexts = new Map<string, ReturnType<typeof createParseContext>>();
  const correlators = new Map<string, ReturnType<typeof createCorrelator>>();
  const finalDocs = new Map<string, string>();
  const files: string[] = [];
  let lines: string[] = [];
  let events = 0;
  const flush = () => {
    if (lines.length === 0) return;
    const file = join(dir, `bulk-${String(files.length).padStart(5, '0')}.ndjson`);
    writeFileSync(file, lines.join(''));
    files.push(file);
    lines = [];
  };
  records.forEach((r, i) => {
    const ctx = contexts.get(r.host) ?? createParseContext({ timeZone: 'UTC' });
    contexts.set(r.host, ctx);
    const correlator = correlators.get(r.host) ?? createCorrelator();
    correlators.set(r.host, correlator);
    const headers = rawHeaders({
      host: r.host,
      path: '/var/log/mail.log',
      fileId: `gen-${r.host}`,
      offset: r.offset,
    });
    const p = prepareRecord(
      { topic: 'bench', partition: 0, offset: String(i), key: null, value: Buffer.from(r.line), headers },
      ctx,
      config.indexer.maxLineBytes,
    );
    if (p.kind !== 'event') return;
    events += 1;
    const changed = correlator.push(p.event);
    // As the indexer writes them: an event tagged with its message's key, a message document
    // stamped with the Kafka position of its last line (the backlog is partition 0, in order).
    const key = correlator.lastKey;
    if (key !== undefined) tagWithMessage(p.event, key);
    lines.push(
      `{"create":{"_index":"${dailyIndexName(n.ceiling, 'events', p.day)}","_id":${JSON.stringify(p.id)}}}\n${JSON.stringify(p.event)}\n`,
    );
    if (lines.length >= config.indexer.bulkDocs) flush();
    for (const doc of changed) {
      const stamped = { ...doc, indexer: { topic: n.raw, partition: 0, offset: i } };
      finalDocs.set(
        doc.key,
        `{"index":{"_index":"${dailyIndexName(n.ceiling, 'messages', messageDay(doc))}","_id":${JSON.stringify(messageDocId(doc.key))}}}\n${JSON.stringify(stamped)}\n`,
      );
    }
  });
  flush();
  for (const line of finalDocs.values()) {
    lines.push(line);
    if (lines.length >= config.indexer.bulkDocs) flush();
  }
  flush();
  return { files, events, messages: finalDocs.size };
}

/**
 * `_bulk` files through curl, as many at once as the indexer sends. With `from`/`to`, index
 * names are rewritten on the way (the warm-up load goes to other indices).
 */
function curlLoad(files: string[], to?: string, from?: string): void {
  const post = `curl -sf -o /dev/null -H 'Content-Type: application/x-ndjson' --data-binary`;
  const each =
    to === undefined
      ? `${post} @{} '${config.elasticsearch.url}/_bulk'`
      : `sh -c "sed 's/\\"_index\\":\\"${from}-/\\"_index\\":\\"${to}-/' {} | ${post} @- '${config.elasticsearch.url}/_bulk'"`;
  execFileSync(
    'sh',
    ['-c', `printf '%s\\n' ${files.join(' ')} | xargs -P ${config.indexer.bulkConcurrency} -I {} ${each}`],
    { stdio: 'inherit' },
  );
}

/** CPU seconds (user + system) of a process and its threads; 0 once it is gone. */
function cpuSeconds(pid: number | string, onlyJava = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (onlyJava && !stat.includes('(java)')) return 0;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, in clock ticks of 1/100 s (Linux's USER_HZ).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

type JvmKind = 'kafka' | 'elasticsearch' | 'other';

/** The JVMs on the machine: the local Kafka broker, Elasticsearch (server and launcher), others. */
function jvms(): { pid: string; kind: JvmKind; seconds: number }[] {
  const out: { pid: string; kind: JvmKind; seconds: number }[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const seconds = cpuSeconds(pid, true);
    if (seconds === 0) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const kind = cmdline.includes('kafka.Kafka')
      ? 'kafka'
      : cmdline.includes('org.elasticsearch')
        ? 'elasticsearch'
        : 'other';
    out.push({ pid, kind, seconds });
  }
  return out;
}

function jvmCpuSeconds(): { kafka: number; elasticsearch: number } {
  const out = { kafka: 0, elasticsearch: 0 };
  for (const jvm of jvms()) if (jvm.kind !== 'other') out[jvm.kind] += jvm.seconds;
  return out;
}

/** CPUs `from` to `to - 1` as `taskset -c` and /proc write them. */
function cpuRange(from: number, to: number): string {
  return from === to - 1 ? `${from}` : `${from}-${to - 1}`;
}

/** A process's CPUs (`Cpus_allowed_list`), or undefined once it is gone. */
function cpusOf(pid: string | number): string | undefined {
  try {
    return /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Every thread of the process (`-a`): its threads exist already, and a process's own setting
 * only passes to threads started after it. Children started later inherit it.
 */
function setCpus(pid: string | number, cpus: string): void {
  try {
    execFileSync('taskset', ['-a', '-c', '-p', cpus, String(pid)], { stdio: 'ignore' });
  } catch (err) {
    throw new Error(
      `--pin: taskset could not move process ${pid} to CPU ${cpus} (it needs util-linux, and root or the process's own user): ${(err as Error).message}`,
    );
  }
}

/**
 * `--pin`: Elasticsearch on the first half of the CPUs, everything else (this process and so curl
 * and the indexer, the Kafka broker) on the other half, for both loads. It models a deployment
 * where Elasticsearch has a host of its own, which this machine cannot otherwise show: unpinned,
 * the indexer's CPU is taken from Elasticsearch's. Each process gets its own CPUs back at the
 * end, when pinning fails half-way, and on SIGINT or SIGTERM: an Elasticsearch left on one CPU
 * would skew every later run (which warns when it finds one).
 */
function pinCpus(cores: number): { elasticsearch: string; others: string; undo: () => void } {
  if (cores < 2) throw new Error('--pin needs at least 2 CPUs');
  const half = Math.floor(cores / 2);
  const pins = { elasticsearch: cpuRange(0, half), others: cpuRange(half, cores) };
  const vms = jvms();
  const before = [String(process.pid), ...vms.map((j) => j.pid)].map((pid) => ({ pid, cpus: cpusOf(pid) }));
  const interrupted = (signal: NodeJS.Signals) => {
    undo();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  // Every process is tried: one that is gone or refuses must not leave the others pinned.
  const undo = () => {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    for (const { pid, cpus } of before) {
      if (cpus === undefined || cpusOf(pid) === undefined) continue;
      try {
        setCpus(pid, cpus);
      } catch (err) {
        say(`could not give process ${pid} its CPUs (${cpus}) back: ${(err as Error).message}`);
      }
    }
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    for (const jvm of vms) setCpus(jvm.pid, jvm.kind === 'elasticsearch' ? pins.elasticsearch : pins.others);
    setCpus(process.pid, pins.others);
  } catch (err) {
    undo();
    throw err;
  }
  say(
    `pinned: Elasticsearch on CPU ${pins.elasticsearch}; Kafka, this bench, curl and the indexer on CPU ${pins.others}`,
  );
  return { ...pins, undo };
}

/**
 * What Elasticsearch did for one load (indices `prefix-*`): index operations and their time,
 * refreshes, merges. Two loads of the same documents can cost it very different CPU.
 */
async function esWork(prefix: string): Promise<Record<string, number>> {
  const stats = await es.indices.stats({
    index: `${prefix}-*`,
    metric: ['indexing', 'refresh', 'merge', 'flush'],
  });
  const t = stats._all.total;
  return {
    index_ops: t?.indexing?.index_total ?? 0,
    index_ms: t?.indexing?.index_time_in_millis ?? 0,
    refreshes: t?.refresh?.total ?? 0,
    refresh_ms: t?.refresh?.total_time_in_millis ?? 0,
    merges: t?.merges?.total ?? 0,
    merge_ms: t?.merges?.total_time_in_millis ?? 0,
    merged_docs: t?.merges?.total_docs ?? 0,
    flushes: t?.flush?.total ?? 0,
  };
}

/** JVM CPU seconds since `start`, rounded to 0.1 s. */
function jvmCpuSince(start: { kafka: number; elasticsearch: number }): {
  kafka: number;
  elasticsearch: number;
} {
  const now = jvmCpuSeconds();
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    kafka: round(now.kafka - start.kafka),
    elasticsearch: round(now.elasticsearch - start.elasticsearch),
  };
}

interface CeilingRun {
  seconds: number;
  docs_per_s: number;
  cpu_seconds: { kafka: number; elasticsearch: number };
  elasticsearch: Record<string, number>;
}

/**
 * One timed curl load of the bulk files into fresh `n.ceiling` indices (deleted after), until a
 * count sees every document.
 */
async function ceilingRun(files: string[], docs: number): Promise<CeilingRun> {
  await installTemplates(es, n.ceiling);
  const c0 = Date.now();
  const java0 = jvmCpuSeconds();
  curlLoad(files);
  const stored = (await count(es, `${n.ceiling}-events`)) + (await count(es, `${n.ceiling}-messages`));
  const seconds = (Date.now() - c0) / 1000;
  const cpu = jvmCpuSince(java0);
  if (stored !== docs) throw new Error(`curl load stored ${stored} of ${docs} documents`);
  const work = await esWork(n.ceiling);
  await cleanup(es, kafka, n.ceiling, []);
  const rate = docs / seconds;
  say(
    `  ceiling: ${docs} docs in ${seconds.toFixed(1)} s = ${Math.round(rate)} docs/s, CPU: Elasticsearch ${cpu.elasticsearch} s, Kafka ${cpu.kafka} s; ${JSON.stringify(work)}`,
  );
  return { seconds, docs_per_s: Math.round(rate), cpu_seconds: cpu, elasticsearch: work };
}

/**
 * The indexer runs as `mailpulse index` in a child process, as deployed, so that its CPU time is
 * its own. (A 64 MB young generation, --max-semi-space-size=64, was tried: it saved CPU on a
 * 300k-line backlog but cost more on the 1M one, so deploy/ sets no V8 flags for the indexer.)
 */
function spawnIndexer(prefix: string, group: string): ChildProcess {
  const profile = args['cpu-prof'] === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${args['cpu-prof']}`];
  const flags = [...profile, ...(args['node-arg'] ?? [])];
  return spawn(process.execPath, [...flags, repoPath('bin', 'mailpulse.js'), 'index'], {
    env: {
      ...env,
      ES_INDEX_PREFIX: prefix,
      INDEXER_GROUP_ID: group,
      // The fixture's days may be older than the default retention.
      RETENTION_DAYS: '3650',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function stopIndexer(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

interface IndexerRun {
  events: number;
  messages: number;
  seconds_to_first_commit: number;
  /** From the start until every document is committed and searchable. */
  seconds: number;
  docs_per_s: number;
  events_per_s: number;
  /** Events per second after the start (template install, group join): all events over the time from the first commit to the end. */
  steady_events_per_s: number;
  /** CPU seconds used meanwhile: the indexer process and the JVMs (Kafka, Elasticsearch). */
  cpu_seconds: { indexer_s: number; kafka: number; elasticsearch: number };
  cpu_us_per_line: number;
  peak_rss_mb: number;
  elasticsearch: Record<string, number>;
}

/**
 * A fresh consumer group and index prefix consume the whole backlog topic; the indexer is left
 * running (the caller stops it) so that the lag can be measured after the last round.
 */
async function indexerRun(
  prefix: string,
  group: string,
  expected: { events: number; messages: number },
): Promise<{ run: IndexerRun; child: ChildProcess }> {
  const i0 = Date.now();
  const java0 = jvmCpuSeconds();
  const child = spawnIndexer(prefix, group);
  child.once('exit', (code) => {
    if (code !== 0 && code !== null) say(`the indexer exited with ${code}`);
  });
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  /** Waits for `done`, or for the indexer to exit (which then fails the run). */
  const untilDone = async (
    what: string,
    done: () => Promise<boolean>,
    timeoutMs: number,
    everyMs: number,
  ) => {
    await waitFor(what, async () => gone() || (await done()), timeoutMs, everyMs);
    if (gone()) throw new Error(`the indexer exited (${child.exitCode ?? child.signalCode}) before ${what}`);
  };
  try {
    // Progress is read from Kafka, not by counting in Elasticsearch: nothing searches the
    // ceiling's indices while curl loads them either. Offsets are committed only once
    // Elasticsearch acknowledged every document of a batch.
    const lag = () => kafka.groupLag(group, n.raw);
    await untilDone('the first commit', async () => (await lag()).some((p) => p.committed > 0), 600_000, 250);
    const firstSeconds = (Date.now() - i0) / 1000;
    await untilDone(
      'the group to commit everything',
      async () => {
        const partitions = await lag();
        return partitions.length > 0 && partitions.every((p) => p.committed === p.end);
      },
      3_600_000,
      500,
    );
    // A refresh and a count (test support's `count`): the documents are searchable when it
    // returns, and that time counts too, as it does for the ceiling.
    const stored = {
      events: await count(es, `${prefix}-events`),
      messages: await count(es, `${prefix}-messages`),
    };
    const seconds = (Date.now() - i0) / 1000;
    if (stored.events !== expected.events || stored.messages !== expected.messages) {
      throw new Error(
        `the indexer stored ${stored.events} events and ${stored.messages} messages, not ${expected.events} and ${expected.messages}`,
      );
    }
    const peakRssMb = Math.round(peakRss(child.pid as number) / 1048576);
    const cpu = { indexer_s: Number(cpuSeconds(child.pid as number).toFixed(1)), ...jvmCpuSince(java0) };
    const work = await esWork(prefix);
    const rate = (stored.events + stored.messages) / seconds;
    say(
      `  indexer: ${stored.events} events + ${stored.messages} messages in ${seconds.toFixed(1)} s = ${Math.round(rate)} docs/s, CPU: indexer ${cpu.indexer_s} s, Elasticsearch ${cpu.elasticsearch} s, Kafka ${cpu.kafka} s; ${JSON.stringify(work)}`,
    );
    return {
      child,
      run: {
        ...stored,
        seconds_to_first_commit: firstSeconds,
        seconds,
        docs_per_s: Math.round(rate),
        events_per_s: Math.round(stored.events / seconds),
        steady_events_per_s: Math.round(stored.events / (seconds - firstSeconds)),
        cpu_seconds: cpu,
        cpu_us_per_line: Math.round((cpu.indexer_s * 1e6) / stored.events),
        peak_rss_mb: peakRssMb,
        elasticsearch: work,
      },
    };
  } catch (err) {
    await stopIndexer(child);
    throw err;
  }
}

/** Lines at `RATE` for `LAG_SECONDS` into a caught-up indexer: time until a search sees each. */
async function measureLag(prefix: string): Promise<Record<string, number | undefined>> {
  say(`lag: ${RATE} lines/s for ${LAG_SECONDS} s ...`);
  const events = `${prefix}-events`;
  const producer = await kafka.producer();
  // One host: one partition, in order; timestamps are the moment the line is handed over.
  const host = 'lag.bench.test';
  const sentAt: number[] = [];
  const seen: { t: number; c: number }[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const t = Date.now();
      const c = (await es.count({ index: events, query: { term: { 'host.name': host } } })).count;
      seen.push({ t, c });
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const tick = 50;
  const perTick = Math.max(1, Math.round((RATE * tick) / 1000));
  const l0 = Date.now();
  let offset = 0;
  for (let k = 0; k < (LAG_SECONDS * 1000) / tick; k++) {
    const wait = l0 + k * tick - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const now = Date.now();
    const batch = Array.from({ length: perTick }, (_, j) => {
      const line = `${new Date(now).toISOString().slice(0, 23)}000+00:00 ${host} postfix/smtpd[9]: connect from lag${k}-${j}.example[192.0.2.7]`;
      const headers = rawHeaders({ host, path: '/var/log/mail.log', fileId: `lag-${id}`, offset });
      offset += line.length + 1;
      sentAt.push(now);
      return { key: host, value: line, headers };
    });
    await producer.send(n.raw, batch);
  }
  const achieved = sentAt.length / ((Date.now() - l0) / 1000);
  await producer.disconnect();
  await waitFor('the lag lines', async () => (seen.at(-1)?.c ?? 0) >= sentAt.length, 120_000, 200);
  polling = false;
  await poller;
  const lags: number[] = [];
  let s = 0;
  sentAt.forEach((t, i) => {
    while (s < seen.length && (seen[s]?.c ?? 0) < i + 1) s++;
    lags.push((seen[s]?.t ?? Number.NaN) - t);
  });
  lags.sort((a, b) => a - b);
  const lag = { p50: percentile(lags, 50), p99: percentile(lags, 99), max: lags.at(-1) };
  say(`lag at ${Math.round(achieved)} lines/s: p50 ${lag.p50} ms, p99 ${lag.p99} ms, max ${lag.max} ms`);
  return {
    rate_target: RATE,
    rate_achieved: Math.round(achieved),
    seconds: LAG_SECONDS,
    lines: sentAt.length,
    ...lag,
  };
}

/**
 * What the cluster holds besides this run, after deleting what earlier runs of this bench left
 * (their `mpbench-idx-*` indices, found by name: wildcard deletes may be refused). On
 * 2026-11-28 such leftovers and other experiments had piled up to 261 indices and a 75 % full
 * heap: the same curl load then cost Elasticsearch 46 to 98 CPU-seconds, against 38 to 54 once
 * they were deleted. Kept in the result, so that a run on a crowded cluster shows as one.
 */
async function clusterAtStart(): Promise<{
  other_indices: number;
  other_docs: number;
  heap_used_percent: number;
}> {
  const rows = await es.cat.indices({ format: 'json', h: 'index,docs.count', expand_wildcards: 'all' });
  const ours = (name: string) => name.startsWith(`${STEM}-`);
  const stale = rows.map((r) => r.index ?? '').filter(ours);
  for (let i = 0; i < stale.length; i += 50) {
    await es.indices.delete({ index: stale.slice(i, i + 50), ignore_unavailable: true });
  }
  if (stale.length > 0) say(`deleted ${stale.length} indices left by earlier runs of this bench`);
  const others = rows.filter((r) => !ours(r.index ?? '') && !(r.index ?? '').startsWith('.'));
  const stats = await es.nodes.stats({ metric: 'jvm' });
  const heap = Math.max(...Object.values(stats.nodes).map((node) => node.jvm?.mem?.heap_used_percent ?? 0));
  const cluster = {
    other_indices: others.length,
    other_docs: others.reduce((sum, r) => sum + Number(r['docs.count'] ?? 0), 0),
    heap_used_percent: heap,
  };
  say(
    `cluster: ${cluster.other_indices} other indices, ${cluster.other_docs} documents, heap ${heap} % used`,
  );
  if (cluster.other_indices > 20) {
    say('  (a crowded cluster: Elasticsearch is slower for both loads, and the figures are not comparable)');
  }
  return cluster;
}

async function main(): Promise<void> {
  const load0 = loadavg()[0];
  const cluster = await clusterAtStart();
  // Read before pinning: this process then sees only its own half.
  const cores = availableParallelism();
  // Distinct CPU lists of Elasticsearch's processes: ["0-1"] when nothing limits them.
  const esCpus = [
    ...new Set(
      jvms()
        .filter((j) => j.kind === 'elasticsearch')
        .map((j) => cpusOf(j.pid)),
    ),
  ].filter((c): c is string => c !== undefined);
  const narrowed = esCpus.filter((c) => c !== cpuRange(0, cores));
  if (!args.pin && narrowed.length > 0) {
    say(
      `  (an Elasticsearch process runs on CPU ${narrowed.join(', ')} only, not all ${cores}: left so by an interrupted --pin run? The figures are not comparable)`,
    );
  }
  say(`generating ${LINES} lines ...`);
  const log = fixtureLog(LINES, { seed: 2026 });
  const dir = mkdtempSync(join(tmpdir(), `${STEM}-`));
  const prefixes: string[] = [];
  let indexer: ChildProcess | undefined;
  let pinned: ReturnType<typeof pinCpus> | undefined;
  try {
    if (args.pin) pinned = pinCpus(cores);
    // Ceiling: plain curl _bulk with the indexer's documents, same request size and concurrency.
    const bulk = bulkFiles(log.records, dir);
    const docs = bulk.events + bulk.messages;
    say(
      `ceiling: ${bulk.files.length} _bulk files, ${docs} documents; curl x${config.indexer.bulkConcurrency} ...`,
    );
    // A JVM that has just started indexes at less than half its warm speed: a cold ceiling would
    // flatter the indexer. So a third of the documents is loaded first, untimed, into indices
    // that are then deleted.
    const warmPrefix = `${id}-warm`;
    await installTemplates(es, warmPrefix);
    const warmFiles = Math.ceil(bulk.files.length / 3);
    curlLoad(bulk.files.slice(0, warmFiles), warmPrefix, n.ceiling);
    await cleanup(es, kafka, warmPrefix, []);

    say('producing the backlog ...');
    await kafka.ensureTopics([{ topic: n.raw, partitions: 3 }]);
    const p0 = Date.now();
    await produceRecords(kafka, n.raw, log.records);
    say(`produced in ${((Date.now() - p0) / 1000).toFixed(1)} s`);

    // Even on an otherwise empty cluster the same curl load took 25.7 to 34.3 s in one run, and
    // single pairs gave ratios from 0.58 to 0.79: one pair measures the machine as much as the
    // indexer. Each round times both back to back, in alternating order so that a drift favours
    // neither; the last round ends with the indexer, which stays up for the lag measurement.
    const rounds: { ceiling: CeilingRun; indexer: IndexerRun; ratio: number }[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      say(`round ${r + 1} of ${ROUNDS}`);
      const prefix = `${id}-r${r}`;
      prefixes.push(prefix);
      const timeIndexer = async (): Promise<IndexerRun> => {
        const { run, child } = await indexerRun(prefix, `${id}-indexer-r${r}`, bulk);
        indexer = child;
        if (r < ROUNDS - 1) {
          await stopIndexer(child);
          await cleanup(es, kafka, prefix, []);
        }
        return run;
      };
      let ceiling: CeilingRun;
      let run: IndexerRun;
      if ((ROUNDS - 1 - r) % 2 === 0) {
        ceiling = await ceilingRun(bulk.files, docs);
        run = await timeIndexer();
      } else {
        run = await timeIndexer();
        ceiling = await ceilingRun(bulk.files, docs);
      }
      const ratio = Number((run.docs_per_s / ceiling.docs_per_s).toFixed(3));
      say(`  ratio ${ratio}`);
      rounds.push({ ceiling, indexer: run, ratio });
    }
    const lag = await measureLag(prefixes.at(-1) as string);

    // The round with the median ratio stands for the run; every round is kept.
    const ratios = rounds.map((r) => r.ratio);
    const middle = rounds.find((r) => r.ratio === median(ratios)) as (typeof rounds)[number];
    const result = {
      bench: 'index',
      date: new Date().toISOString(),
      lines: log.truth.lines,
      documents: docs,
      rounds: rounds.length,
      ceiling: {
        tool: 'curl _bulk',
        concurrency: config.indexer.bulkConcurrency,
        bulk_docs: config.indexer.bulkDocs,
        untimed_warm_up_files: warmFiles,
        ...middle.ceiling,
      },
      indexer: middle.indexer,
      ratio_to_ceiling: middle.ratio,
      ratio_range: [Math.min(...ratios), Math.max(...ratios)],
      every_round: rounds,
      lag_ms: lag,
      load_average_1m: { start: load0, end: loadavg()[0] },
      cluster_at_start: cluster,
      cores,
      elasticsearch_cpus_at_start: esCpus.join(' '),
      ...(pinned ? { pinned_cpus: { elasticsearch: pinned.elasticsearch, others: pinned.others } } : {}),
    };
    const file = pinned ? 'index-pinned.json' : 'index.json';
    mkdirSync(repoPath('bench', 'results'), { recursive: true });
    writeFileSync(repoPath('bench', 'results', file), `${JSON.stringify(result, null, 2)}\n`);
    say(`ratio: median ${middle.ratio} of ${ratios.join(', ')}; written bench/results/${file}`);
  } finally {
    await stopIndexer(indexer);
    pinned?.undo();
    rmSync(dir, { recursive: true, force: true });
    if (!args.keep) {
      for (const prefix of prefixes) await cleanup(es, kafka, prefix, []);
      await cleanup(es, kafka, n.prefix, [n.raw, n.dlq]);
    }
    await cleanup(es, kafka, n.ceiling, []);
    await es.close();
  }
}

await main();
