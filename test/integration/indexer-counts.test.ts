/**
 * 100k generated lines with known truth through Kafka into Elasticsearch: the event count, the
 * message count and the delivered/bounced/deferred figures equal the truth exactly, for one
 * undisturbed in-process indexer, for a child-process indexer killed with SIGKILL twice
 * mid-stream and restarted (replays must neither duplicate events nor double-count deferrals),
 * and for two instances rebalancing the partitions between them while batches are in flight.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Registry } from 'prom-client';
import { loadConfig } from '../../core/config.js';
import { createEsClient } from '../../core/elasticsearch.js';
import { createKafka } from '../../core/kafka.js';
import { partitionFor } from '../../core/kafka-wire/murmur2.js';
import { createLogger } from '../../core/logger.js';
import { startIndexer } from '../../indexer/index.js';
import {
  cleanup,
  count,
  fixtureLog,
  produceRecords,
  spawnIndexer,
  storedCounts,
  uniqueName,
  waitFor,
} from './indexer-support.js';

const base = loadConfig();
const es = createEsClient(base.elasticsearch);
const kafka = createKafka(base.kafka);
const log = fixtureLog(100_000);
const created: { prefix: string; topics: string[] }[] = [];

function names(stem: string) {
  const id = uniqueName(stem);
  const n = { prefix: id, raw: `${id}.raw`, dlq: `${id}.dlq`, group: `${id}-indexer` };
  created.push({ prefix: n.prefix, topics: [n.raw, n.dlq] });
  return n;
}

function env(n: ReturnType<typeof names>): Record<string, string> {
  return {
    ES_INDEX_PREFIX: n.prefix,
    KAFKA_TOPIC_RAW: n.raw,
    KAFKA_TOPIC_DLQ: n.dlq,
    KAFKA_PARTITIONS: '3',
    INDEXER_GROUP_ID: n.group,
    // Short enough that a killed instance's partitions come back soon, long enough for a loaded machine.
    INDEXER_SESSION_TIMEOUT_MS: '15000',
    TZ_DEFAULT: 'UTC',
  };
}

before(() => {
  // A log that exercises what is counted: every figure present, none trivially zero.
  assert.equal(log.truth.lines, log.records.length);
  for (const [k, v] of Object.entries(log.truth)) assert.ok(v > 0, `${k} is ${v}`);
});

after(async () => {
  for (const c of created) await cleanup(es, kafka, c.prefix, c.topics);
  await es.close();
});

/** Every line is an event in Elasticsearch and the group has committed to the end. */
async function indexedAndCommitted(n: ReturnType<typeof names>): Promise<void> {
  await waitFor(
    'every event',
    async () => (await count(es, `${n.prefix}-events`)) >= log.truth.lines,
    150_000,
    1000,
  );
  await waitFor(
    'the group to commit everything',
    async () => (await kafka.groupLag(n.group, n.raw)).every((p) => p.committed === p.end) || undefined,
    60_000,
    1000,
  );
}

function expected() {
  return { ...log.truth, deferralsOnMessages: log.truth.deferrals };
}

test('100k lines: events, messages, delivered, bounced and deferred equal the truth', async () => {
  const n = names('mptest-idx-counts');
  const config = loadConfig({ env: { ...process.env, ...env(n), INDEXER_SESSION_TIMEOUT_MS: '30000' } });
  await kafka.ensureTopics([{ topic: n.raw, partitions: 3 }]);
  await produceRecords(kafka, n.raw, log.records);
  const t0 = Date.now();
  const indexer = await startIndexer(config, createLogger('warn'), { retention: false });
  try {
    await waitFor(
      'every event',
      async () => (await count(es, `${n.prefix}-events`)) >= log.truth.lines,
      120_000,
      1000,
    );
    // Message documents are written after the events of their batch: wait for the last batch.
    await waitFor(
      'every message',
      async () => (await count(es, `${n.prefix}-messages`)) >= log.truth.queueIds,
      30_000,
    );
  } finally {
    await indexer.stop();
  }
  const seconds = (Date.now() - t0) / 1000;
  assert.deepEqual(await storedCounts(es, n.prefix), expected());
  assert.equal(await count(es, `${n.prefix}-deadletter`), 0);
  process.stdout.write(`# indexed ${log.truth.lines} lines in ${seconds.toFixed(1)} s\n`);
});

test('SIGKILL twice mid-stream and restart: still exactly the truth', async () => {
  const n = names('mptest-idx-kill');
  await kafka.ensureTopics([{ topic: n.raw, partitions: 3 }]);
  // The lines arrive while the indexer runs, in three parts, so each kill lands mid-stream.
  const third = Math.ceil(log.records.length / 3);
  await produceRecords(kafka, n.raw, log.records.slice(0, third));
  let child = spawnIndexer(env(n));
  const outputs: string[] = [];
  try {
    for (const [i, threshold] of [0.2, 0.5].entries()) {
      const target = Math.floor(log.truth.lines * threshold);
      await waitFor(
        `${target} events`,
        async () => (await count(es, `${n.prefix}-events`)) >= target,
        90_000,
        500,
      );
      await produceRecords(kafka, n.raw, log.records.slice(third * (i + 1), third * (i + 2)));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      outputs.push(child.output());
      child = spawnIndexer(env(n));
    }
    await indexedAndCommitted(n);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    outputs.push(child.output());
  }
  const restored = outputs.join('\n').match(/Correlator state rebuilt/g)?.length ?? 0;
  assert.ok(restored >= 3, `each start rebuilt state (saw ${restored})`);
  assert.deepEqual(await storedCounts(es, n.prefix), expected());
});

test('a second instance joins and the first leaves while lines stream in: still exactly the truth', async () => {
  const n = names('mptest-idx-rebalance');
  await kafka.ensureTopics([{ topic: n.raw, partitions: 3 }]);
  // Small fetches make many batches, so each rebalance finds some parsed and still being written.
  const settings = { ...env(n), INDEXER_FETCH_BYTES: '65536' };
  const exit = (c: ReturnType<typeof spawnIndexer>) =>
    c.exitCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve();
  const first = spawnIndexer(settings);
  let second: ReturnType<typeof spawnIndexer> | undefined;
  const chunks = 20;
  const size = Math.ceil(log.records.length / chunks);
  try {
    for (let i = 0; i < chunks; i++) {
      await produceRecords(kafka, n.raw, log.records.slice(i * size, (i + 1) * size));
      if (i === 5) second = spawnIndexer(settings);
      if (i === 12) {
        first.kill('SIGTERM');
        await exit(first);
      }
      await new Promise((r) => setTimeout(r, 400));
    }
    await indexedAndCommitted(n);
  } finally {
    first.kill('SIGTERM');
    second?.kill('SIGTERM');
    await exit(first);
    if (second) await exit(second);
  }
  // Which partitions the second instance gets when it joins depends on the assignor and on which
  // partitions the hosts hash to; either way it took over partitions that carry lines.
  const rebuilt = second?.output().match(/Correlator state rebuilt/g)?.length ?? 0;
  assert.ok(rebuilt >= 1, `the second instance took over partitions\n${second?.output()}`);
  assert.equal(first.exitCode, 0, first.output());
  assert.deepEqual(await storedCounts(es, n.prefix), expected());
});

/** Partitions for which a registry's indexer reports a gauge value. */
async function reported(registry: Registry, metric: string): Promise<Set<string>> {
  const values = (await registry.getSingleMetric(metric)?.get())?.values ?? [];
  return new Set(values.map((v) => String(v.labels.partition)));
}

test('a partition that moves to another instance leaves its state and gauges behind', async () => {
  const n = names('mptest-idx-moved');
  await kafka.ensureTopics([{ topic: n.raw, partitions: 3 }]);
  // Nine hosts (the partition key) spread the lines over the three partitions.
  const moved = fixtureLog(12_000, { hosts: 9, seed: 3 });
  const withLines = new Set(moved.records.map((r) => String(partitionFor(Buffer.from(r.host), 3))));
  const config = loadConfig({ env: { ...process.env, ...env(n) } });
  const first = new Registry();
  const second = new Registry();
  const open = 'mailpulse_indexer_open_messages';
  const lag = 'mailpulse_indexer_consumer_lag';
  let sent = 6000;
  await produceRecords(kafka, n.raw, moved.records.slice(0, sent));
  const a = await startIndexer(config, createLogger('warn'), { retention: false, registry: first });
  let b: Awaited<ReturnType<typeof startIndexer>> | undefined;
  try {
    await waitFor(
      'the first instance to report every partition',
      async () => {
        return (await reported(first, open)).size === withLines.size;
      },
      60_000,
    );
    b = await startIndexer(config, createLogger('warn'), { retention: false, registry: second });
    // Lines keep coming so that both instances take batches after the rebalance.
    await waitFor(
      'the partitions to be split between the instances',
      async () => {
        if (sent < moved.records.length) {
          await produceRecords(kafka, n.raw, moved.records.slice(sent, sent + 500));
          sent += 500;
        }
        const [mine, theirs] = [await reported(first, open), await reported(second, open)];
        return (
          theirs.size > 0 &&
          [...theirs].every((p) => !mine.has(p)) &&
          mine.size + theirs.size === withLines.size
        );
      },
      90_000,
      1000,
    );
    assert.deepEqual(await reported(first, lag), await reported(first, open));
  } finally {
    await b?.stop();
    await a.stop();
  }
});
