/**
 * Models a backfill: one 1M-line Postfix log (fixtures/generator.ts, ~160 bytes a line) shipped
 * into an empty Kafka topic on the configured broker, acks=all, by three shippers in turn:
 *
 * - `mailpulse ship --from-beginning` (child process; done when the topic holds every line);
 * - `kcat -P -l` (librdkafka, the ceiling: no headers, no checkpoint), once uncompressed (its
 *   default) and once with gzip, so each mailpulse run is judged against kcat with the same codec;
 * - the bare producer (core/kafka.ts `sendLines`, in this process): the same records with the
 *   same headers, two requests in flight, no file reading, no checkpoint. The client's ceiling;
 * - rsyslog `imfile` -> `omkafka` (rsyslogd in the foreground with a private config, pid file
 *   and work folder; the system's rsyslog is never touched).
 *
 * Each gets its own one-partition topic (mailpulse keys by host, so it uses one partition
 * anyway). Reported: wall time from process start to the last line in the topic, lines/s, MB/s
 * of log bytes, peak RSS (VmHWM). Results go to bench/results/ship.json.
 *
 *   node dist/bench/ship.bench.js [--lines N]
 *     [--only mailpulse,mailpulse-none,producer,kcat,kcat-gzip,rsyslog]
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config.js';
import { createKafka, type KafkaClient } from '../core/kafka.js';
import { repoPath } from '../core/paths.js';
import type { RawLine } from '../core/raw-record.js';
import { generateLog } from '../fixtures/generator.js';
import { peakRss } from '../test/integration/shipper-support.js';

const { values: args } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    only: {
      type: 'string',
      default: 'mailpulse,mailpulse-none,producer,kcat,kcat-gzip,rsyslog',
    },
  },
});
const LINES = Number(args.lines);
const config = loadConfig();
const broker = config.kafka.brokers[0] as string;
const kafka = createKafka(config.kafka);
const cliIndex = fileURLToPath(new URL('../cli/index.js', import.meta.url));

interface Result {
  tool: string;
  seconds: number;
  linesPerSecond: number;
  mbPerSecond: number;
  peakRssMb: number;
  note?: string;
}

function writeFixture(path: string): { lines: number; bytes: number } {
  const fd = openSync(path, 'w');
  let parts: string[] = [];
  let size = 0;
  generateLog({ lines: LINES, seed: 5, hosts: ['mx1.example.net'] }, (chunk) => {
    parts.push(chunk);
    size += chunk.length;
    if (size > 1 << 20) {
      writeSync(fd, parts.join(''));
      parts = [];
      size = 0;
    }
  });
  writeSync(fd, parts.join(''));
  closeSync(fd);
  const text = readFileSync(path);
  let lines = 0;
  for (let i = text.indexOf(10); i !== -1; i = text.indexOf(10, i + 1)) lines++;
  return { lines, bytes: statSync(path).size };
}

async function topicCount(k: KafkaClient, topic: string): Promise<number> {
  return (await k.topicEnds(topic)).reduce((a, p) => a + p.end, 0);
}

/** Runs one shipper until the topic holds `lines` records; samples its peak RSS meanwhile. */
async function measure(
  tool: string,
  topic: string,
  lines: number,
  bytes: number,
  start: () => ChildProcess,
  stop?: (c: ChildProcess) => void,
): Promise<Result> {
  await kafka.ensureTopics([{ topic, partitions: 1 }]);
  const t0 = process.hrtime.bigint();
  const child = start();
  let peak = 0;
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  let count = 0;
  const deadline = Date.now() + 600_000;
  while (count < lines && Date.now() < deadline) {
    peak = Math.max(peak, peakRss(child.pid as number));
    await new Promise((r) => setTimeout(r, 100));
    count = await topicCount(kafka, topic);
    if (exited && count < lines) {
      await new Promise((r) => setTimeout(r, 500));
      count = await topicCount(kafka, topic);
      break;
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  peak = Math.max(peak, peakRss(child.pid as number));
  if (!exited) (stop ?? ((c) => c.kill('SIGTERM')))(child);
  await new Promise((r) => (exited ? r(undefined) : child.on('exit', r)));
  await kafka.deleteTopics([topic]).catch(() => {});
  const result: Result = {
    tool,
    seconds: Number(seconds.toFixed(2)),
    linesPerSecond: Math.round(count / seconds),
    mbPerSecond: Number(((bytes * (count / lines)) / seconds / 1e6).toFixed(2)),
    peakRssMb: Math.round(peak / 1048576),
  };
  if (count < lines) result.note = `only ${count} of ${lines} lines reached the topic`;
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return result;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mp-ship-bench-'));
  const file = join(dir, 'mail.log');
  const suffix = Math.random().toString(36).slice(2, 8);
  const only = new Set(String(args.only).split(','));
  try {
    const fixture = writeFixture(file);
    process.stdout.write(`fixture: ${fixture.lines} lines, ${(fixture.bytes / 1e6).toFixed(1)} MB\n`);
    const results: Result[] = [];

    // The shipper as deployed (no V8 flags), with each codec.
    const variants: [string, string, string[], string][] = [
      ['mailpulse', 'mailpulse ship (gzip)', [], 'gzip'],
      ['mailpulse-none', 'mailpulse ship (none)', [], 'none'],
    ];
    for (const [key, tool, flags, compression] of variants) {
      if (!only.has(key)) continue;
      const topic = `mp-bench-ship-${key}-${suffix}`;
      results.push(
        await measure(tool, topic, fixture.lines, fixture.bytes, () =>
          spawn(
            process.execPath,
            [
              ...flags,
              '-e',
              `import(${JSON.stringify(cliIndex)}).then(async (m) => process.exit(await m.main(process.argv.slice(1))))`,
              '--',
              'ship',
              '--from-beginning',
            ],
            {
              env: {
                ...process.env,
                KAFKAJS_NO_PARTITIONER_WARNING: '1',
                MAIL_LOGS: file,
                CHECKPOINT_DIR: join(dir, `cp-${key}`),
                KAFKA_TOPIC_RAW: topic,
                KAFKA_PARTITIONS: '1',
                SHIP_COMPRESSION: compression,
                SHIP_STATS_INTERVAL_S: '0',
                LOG_LEVEL: 'warn',
              },
              stdio: ['ignore', 'ignore', 'inherit'],
            },
          ),
        ),
      );
    }

    if (only.has('producer')) {
      const topic = `mp-bench-producer-${suffix}`;
      await kafka.ensureTopics([{ topic, partitions: 1 }]);
      const text = readFileSync(file);
      const producer = await kafka.producer({ compression: config.shipper.compression });
      const rss0 = process.memoryUsage().rss;
      const t0 = process.hrtime.bigint();
      // The shipper's path (sendLines), two requests in flight, without files or checkpoints.
      const host = 'mx1.example.net';
      const inflight: Promise<void>[] = [];
      let lines: RawLine[] = [];
      const flush = async () => {
        inflight.push(
          producer.sendLines(topic, host, [
            { path: file, fileId: 'bench', lines, from: 0, to: lines.length },
          ]),
        );
        lines = [];
        if (inflight.length >= 2) await inflight.shift();
      };
      let start = 0;
      for (let nl = text.indexOf(10); nl !== -1; nl = text.indexOf(10, start)) {
        lines.push({ offset: start, value: text.subarray(start, nl) });
        start = nl + 1;
        if (lines.length === 3300) await flush();
      }
      await flush();
      await Promise.all(inflight);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      await producer.disconnect();
      await kafka.deleteTopics([topic]).catch(() => {});
      const r: Result = {
        tool: `producer (${config.shipper.compression}), bare (no files)`,
        seconds: Number(seconds.toFixed(2)),
        linesPerSecond: Math.round(fixture.lines / seconds),
        mbPerSecond: Number((fixture.bytes / seconds / 1e6).toFixed(2)),
        peakRssMb: Math.round(Math.max(0, process.memoryUsage().rss - rss0) / 1048576),
        note: 'in the bench process; peakRssMb is the growth over the process before the run',
      };
      process.stdout.write(`${JSON.stringify(r)}\n`);
      results.push(r);
    }

    for (const [key, codec] of [
      ['kcat', 'none'],
      ['kcat-gzip', 'gzip'],
    ] as const) {
      if (!only.has(key)) continue;
      const topic = `mp-bench-${key}-${suffix}`;
      results.push(
        await measure(`kcat -P -l (${codec})`, topic, fixture.lines, fixture.bytes, () =>
          spawn('kcat', ['-P', '-b', broker, '-t', topic, '-l', '-X', 'acks=all', '-z', codec, file], {
            stdio: ['ignore', 'ignore', 'inherit'],
          }),
        ),
      );
    }

    if (only.has('rsyslog')) {
      const topic = `mp-bench-rsyslog-${suffix}`;
      const work = join(dir, 'rsyslog');
      mkdirSync(work, { recursive: true });
      const conf = join(work, 'rsyslog.conf');
      writeFileSync(
        conf,
        [
          `global(workDirectory="${work}")`,
          'module(load="imfile" mode="inotify")',
          'module(load="omkafka")',
          'template(name="line" type="string" string="%msg%")',
          `input(type="imfile" File="${file}" Tag="mail" ruleset="kafka")`,
          'ruleset(name="kafka") {',
          `  action(type="omkafka" broker=["${broker}"] topic="${topic}" template="line" topicConfParam=["request.required.acks=-1"])`,
          '}',
          '',
        ].join('\n'),
      );
      results.push(
        await measure('rsyslog imfile -> omkafka', topic, fixture.lines, fixture.bytes, () =>
          spawn('rsyslogd', ['-n', '-f', conf, '-i', join(work, 'rsyslogd.pid')], {
            stdio: ['ignore', 'ignore', 'inherit'],
          }),
        ),
      );
    }

    const by = (prefix: string) => results.find((r) => r.tool.startsWith(prefix));
    // Each codec against kcat with the same codec; rsyslog (uncompressed) against the gzip default.
    const gz = by('mailpulse ship (gzip)');
    const none = by('mailpulse ship (none)');
    const kcNone = by('kcat -P -l (none)');
    const kcGzip = by('kcat -P -l (gzip)');
    const rs = by('rsyslog');
    const half = (a: Result | undefined, b: Result | undefined) =>
      a && b ? a.linesPerSecond >= b.linesPerSecond / 2 : null;
    const report = {
      date: new Date().toISOString(),
      machine: { cpus: availableParallelism(), model: cpus()[0]?.model, loadAverage1m: loadavg()[0] },
      broker,
      fixture,
      results,
      targetsJudgedOn: [gz?.tool, none?.tool].filter(Boolean),
      targets: {
        atLeastHalfOfKcatGzip: half(gz, kcGzip),
        atLeastHalfOfKcatNone: half(none, kcNone),
        aheadOfRsyslog: gz && rs ? gz.linesPerSecond > rs.linesPerSecond : null,
        peakRssUnder150Mb: gz ? gz.peakRssMb < 150 && (none?.peakRssMb ?? 0) < 150 : null,
      },
      kcatVersion: /Version (\S+)/.exec(spawnSync('kcat', ['-V'], { encoding: 'utf8' }).stdout)?.[1],
    };
    mkdirSync(repoPath('bench', 'results'), { recursive: true });
    writeFileSync(repoPath('bench', 'results', 'ship.json'), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(report.targets)}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
