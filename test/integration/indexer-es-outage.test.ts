/**
 * Elasticsearch stopped mid-stream: the indexer pauses, retries with backoff and resumes when
 * it is back; the counts are then exactly the truth. Uses a private Elasticsearch (the shared
 * one is never stopped). The outage lasts 15 s by default and 30 s with
 * MAILPULSE_TEST_FULL_OUTAGE=1.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Registry } from 'prom-client';
import { loadConfig } from '../../core/config.js';
import { createEsClient } from '../../core/elasticsearch.js';
import { createKafka } from '../../core/kafka.js';
import { createLogger } from '../../core/logger.js';
import { startIndexer } from '../../indexer/index.js';
import { type ServerHandle, startElasticsearchServer } from '../../stack/index.js';
import {
  cleanup,
  count,
  fixtureLog,
  produceRecords,
  storedCounts,
  uniqueName,
  waitFor,
} from './indexer-support.js';

const OUTAGE_MS = process.env.MAILPULSE_TEST_FULL_OUTAGE === '1' ? 30_000 : 15_000;
const PORT = 19231;

const id = uniqueName('mptest-idx-outage');
const n = { prefix: id, raw: `${id}.raw`, dlq: `${id}.dlq`, group: `${id}-indexer` };
const dir = mkdtempSync(join(tmpdir(), 'mp-idx-es-'));
const config = loadConfig({
  env: {
    ...process.env,
    ES_URL: `http://127.0.0.1:${PORT}`,
    ES_INDEX_PREFIX: n.prefix,
    KAFKA_TOPIC_RAW: n.raw,
    KAFKA_TOPIC_DLQ: n.dlq,
    KAFKA_PARTITIONS: '3',
    INDEXER_GROUP_ID: n.group,
    INDEXER_RETRY_MAX_MS: '2000',
    TZ_DEFAULT: 'UTC',
  },
});
const kafka = createKafka(config.kafka);
let server: ServerHandle | undefined;

after(async () => {
  await kafka.deleteTopics([n.raw, n.dlq]).catch(() => {});
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function gauge(registry: Registry, name: string): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values as { value: number }[] | undefined)?.reduce((a, v) => a + v.value, 0) ?? 0;
}

const t0 = Date.now();
function phase(what: string): void {
  process.stdout.write(`# ${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}\n`);
}

test(`Elasticsearch down ${OUTAGE_MS / 1000} s mid-stream: exactly the truth after recovery`, async () => {
  server = await startElasticsearchServer({ port: PORT, dir });
  phase('private Elasticsearch up');
  const es = createEsClient(config.elasticsearch);
  const log = fixtureLog(12_000, { seed: 7 });
  const half = Math.floor(log.records.length / 2);
  await kafka.ensureTopics([{ topic: n.raw, partitions: 3 }]);
  await produceRecords(kafka, n.raw, log.records.slice(0, half));
  const registry = new Registry();
  const indexer = await startIndexer(config, createLogger(process.env.TEST_LOG_LEVEL ?? 'error'), {
    registry,
    retention: false,
  });
  try {
    await waitFor(
      'indexing to start',
      async () => (await count(es, `${n.prefix}-events`)) >= 2000,
      60_000,
      200,
    );
    phase('2000 events indexed');
    await server.stop();
    phase('Elasticsearch stopped');
    const downAt = Date.now();
    // The rest of the stream arrives while Elasticsearch is away.
    await produceRecords(kafka, n.raw, log.records.slice(half));
    await waitFor(
      'the indexer to pause',
      async () => (await gauge(registry, 'mailpulse_indexer_paused')) === 1,
      OUTAGE_MS,
    );
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - downAt))));
    await server.start();
    phase('Elasticsearch started again');
    await waitFor(
      'every event',
      async () => (await count(es, `${n.prefix}-events`)) >= log.truth.lines,
      120_000,
      1000,
    );
    phase('every event indexed');
    await waitFor(
      'every message',
      async () => (await count(es, `${n.prefix}-messages`)) >= log.truth.queueIds,
      30_000,
      1000,
    );
    await waitFor(
      'the group to commit everything',
      async () => (await kafka.groupLag(n.group, n.raw)).every((p) => p.committed === p.end),
      30_000,
      1000,
    );
    assert.equal(await gauge(registry, 'mailpulse_indexer_paused'), 0, 'consumption resumed');
    assert.ok((await gauge(registry, 'mailpulse_indexer_retries_total')) > 0, 'writes were retried');
  } finally {
    await indexer.stop();
  }
  assert.deepEqual(await storedCounts(es, n.prefix), {
    ...log.truth,
    deferralsOnMessages: log.truth.deferrals,
  });
  await cleanup(es, kafka, n.prefix, []);
  await es.close();
});
