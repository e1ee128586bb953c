/**
 * Parse-only throughput: `parseLine` over every line of the real corpus, in memory (no I/O,
 * no JSON serialization), one core. Models the indexer's parse step. Two shapes of the same
 * lines: as logged (RFC 3339 with microseconds and offset, rsyslog's high-precision format) and
 * with the headers rewritten to classic year-less `Mar 14 00:00:31` (zone conversion and year
 * inference on every line). Reports the median of several timed passes after a warm-up, as
 * wall-clock lines/s and as lines per CPU-second of this process (user + system, all threads):
 * the second stays meaningful when other work shares the machine's cores.
 *
 *   node dist/bench/parse.bench.js [CORPUS] [--passes N]
 */
import { writeResult } from './results.js';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createParseContext, parseLine } from '../parser/index.js';
import { readCorpus } from './corpus.js';
import { median } from './median.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2023-03-14T00:00:31.185246+01:00 host ...` → `Mar 14 00:00:31 host ...` */
function toClassic(line: string): string {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d:\d\d:\d\d)\S* /.exec(line);
  if (m === null) return line;
  const day = Number(m[3]);
  return `${MONTHS[Number(m[2]) - 1]} ${day < 10 ? ' ' : ''}${day} ${m[4]} ${line.slice(m[0].length)}`;
}

/** Wall and CPU time of one pass, ms. */
function pass(lines: readonly string[], timeZone: string): { wall: number; cpu: number } {
  const ctx = createParseContext({ timeZone, now: new Date('2024-01-01T00:00:00Z') });
  let sink = 0;
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (const line of lines) sink += parseLine(line, ctx).event.action.length;
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  if (sink === 0) throw new Error('nothing parsed');
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

function measure(name: string, lines: readonly string[], passes: number) {
  pass(lines, 'Europe/Berlin');
  const runs = Array.from({ length: passes }, () => pass(lines, 'Europe/Berlin'));
  const wall = median(runs.map((r) => r.wall));
  const cpu = median(runs.map((r) => r.cpu));
  const rate = (ms: number) => Math.round(lines.length / (ms / 1000)).toLocaleString('en-US');
  process.stdout.write(
    `${name.padEnd(22)} ${lines.length} lines  wall ${wall.toFixed(0)} ms = ${rate(wall)} lines/s  cpu ${cpu.toFixed(0)} ms = ${rate(cpu)} lines/cpu-s\n`,
  );
  return {
    name,
    lines: lines.length,
    lines_per_s: Math.round(lines.length / (wall / 1000)),
    lines_per_cpu_s: Math.round(lines.length / (cpu / 1000)),
  };
}

const { values, positionals } = parseArgs({
  options: { passes: { type: 'string', default: '7' } },
  allowPositionals: true,
});
const lines = readCorpus(positionals[0]);
const passes = Math.max(1, Number(values.passes) || 7);
process.stdout.write(
  `node ${process.version}, ${passes} timed passes after one warm-up, medians; load average ${loadavg()[0]?.toFixed(1)}\n`,
);
const results = [
  measure('as logged (RFC 3339)', lines, passes),
  measure('classic year-less', lines.map(toClassic), passes),
];
writeResult('parse', {
  bench: 'parse',
  date: new Date().toISOString(),
  passes,
  load_average: loadavg()[0],
  results,
});
