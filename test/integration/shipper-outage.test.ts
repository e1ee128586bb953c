/**
 * Kafka stopped mid-stream while the log keeps growing: the shipper stops reading at its
 * in-flight bound (memory stays flat while the backlog piles up on disk), keeps the same
 * process, and once Kafka is back ships everything without a restart. Uses a private broker
 * (the shared one is never stopped). The outage lasts 15 s by default and 30 s with
 * MAILPULSE_TEST_FULL_OUTAGE=1.
 */
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createKafka } from '../../core/kafka.js';
import { type ServerHandle, startKafkaServer } from '../../stack/index.js';
import {
  numberedLine,
  peakRss,
  readTopic,
  seqOf,
  sleep,
  spawnShipper,
  started,
  statsLines,
} from './shipper-support.js';

const OUTAGE_MS = process.env.MAILPULSE_TEST_FULL_OUTAGE === '1' ? 30_000 : 15_000;
const PORT = 19_412;
const MAX_INFLIGHT = 512 * 1024;
/** One read may start just under the bound: a quarter of it (see shipper/config.ts). */
const BOUND = MAX_INFLIGHT + MAX_INFLIGHT / 4;

const t0 = Date.now();
function phase(what: string): void {
  process.stdout.write(`# ${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}\n`);
}

test(`Kafka down ${OUTAGE_MS / 1000} s mid-stream: no loss, bounded memory, recovery without restart`, {
  timeout: 240_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mp-ship-outage-'));
  let server: ServerHandle | undefined;
  let shipper: ReturnType<typeof spawnShipper> | undefined;
  const topic = 'mp-test-ship-outage';
  const log = join(dir, 'mail.log');
  let seq = 0;
  const write = (n: number) => {
    let text = '';
    for (let i = 0; i < n; i++) text += `${numberedLine(seq++)}\n`;
    appendFileSync(log, text);
  };
  /** Appends `perTick` lines every 100 ms for `ms`. */
  const writeFor = async (ms: number, perTick: number, during?: () => void) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      write(perTick);
      during?.();
      await sleep(100);
    }
  };
  try {
    server = await startKafkaServer({ port: PORT, dir: join(dir, 'kafka') });
    phase('private Kafka up');
    write(1000);
    shipper = spawnShipper(
      {
        KAFKA_BROKERS: server.address,
        MAIL_LOGS: log,
        CHECKPOINT_DIR: join(dir, 'cp'),
        KAFKA_TOPIC_RAW: topic,
        KAFKA_PARTITIONS: '1',
        SHIP_HOST_NAME: 'mx1',
        SHIP_POLL_MS: '50',
        SHIP_MAX_INFLIGHT_BYTES: String(MAX_INFLIGHT),
        SHIP_STATS_INTERVAL_S: '1',
      },
      ['--from-beginning'],
    );
    await started(shipper);
    const pid = shipper.child.pid as number;
    await writeFor(3000, 300);
    phase(`${seq} lines written with Kafka up`);

    await server.stop();
    phase('Kafka stopped');
    let rssDuring = 0;
    await writeFor(OUTAGE_MS, 300, () => {
      rssDuring = Math.max(rssDuring, peakRss(pid));
    });
    const statsDown = statsLines(shipper.log());
    phase(`${seq} lines written; Kafka starting again`);
    await server.start();
    phase('Kafka up again');
    await writeFor(2000, 300);
    const total = seq;
    phase(`${total} lines written in all`);

    const seen = new Set<number>();
    let checked = 0;
    const records = await readTopic(
      createKafka({ brokers: [server.address], clientId: 'mp-test' }),
      topic,
      (rs) => {
        for (; checked < rs.length; checked++) seen.add(seqOf((rs[checked] as { value: Buffer }).value));
        return seen.size >= total;
      },
      { timeoutMs: 90_000 },
    );
    phase(`${records.length} records read back`);
    const missing = [];
    for (let s = 0; s < total; s++) if (!seen.has(s)) missing.push(s);
    assert.equal(
      missing.length,
      0,
      `missing ${missing.length}, first ${missing.slice(0, 10)}; log tail:\n${shipper.log().slice(-3000)}`,
    );

    assert.equal(shipper.child.exitCode, null, 'the same shipper process recovered by itself');
    const stats = statsLines(shipper.log());
    const worst = Math.max(...stats.map((s) => s.inflightBytes ?? 0));
    assert.ok(worst <= BOUND, `in-flight bytes ${worst} stayed within ${BOUND}`);
    // In the outage's second half: nothing acknowledged, the budget full, reading paused, and
    // the metrics show a request waiting (kafkajs retries inside one request, then we retry it).
    const down = statsDown.slice(-Math.floor(OUTAGE_MS / 2000));
    const first = down[0] ?? {};
    const last = down.at(-1) ?? {};
    assert.ok(down.length >= 3, `statistics lines during the outage: ${down.length}`);
    assert.equal(last.linesAcked, first.linesAcked, 'nothing acknowledged while Kafka is down');
    assert.equal(last.linesRead, first.linesRead, 'reading paused');
    assert.ok(
      (last.inflightBytes ?? 0) >= MAX_INFLIGHT,
      `the in-flight budget is used: ${last.inflightBytes}`,
    );
    assert.ok(
      (last.requestWaitSeconds ?? 0) + (last.kafkaErrors ?? 0) >= 5,
      'the outage shows in the metrics',
    );
    const rss = Math.max(rssDuring, peakRss(pid));
    phase(`peak RSS ${(rss / 1048576).toFixed(0)} MiB, worst in-flight ${worst} bytes`);
    // The backlog on disk grew by megabytes; the process did not grow with it.
    assert.ok(rss < 200 * 1024 * 1024, `peak RSS ${rss} under 200 MiB`);

    shipper.child.kill('SIGTERM');
    assert.equal(await shipper.exited, 0);
    shipper = undefined;
  } finally {
    shipper?.child.kill('SIGKILL');
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
