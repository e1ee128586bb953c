/**
 * The whole pipeline under trouble: a generated log with known truth is written in real time
 * and rotated twice, while the shipper and the indexer are each killed with SIGKILL once and
 * Elasticsearch is stopped for a while. Afterwards Elasticsearch holds exactly one event per line
 * and the API's summary equals the generator's truth.
 *
 * `npm test` runs a shortened form; `npm run test:chaos` the full one (500k lines, 20 s outage).
 * MAILPULSE_CHAOS_LINES, MAILPULSE_CHAOS_RATE (lines/s) and MAILPULSE_CHAOS_ES_STOP_S tune it.
 * The shipper and indexer run as child processes of the real CLI; Elasticsearch is a private
 * node (so stopping it disturbs nobody), Kafka the shared broker with a topic of its own.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { buildApp } from '../../api/index.js';
import { loadConfig } from '../../core/config.js';
import { createEsClient, type EsClient } from '../../core/elasticsearch.js';
import { createKafka } from '../../core/kafka.js';
import { createLogger } from '../../core/logger.js';
import type { Truth } from '../../fixtures/generator-truth.js';
import { type ServerHandle, startElasticsearchServer } from '../../stack/index.js';
import { generateLines } from './api-support.js';

const LINES = Number(process.env.MAILPULSE_CHAOS_LINES ?? 30_000);
const RATE = Number(process.env.MAILPULSE_CHAOS_RATE ?? 2_500);
const ES_STOP_S = Number(process.env.MAILPULSE_CHAOS_ES_STOP_S ?? 12);
const ES_PORT = 19_600;

const cliEntry = fileURLToPath(new URL('../../cli/index.js', import.meta.url));
const shared = loadConfig();
const id = randomBytes(4).toString('hex');
const prefix = `mptest-chaos-${id}`;
const topic = `mptest-chaos-${id}.raw`;
const dlq = `mptest-chaos-${id}.dlq`;
const work = mkdtempSync(join(tmpdir(), 'mp-chaos-'));
// Its own temporary folder: Elasticsearch may run as another user, who cannot enter `work`.
const esDir = mkdtempSync(join(tmpdir(), 'mp-chaos-es-'));
const log = join(work, 'mail.log');

let es: ServerHandle;
let client: EsClient;
const children = new Set<ChildProcess>();

function env(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    KAFKA_BROKERS: shared.kafka.brokers.join(','),
    KAFKA_TOPIC_RAW: topic,
    KAFKA_TOPIC_DLQ: dlq,
    ES_URL: es.address,
    ES_INDEX_PREFIX: prefix,
    MAIL_LOGS: log,
    DATA_DIR: join(work, 'data'),
    INDEXER_GROUP_ID: `mptest-chaos-${id}`,
    SHIP_HOST_NAME: 'mx-chaos',
    SHIP_CHECKPOINT_MS: '200',
    SHIP_POLL_MS: '50',
    SHIP_ROTATED_IDLE_MS: '2000',
    TZ_DEFAULT: 'UTC',
    LOG_LEVEL: 'warn',
  };
}

/**
 * A role as a child process of the real CLI, restarted like systemd's `Restart=always` when it
 * exits on its own (e.g. the indexer refusing to start while Elasticsearch is down).
 */
class Role {
  private child!: ChildProcess;
  private stderr = '';
  restarts = 0;

  constructor(private readonly args: string[]) {
    this.spawn();
  }

  private spawn(): void {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', `import(${JSON.stringify(cliEntry)}).then(async (m) => { process.exitCode = await m.main(process.argv.slice(1)); })`, '--', ...this.args],
      { env: env(), stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr?.on('data', (d) => {
      this.stderr = (this.stderr + d.toString()).slice(-20_000);
    });
    child.on('exit', (code, signal) => {
      children.delete(child);
      if (signal !== null || this.child !== child || stopping) return;
      const last = this.stderr.trim().split('\n');
      // One line for an expected refusal (MP_ERR_...), the whole tail for a crash.
      const shown = last.at(-1)?.includes('MP_ERR_')
        ? last.slice(-1)
        : last.filter((l) => /Error|^\s+at |file:\/\//.test(l)).slice(0, 25);
      process.stderr.write(`chaos: ${this.args[0]} exited ${code}, restarting:\n${shown.join('\n')}\n`);
      this.restarts++;
      setTimeout(() => {
        if (!stopping) this.spawn();
      }, 1000);
    });
    children.add(child);
    this.child = child;
  }

  /** SIGKILL, like a crash, then start again (the second run without --from-beginning). */
  async crash(): Promise<void> {
    const child = this.child;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
    if (this.args.includes('--from-beginning')) this.args.splice(this.args.indexOf('--from-beginning'), 1);
    this.spawn();
  }
}

let stopping = false;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventCount(): Promise<number> {
  try {
    await client.indices.refresh({ index: `${prefix}-events-*`, ignore_unavailable: true, allow_no_indices: true });
    const res = await client.count({ index: `${prefix}-events-*`, ignore_unavailable: true, allow_no_indices: true });
    return res.count;
  } catch {
    return -1;
  }
}

before(async () => {
  es = await startElasticsearchServer({ port: ES_PORT, dir: esDir, heap: '512m' });
  client = createEsClient({ ...shared.elasticsearch, url: es.address }, { requestTimeoutMs: 10_000 });
});

after(async () => {
  stopping = true;
  for (const child of children) child.kill('SIGKILL');
  await client?.close();
  await es?.stop();
  await createKafka(shared.kafka)
    .deleteTopics([topic, dlq])
    .catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
  rmSync(esDir, { recursive: true, force: true });
});

test(`${LINES} lines in real time, two rotations, shipper and indexer killed, Elasticsearch stopped ${ES_STOP_S} s`, async () => {
  const start = new Date(Date.now() - 3_600_000).toISOString();
  const { lines, truth }: { lines: string[]; truth: Truth } = generateLines({ lines: LINES, seed: 7, start, hosts: ['mx-chaos'] });
  appendFileSync(log, '');
  const indexer = new Role(['index']);
  const shipper = new Role(['ship', '--from-beginning']);

  const chunk = Math.max(1, Math.round(RATE / 20));
  const at = (fraction: number) => Math.floor(lines.length * fraction);
  const events: [number, () => Promise<void>][] = [
    [at(0.25), () => shipper.crash()],
    [at(0.33), async () => {
      renameSync(log, `${log}.1`);
      appendFileSync(log, '');
    }],
    [at(0.45), () => indexer.crash()],
    [at(0.55), async () => {
      await es.stop();
      setTimeout(() => es.start().catch((err) => process.stderr.write(`chaos: ES restart failed: ${err}\n`)), ES_STOP_S * 1000);
    }],
    [at(0.66), async () => {
      renameSync(`${log}.1`, `${log}.2`);
      renameSync(log, `${log}.1`);
      appendFileSync(log, '');
    }],
  ];
  for (let i = 0; i < lines.length; i += chunk) {
    while (events.length > 0 && (events[0]?.[0] ?? Infinity) <= i) await events.shift()?.[1]();
    appendFileSync(log, `${lines.slice(i, i + chunk).join('\n')}\n`);
    await sleep(50);
  }

  let stored = -1;
  const deadline = Date.now() + 240_000 + ES_STOP_S * 1000;
  while (Date.now() < deadline) {
    stored = await eventCount();
    if (stored >= truth.lines.total) break;
    await sleep(1000);
  }
  // A moment more: a duplicate arriving late would show up here.
  await sleep(3000);
  stored = await eventCount();
  assert.equal(lines.length, truth.lines.total, 'generator line count');
  assert.equal(stored, truth.lines.total, 'exactly one event per line');
  const dead = await client.count({ index: `${prefix}-deadletter-*`, ignore_unavailable: true, allow_no_indices: true });
  assert.equal(dead.count, 0, 'no dead letters');

  // Message documents are written after their events; wait until the backlog figure settles.
  const app = await buildApp({ es: client, prefix, logger: createLogger('silent'), page: false, pipelineMetrics: false });
  try {
    const from = encodeURIComponent(String(truth.period.from));
    const to = encodeURIComponent(new Date(Date.parse(String(truth.period.to)) + 1000).toISOString());
    let summary: { messages: unknown; queue: unknown; lines: unknown; delivery_rate: number | null } | undefined;
    for (let i = 0; i < 30; i++) {
      const res = await app.inject({ method: 'GET', url: `/api/v1/summary?from=${from}&to=${to}` });
      assert.equal(res.statusCode, 200, res.body);
      summary = res.json();
      if (JSON.stringify(summary?.queue) === JSON.stringify(truth.queue)) break;
      await sleep(1000);
    }
    assert.deepEqual(summary?.messages, truth.messages);
    assert.deepEqual(summary?.lines, truth.lines);
    assert.deepEqual(summary?.queue, truth.queue);
    assert.ok(Math.abs((summary?.delivery_rate ?? -1) - (truth.delivery_rate ?? -2)) < 1e-6);
  } finally {
    await app.close();
  }
});
