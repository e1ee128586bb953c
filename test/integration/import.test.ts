/**
 * `mailpulse import`: a rotated set (an older gzip file and the current plain one) goes in
 * oldest first; importing the same files again changes no count (idempotent), and a second run
 * through Kafka sends nothing that was already acknowledged (resumable).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, test } from 'node:test';
import { backfill } from '../../backfill/index.js';
import { loadConfig } from '../../core/config.js';
import { createEsClient } from '../../core/elasticsearch.js';
import { createKafka } from '../../core/kafka.js';
import { createLogger } from '../../core/logger.js';
import { cleanup, generateLines } from './api-support.js';

const id = randomBytes(4).toString('hex');
const prefix = `mptest-import-${id}`;
const topic = `mptest-import-${id}.raw`;
const dir = mkdtempSync(join(tmpdir(), 'mp-import-'));
const config = loadConfig({
  env: { ...process.env, ES_INDEX_PREFIX: prefix, KAFKA_TOPIC_RAW: topic, KAFKA_PARTITIONS: '1', DATA_DIR: join(dir, 'data') },
});
const logger = createLogger('silent');
const es = createEsClient(config.elasticsearch);
const kafka = createKafka(config.kafka);

const { lines, truth } = generateLines({ lines: 3000, seed: 5, hosts: ['mx-import'] });
const cut = Math.floor(lines.length / 2);
const older = join(dir, 'mail.log.1.gz');
const current = join(dir, 'mail.log');
writeFileSync(older, gzipSync(`${lines.slice(0, cut).join('\n')}\n`));
writeFileSync(current, `${lines.slice(cut).join('\n')}\n`);

after(async () => {
  await cleanup(es, prefix);
  await es.close();
  await kafka.deleteTopics([topic]).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

async function counts() {
  await es.indices.refresh({ index: `${prefix}-*` });
  const events = await es.count({ index: `${prefix}-events-*` });
  const messages = await es.count({ index: `${prefix}-messages-*` });
  return { events: events.count, messages: messages.count };
}

test('direct: every line once, in order across the rotated set; a second import changes nothing', async () => {
  // Given newest first on purpose: the rotated set must still be read oldest first.
  const first = await backfill(config, logger, { files: [current, older], host: 'mx-import', direct: true });
  assert.equal(first.lines, truth.lines.total);
  const once = await counts();
  assert.equal(once.events, truth.lines.total);
  assert.ok(once.messages > 100, 'messages were correlated');

  const again = await backfill(config, logger, { files: [older, current], host: 'mx-import', direct: true, restart: true });
  assert.equal(again.lines, truth.lines.total, 'sent again');
  assert.deepEqual(await counts(), once, 'same ids: nothing new stored');
});

test('through Kafka: every line reaches the topic; a second run resumes and sends nothing twice', async () => {
  const kafkaConfig = loadConfig({
    env: { ...process.env, ES_INDEX_PREFIX: prefix, KAFKA_TOPIC_RAW: topic, KAFKA_PARTITIONS: '1', DATA_DIR: join(dir, 'data-kafka') },
  });
  const first = await backfill(kafkaConfig, logger, { files: [older, current], host: 'mx-import' });
  assert.deepEqual(first, { files: 2, lines: truth.lines.total, skipped: 0 });
  const ends = async () => (await kafka.topicEnds(topic)).reduce((sum, p) => sum + p.end, 0);
  assert.equal(await ends(), truth.lines.total);

  const second = await backfill(kafkaConfig, logger, { files: [older, current], host: 'mx-import' });
  assert.deepEqual(second, { files: 2, lines: 0, skipped: truth.lines.total });
  assert.equal(await ends(), truth.lines.total, 'nothing sent twice');
});
