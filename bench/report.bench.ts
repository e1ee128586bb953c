/**
 * `mailpulse report` against pflogsumm (Debian package) on the same files, same machine: what an
 * operator waits for when summarizing a day of logs. Two inputs: the real corpus (mostly
 * postscreen/smtpd connection noise, few messages) decompressed to /tmp, and a generated
 * 1M-line log (message-heavy: content filter, deferrals, bounces, rejections). Each command is
 * run as a fresh process (start-up included, as a user runs it) `--runs` times; the median wall
 * time and CPU time (user + system, all threads, from GNU time) are compared as ratios, and
 * the peak RSS is shown. CPU time stays meaningful when other work shares the 2 cores; wall
 * time is what a user sees.
 *
 * Two floors are timed the same way, because a ratio needs to know what it can reach: Node's own
 * start-up (`node -e 0`), which any Node program pays before its first line, and reading and
 * splitting the file's lines with the report's reader and nothing else (`read_only`). pflogsumm's
 * time over Node's start-up is the best ratio a Node program could show on that file.
 *
 * It also prints pflogsumm's grand totals beside mailpulse's figures: the differences are
 * explained in docs/report.md.
 *
 *   node dist/bench/report.bench.js [--runs N] [--lines N] [--skip-generated] [--skip-corpus]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { repoPath } from '../core/paths.js';
import { DEFAULT_CORPUS } from './corpus.js';
import { median } from './median.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = resolve(here, '..', 'cli', 'index.js');
const generator = resolve(here, '..', 'fixtures', 'generate.js');
const logFiles = resolve(here, '..', 'core', 'log-files.js');
/** The report's reader alone: every line read and split, none parsed. */
const readOnly = `const { readLogFiles } = await import(${JSON.stringify(logFiles)});
let n = 0;
for await (const batch of readLogFiles(process.argv.slice(1))) n += batch.length;
if (n === 0) process.exitCode = 1;`;

interface Run {
  wall: number;
  cpu: number;
  rssKb: number;
  stdout: string;
}

/**
 * One process under GNU time: wall s, user+sys s, max RSS. The wall time is taken here, to the
 * millisecond (GNU time prints hundredths, too coarse for a 0.04 s start-up); it includes
 * starting GNU time itself, about 1 ms.
 */
function timed(cmd: string, args: string[]): Run {
  const start = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', cmd, ...args], {
    maxBuffer: 1 << 28,
    encoding: 'utf8',
  });
  const wall = Math.round(performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr.slice(-500)}`);
  const last = r.stderr.trim().split('\n').at(-1) ?? '';
  const [, user, sys, rss] = last.split(' ').map(Number);
  return { wall, cpu: (user ?? 0) + (sys ?? 0), rssKb: rss ?? 0, stdout: r.stdout };
}

/** pflogsumm's "Grand Totals" block: `  183   received` → { received: 183 }. */
function pflogsummTotals(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  const start = text.indexOf('Grand Totals');
  const end = text.indexOf('Per-Day Traffic Summary');
  for (const line of text.slice(start, end < 0 ? undefined : end).split('\n')) {
    const m = /^\s+(\d+)([km]?)\s+([a-z][a-z /-]+?)(?:\s+\(.*\))?\s*$/.exec(line);
    if (m)
      out[(m[3] as string).trim()] = Number(m[1]) * (m[2] === 'k' ? 1024 : m[2] === 'm' ? 1024 * 1024 : 1);
  }
  return out;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      lines: { type: 'string', default: '1000000' },
      'skip-generated': { type: 'boolean', default: false },
      'skip-corpus': { type: 'boolean', default: false },
    },
  });
  if (spawnSync('pflogsumm', ['--version']).status !== 0) {
    process.stderr.write('pflogsumm not found: apt-get install -y pflogsumm\n');
    process.exit(2);
  }
  const runs = Number(values.runs);
  const inputs: Array<{ name: string; path: string }> = [];
  if (!values['skip-corpus']) {
    const path = '/tmp/mailpulse-bench-inbound-2023.mail.log';
    if (!existsSync(path))
      writeFileSync(path, execFileSync('xz', ['-dc', DEFAULT_CORPUS], { maxBuffer: 1 << 30 }));
    inputs.push({ name: 'corpus inbound-2023 (70k lines)', path });
  }
  if (!values['skip-generated']) {
    const path = `/tmp/mailpulse-bench-generated-${values.lines}.log`;
    if (!existsSync(path))
      execFileSync('node', [
        generator,
        '--lines',
        String(values.lines),
        '--seed',
        '42',
        '--out',
        path,
        '--truth',
        `${path}.truth.json`,
      ]);
    inputs.push({ name: `generated (${values.lines} lines, seed 42)`, path });
  }
  const results = [];
  for (const input of inputs) {
    const pfl: Run[] = [];
    const mp: Run[] = [];
    const nodeStart: Run[] = [];
    const reading: Run[] = [];
    for (let i = 0; i < runs; i++) {
      pfl.push(timed('pflogsumm', [input.path]));
      nodeStart.push(timed(process.execPath, ['-e', '0']));
      reading.push(timed(process.execPath, ['--input-type=module', '-e', readOnly, '--', input.path]));
      mp.push(
        timed(process.execPath, [
          '-e',
          `import(${JSON.stringify(cli)}).then(async m => { process.exitCode = await m.main(process.argv.slice(1)); })`,
          '--',
          'report',
          '--json',
          '--tz',
          'UTC',
          input.path,
        ]),
      );
    }
    const row = {
      input: input.name,
      pflogsumm: {
        wall_s: median(pfl.map((r) => r.wall)),
        cpu_s: median(pfl.map((r) => r.cpu)),
        rss_mb: Math.round(median(pfl.map((r) => r.rssKb)) / 1024),
      },
      mailpulse: {
        wall_s: median(mp.map((r) => r.wall)),
        cpu_s: median(mp.map((r) => r.cpu)),
        rss_mb: Math.round(median(mp.map((r) => r.rssKb)) / 1024),
      },
      node_start_wall_s: median(nodeStart.map((r) => r.wall)),
      read_only_wall_s: median(reading.map((r) => r.wall)),
      speedup_wall: 0,
      speedup_cpu: 0,
      best_possible_speedup_wall: 0,
      load_average: loadavg()[0],
    };
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    row.speedup_wall = ratio(row.pflogsumm.wall_s, row.mailpulse.wall_s);
    row.speedup_cpu = ratio(row.pflogsumm.cpu_s, row.mailpulse.cpu_s);
    row.best_possible_speedup_wall = ratio(row.pflogsumm.wall_s, row.node_start_wall_s);
    results.push(row);
    const report = JSON.parse((mp[0] as Run).stdout);
    const totals = pflogsummTotals((pfl[0] as Run).stdout);
    process.stdout.write(`\n${input.name}\n`);
    process.stdout.write(
      `  pflogsumm  wall ${row.pflogsumm.wall_s} s  cpu ${row.pflogsumm.cpu_s.toFixed(2)} s  rss ${row.pflogsumm.rss_mb} MB\n`,
    );
    process.stdout.write(
      `  mailpulse  wall ${row.mailpulse.wall_s} s  cpu ${row.mailpulse.cpu_s.toFixed(2)} s  rss ${row.mailpulse.rss_mb} MB\n`,
    );
    process.stdout.write(
      `  floors     node -e 0 ${row.node_start_wall_s} s (no Node program beats ×${row.best_possible_speedup_wall})  reading the lines ${row.read_only_wall_s} s\n`,
    );
    process.stdout.write(
      `  speed-up   wall ×${row.speedup_wall}  cpu ×${row.speedup_cpu}  (load average ${(row.load_average ?? 0).toFixed(1)})\n`,
    );
    process.stdout.write('  figure           pflogsumm  mailpulse\n');
    const m = report.messages;
    for (const [label, p, ours] of [
      ['received', totals.received, m.received],
      ['delivered', totals.delivered, `${m.delivered} (+${m.internal_hops} internal hops)`],
      ['forwarded', totals.forwarded, m.forwarded],
      ['deferred', totals.deferred, `${m.deferred} msgs / ${m.deferrals} attempts`],
      ['bounced', totals.bounced, m.bounced],
      ['expired', '-', m.expired],
      ['rejected', totals.rejected, m.rejected],
      ['reject warnings', totals['reject warnings'], m.reject_warnings],
      ['held', totals.held, m.held],
      ['discarded', totals.discarded, m.discarded],
    ] as const) {
      process.stdout.write(`  ${String(label).padEnd(16)} ${String(p ?? '?').padStart(9)}  ${ours}\n`);
    }
  }
  const out = repoPath('bench', 'results', 'report.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), runs, results }, null, 2)}\n`);
  process.stdout.write(`\nwritten ${join('bench', 'results', 'report.json')}\n`);
}

main();
