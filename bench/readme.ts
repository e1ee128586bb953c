/**
 * Writes the README's benchmark table from bench/results/*.json (what each benchmark left
 * behind), between the `<!-- bench:start -->` and `<!-- bench:end -->` markers. A benchmark
 * that has not run yet shows as such: the table never claims a figure nobody measured.
 *
 *   node dist/bench/readme.js        (run by `npm run bench` after the benchmarks)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { repoPath } from '../core/paths.js';
import { ELASTICSEARCH_VERSION, KAFKA_VERSION } from '../stack/index.js';

// biome-ignore lint/suspicious/noExplicitAny: results are plain JSON written by the benchmarks.
type Json = any;

function load(name: string): Json | undefined {
  const path = repoPath('bench', 'results', `${name}.json`);
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const yes = (ok: boolean) => (ok ? 'yes' : '**no**');
const day = (iso: string | undefined) => (iso ? iso.slice(0, 16).replace('T', ' ') : '?');
const load1 = (x: number | undefined) => (x === undefined ? '?' : x.toFixed(1));

interface Row {
  bench: string;
  result: string;
  target: string;
  met: string;
  when: string;
  command: string;
}

function rows(): Row[] {
  const out: Row[] = [];
  const missing = (bench: string, command: string, target: string) =>
    out.push({ bench, result: 'not run yet', target, met: '–', when: '–', command });

  const parse = load('parse');
  if (parse) {
    for (const r of parse.results as Json[]) {
      out.push({
        bench: `parser, ${r.name}`,
        result: `${n(r.lines_per_s)} lines/s (${n(r.lines_per_cpu_s)} lines per CPU-second)`,
        target: '–',
        met: '–',
        when: `${day(parse.date)}, load ${load1(parse.load_average)}`,
        command: '`node dist/bench/parse.bench.js`',
      });
    }
  } else missing('parser', '`node dist/bench/parse.bench.js`', '–');

  const coverage = load('coverage');
  if (coverage) {
    out.push({
      bench: 'parser coverage, real corpus',
      result: `${coverage.coverage_percent.toFixed(2)} % of ${n(coverage.postfix_lines)} Postfix lines get a specific action`,
      target: '100 %',
      met: yes(coverage.coverage_percent >= 100),
      when: day(coverage.date),
      command: '`node dist/bench/coverage.js`',
    });
  } else missing('parser coverage', '`node dist/bench/coverage.js`', '100 %');

  const report = load('report');
  if (report) {
    for (const r of report.results as Json[]) {
      out.push({
        bench: `report vs pflogsumm, ${r.input}`,
        result: `${r.mailpulse.wall_s} s vs ${r.pflogsumm.wall_s} s: ×${r.speedup_wall} (CPU ×${r.speedup_cpu}), ${r.mailpulse.rss_mb} MB${
          r.node_start_wall_s === undefined
            ? ''
            : `; floors: \`node -e 0\` ${r.node_start_wall_s} s (no Node program beats ×${r.best_possible_speedup_wall}), reading the lines ${r.read_only_wall_s} s`
        }`,
        target: '×5',
        met: yes(r.speedup_wall >= 5),
        when: `${day(report.date)}, load ${load1(r.load_average)}`,
        command: '`node dist/bench/report.bench.js`',
      });
    }
  } else missing('report vs pflogsumm', '`node dist/bench/report.bench.js`', '×5');

  const ship = load('ship');
  if (ship) {
    const all = (ship.results as Json[]).map(
      (r) => `${r.tool}: ${n(r.linesPerSecond)} lines/s, ${r.peakRssMb} MB`,
    );
    out.push({
      bench: `shipper, ${n(ship.fixture.lines)} lines`,
      result: all.join('; '),
      target: '≥ ½ kcat (same codec: gzip / none), > rsyslog, RSS < 150 MB',
      met: `${yes(ship.targets.atLeastHalfOfKcatGzip)} / ${yes(ship.targets.atLeastHalfOfKcatNone)} / ${yes(ship.targets.aheadOfRsyslog)} / ${yes(ship.targets.peakRssUnder150Mb)}`,
      when: `${day(ship.date)}, load ${load1(ship.machine?.loadAverage1m)}`,
      command: '`node dist/bench/ship.bench.js`',
    });
  } else missing('shipper', '`node dist/bench/ship.bench.js`', '≥ ½ kcat, > rsyslog, RSS < 150 MB');

  /** An indexer run against its ceiling: rates, ratio, and the rounds' spread. */
  const indexerResult = (run: Json) =>
    `${n(run.indexer.docs_per_s)} docs/s vs curl \`_bulk\` ${n(run.ceiling.docs_per_s)} docs/s: ${run.ratio_to_ceiling}${
      run.rounds > 1
        ? ` (median of ${run.rounds} rounds, ${run.ratio_range[0]} to ${run.ratio_range[1]})`
        : ''
    }`;
  // Not the issue's measure (its ceiling has the whole machine): shown beside it, never as met.
  const pinned = load('index-pinned');
  const pinnedRow = pinned && {
    bench: `indexer, same backlog, Elasticsearch on CPU ${pinned.pinned_cpus.elasticsearch} and the rest on CPU ${pinned.pinned_cpus.others} (both loads)`,
    result: indexerResult(pinned),
    target: '– (a model of Elasticsearch on a host of its own)',
    met: '–',
    when: `${day(pinned.date)}, load ${load1(pinned.load_average_1m?.end)}`,
    command: '`node dist/bench/index.bench.js --pin`',
  };
  const index = load('index');
  if (index) {
    out.push({
      bench: `indexer, ${n(index.lines)}-line backlog`,
      result: indexerResult(index),
      target: '≥ 0.7 of the ceiling',
      met: yes(index.ratio_to_ceiling >= 0.7),
      when: `${day(index.date)}, load ${load1(index.load_average_1m?.end)}`,
      command: '`node dist/bench/index.bench.js`',
    });
    if (pinnedRow) out.push(pinnedRow);
    out.push({
      bench: `end-to-end lag at ${n(index.lag_ms.rate_target)} lines/s`,
      result: `p50 ${n(index.lag_ms.p50)} ms, p99 ${n(index.lag_ms.p99)} ms, max ${n(index.lag_ms.max)} ms`,
      target: 'p99 < 2 s',
      met: yes(index.lag_ms.p99 < 2000),
      when: `${day(index.date)}, load ${load1(index.load_average_1m?.end)}`,
      command: '`node dist/bench/index.bench.js`',
    });
  } else {
    missing('indexer', '`node dist/bench/index.bench.js`', '≥ 0.7 of the ceiling; lag p99 < 2 s');
    if (pinnedRow) out.push(pinnedRow);
  }

  const api = load('api');
  if (api) {
    for (const [name, e] of Object.entries(api.endpoints as Record<string, Json>)) {
      out.push({
        bench: `API ${name}, ${n(api.data.events)} events, ${api.data.range} at ${api.data.interval}, ${api.load.connections} clients`,
        result: `p50 ${n(e.latency_ms.p50)} ms, p99 ${n(e.latency_ms.p99)} ms, ${e.requests_per_s} req/s`,
        target: `p99 < ${api.target_p99_ms} ms`,
        met: yes(e.latency_ms.p99 < api.target_p99_ms),
        when: `${day(api.date)}, load ${load1(api.machine?.loadavg_1m_at_end)}`,
        command: '`node dist/bench/api.bench.js`',
      });
    }
  } else missing('API', '`node dist/bench/api.bench.js`', 'p99 < 150 ms');

  const alerts = load('alerts');
  if (alerts) {
    out.push({
      bench: `alert latency, ${alerts.rule.kind} rule every ${alerts.rule.every}, ${alerts.trials} trials`,
      result: `median ${(alerts.latency_ms.median / 1000).toFixed(1)} s, max ${(alerts.latency_ms.max / 1000).toFixed(1)} s (${alerts.received}/${alerts.trials} received)`,
      target: `< ${alerts.target_ms / 1000} s`,
      met: yes(alerts.within_target),
      when: `${day(alerts.date)}, load ${load1(alerts.machine?.loadavg_1m)}`,
      command: '`node dist/bench/alerts.bench.js`',
    });
  } else missing('alert latency', '`node dist/bench/alerts.bench.js`', '< interval + 5 s');
  return out;
}

export function benchTable(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const head = [
    `Machine: ${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}, ` +
      `Kafka ${KAFKA_VERSION} and Elasticsearch ${ELASTICSEARCH_VERSION} from \`mailpulse stack\` on the same machine. ` +
      '"load" is the 1-minute load average during the run: above 2 on this machine, other work shared the cores.',
    '',
    '| benchmark | result | target | met | when (UTC), load | reproduce |',
    '|---|---|---|---|---|---|',
  ];
  return [
    ...head,
    ...rows().map((r) => `| ${r.bench} | ${r.result} | ${r.target} | ${r.met} | ${r.when} | ${r.command} |`),
  ].join('\n');
}

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

function main(): void {
  const path = repoPath('README.md');
  const readme = readFileSync(path, 'utf8');
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${START} ... ${END} section`);
  writeFileSync(path, `${readme.slice(0, a + START.length)}\n${benchTable()}\n${readme.slice(b)}`);
  process.stdout.write('README.md benchmark table updated.\n');
}

main();
