/**
 * Query API latency under load. Models a mail operator's dashboards refreshing against a day
 * of mail: N events (default 300,000; the figure is 5,000,000) from the fixture
 * generator, spread over the last 24 hours on three hosts, indexed through the indexer's own
 * batch code (`indexLines`: parse, correlate, `_bulk`) into Elasticsearch. The API runs in a
 * child process (as `mailpulse api` would), and autocannon drives `GET /api/v1/summary`,
 * `/delivery` and `/rejections` for a 24 h range at 5-minute buckets, one endpoint after the
 * other, each for `--duration` seconds with `--connections` concurrent clients.
 * Reports p50 / p99 latency and requests per second per endpoint; target p99 < 150 ms.
 * Nothing is written during the runs, so after the first request of each minute (`now` is
 * rounded up to the minute) the answers come from Elasticsearch's shard request cache and
 * concurrent identical requests share one; an index being written to loses those cache entries
 * at every refresh that adds documents, and then pays the uncached cost again.
 * Results go to bench/results/api.json.
 *
 *   node dist/bench/api.bench.js [--events N] [--duration S] [--connections C] [--prefix P] [--keep]
 *
 * `--prefix` with `--keep` reuses indexed data across runs (indexing 5M events takes long on
 * a small machine); without `--keep` the indices are deleted at the end.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startApi } from '../api/index.js';
import { loadConfig } from '../core/config.js';
import { createEsClient } from '../core/elasticsearch.js';
import { createLogger } from '../core/logger.js';
import { repoPath } from '../core/paths.js';
import { indexLines, installTemplates } from '../indexer/index.js';
import { cleanup, generateLines, uniquePrefix } from '../test/integration/api-support.js';

const DAY_MS = 86_400_000;
const TARGET_P99_MS = 150;
/** The generator writes about this many lines per message. */
const LINES_PER_MESSAGE = 10;

const ENDPOINTS = {
  summary: '/api/v1/summary?from=now-24h&to=now',
  delivery: '/api/v1/delivery?from=now-24h&to=now&interval=5m',
  rejections: '/api/v1/rejections?from=now-24h&to=now&interval=5m',
} as const;

async function serve(prefix: string): Promise<void> {
  const config = loadConfig({ overrides: { ES_INDEX_PREFIX: prefix, API_PORT: '0', LOG_LEVEL: 'warn' } });
  const api = await startApi(config, createLogger('warn'));
  process.send?.({ url: api.url });
  process.once('disconnect', () => void api.stop().then(() => process.exit(0)));
}

async function eventCount(es: ReturnType<typeof createEsClient>, prefix: string): Promise<number> {
  try {
    return (await es.count({ index: `${prefix}-events` })).count;
  } catch {
    return 0;
  }
}

async function load(es: ReturnType<typeof createEsClient>, prefix: string, events: number): Promise<number> {
  const now = Date.now();
  const started = performance.now();
  const { lines } = generateLines({
    lines: events,
    seed: 42,
    start: new Date(now - DAY_MS).toISOString(),
    rate: events / LINES_PER_MESSAGE / (DAY_MS / 1000),
    hosts: ['mx1.example.net', 'mx2.example.net', 'mx3.example.net'],
  });
  await installTemplates(es, prefix);
  let last = 0;
  await indexLines(es, prefix, lines, {
    timeZone: 'UTC',
    batchLines: 20_000,
    bulkDocs: 5000,
    onBatch: (t) => {
      if (t.lines - last >= 100_000) {
        last = t.lines;
        process.stderr.write(`indexed ${t.lines} / ${lines.length} lines\n`);
      }
    },
  });
  return (performance.now() - started) / 1000;
}

function startServer(prefix: string): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', prefix], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, url: (m as { url: string }).url }));
    child.once('exit', (code) => reject(new Error(`API child exited with ${code}`)));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      serve: { type: 'string' },
      events: { type: 'string', default: '300000' },
      duration: { type: 'string', default: '30' },
      connections: { type: 'string', default: '4' },
      prefix: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });
  if (values.serve !== undefined) return serve(values.serve);

  const events = Number(values.events);
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const prefix = values.prefix ?? uniquePrefix('apibench');
  const config = loadConfig();
  const es = createEsClient(config.elasticsearch);
  let indexSeconds: number | null = null;
  const present = await eventCount(es, prefix);
  if (present < events) indexSeconds = await load(es, prefix, events);
  const indexed = await eventCount(es, prefix);
  const messages = (await es.count({ index: `${prefix}-messages` })).count;
  process.stderr.write(`${indexed} events, ${messages} messages under ${prefix}\n`);

  const loadAtStart = loadavg()[0];
  const { child, url } = await startServer(prefix);
  const results: Record<string, unknown> = {};
  try {
    for (const [name, path] of Object.entries(ENDPOINTS)) {
      // One warm-up request so the first measured one does not pay for caches and JIT.
      await fetch(`${url}${path}`);
      const r = await autocannon({ url: `${url}${path}`, connections, duration });
      results[name] = {
        path,
        requests_per_s: r.requests.average,
        latency_ms: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
        requests: r.requests.total,
        non_2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
        meets_target: r.latency.p99 < TARGET_P99_MS && r.non2xx === 0 && r.errors === 0,
      };
      process.stderr.write(
        `${name}: p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${r.requests.average} req/s, non-2xx ${r.non2xx}\n`,
      );
    }
  } finally {
    child.disconnect();
  }
  const out = {
    bench: 'api',
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      memory_gb: Math.round(totalmem() / 2 ** 30),
      // Other work on the machine shows in the latencies: the load before and after the runs.
      loadavg_1m_at_start: loadAtStart,
      loadavg_1m_at_end: loadavg()[0],
    },
    data: { events: indexed, messages, range: '24h', interval: '5m', index_seconds: indexSeconds },
    load: { tool: 'autocannon', connections, duration_s: duration },
    target_p99_ms: TARGET_P99_MS,
    endpoints: results,
  };
  mkdirSync(repoPath('bench', 'results'), { recursive: true });
  writeFileSync(repoPath('bench', 'results', 'api.json'), `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  if (!values.keep) await cleanup(es, prefix);
  await es.close();
}

await main();
