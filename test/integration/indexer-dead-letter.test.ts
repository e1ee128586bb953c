/**
 * Garbage does not block a batch and is not lost: random bytes, a 1 MB line and documents
 * Elasticsearch refuses end in the dead-letter index (with their error) and on the DLQ topic,
 * while the good lines around them are indexed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { loadConfig } from '../../core/config.js';
import { createEsClient } from '../../core/elasticsearch.js';
import { type InMessage, createKafka } from '../../core/kafka.js';
import { createLogger } from '../../core/logger.js';
import { rawHeaders } from '../../core/raw-record.js';
import { type DeadLetter, startIndexer } from '../../indexer/index.js';
import { cleanup, count, uniqueName, waitFor } from './indexer-support.js';

const id = uniqueName('mptest-idx-dlq');
const n = { prefix: id, raw: `${id}.raw`, dlq: `${id}.dlq`, group: `${id}-indexer` };
const config = loadConfig({
  env: {
    ...process.env,
    ES_INDEX_PREFIX: n.prefix,
    KAFKA_TOPIC_RAW: n.raw,
    KAFKA_TOPIC_DLQ: n.dlq,
    KAFKA_PARTITIONS: '1',
    INDEXER_GROUP_ID: n.group,
    TZ_DEFAULT: 'UTC',
  },
});
const es = createEsClient(config.elasticsearch);
const kafka = createKafka(config.kafka);

after(async () => {
  await cleanup(es, kafka, n.prefix, [n.raw, n.dlq]);
  await es.close();
});

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

test('random bytes, 1 MB lines and refused documents are dead-lettered; the rest is indexed', async () => {
  const now = Date.now();
  const today = day(now);
  // Three days back: a day whose events index is made by hand with a clashing mapping below.
  const clashDay = day(now - 3 * 86_400_000);
  const good = (i: number) =>
    `${today}T08:00:0${i}.000000+00:00 mx1 postfix/smtpd[10]: connect from a${i}.example[192.0.2.${i}]`;
  // A random run with 0xff in it is never valid UTF-8.
  const garbage = [0, 1, 2].map(() => Buffer.concat([Buffer.from([0xff, 0x00]), randomBytes(200)]));
  const huge = Buffer.alloc(1_000_000, 'A');
  const latin1 = Buffer.from(
    `${today}T08:00:09.000000+00:00 mx1 postfix/cleanup[11]: 1A2B3C4D5E6: warning: header Subject: Gr\xfc\xdfe from x[192.0.2.9]`,
    'latin1',
  );
  const clash = [0, 1].map(
    (i) =>
      `${clashDay}T08:00:0${i}.000000+00:00 mx1 postfix/smtpd[12]: connect from c${i}.example[192.0.2.20]`,
  );

  await es.indices.create({
    index: `${n.prefix}-events-${clashDay.replaceAll('-', '.')}`,
    mappings: { properties: { host: { properties: { name: { type: 'long' } } } } },
  });
  const values: (string | Buffer)[] = [good(1), ...garbage, good(2), huge, latin1, ...clash, good(3)];
  await kafka.ensureTopics([{ topic: n.raw, partitions: 1 }]);
  const producer = await kafka.producer();
  let offset = 0;
  await producer.send(
    n.raw,
    values.map((value) => {
      const headers = rawHeaders({ host: 'mx1', path: '/var/log/mail.log', fileId: 'dlq-test', offset });
      offset += value.length + 1;
      return { key: 'mx1', value, headers };
    }),
  );
  // Two records from other tools: no shipper headers, and a header with Kafka's null value (which
  // once stopped the partition: the consumer threw on it before the batch reached the indexer).
  await producer.send(n.raw, [
    { value: good(4) },
    {
      value: good(5),
      headers: {
        ...rawHeaders({ host: 'mx1', path: '/var/log/mail.log', fileId: 'other', offset: 0 }),
        trace: null,
      },
    },
  ]);
  await producer.disconnect();

  const indexer = await startIndexer(config, createLogger(process.env.TEST_LOG_LEVEL ?? 'error'), {
    retention: false,
  });
  try {
    await waitFor('the dead letters', async () => (await count(es, `${n.prefix}-deadletter`)) >= 6, 60_000);
    await waitFor('the events', async () => (await count(es, `${n.prefix}-events`)) >= 6, 30_000);
  } finally {
    await indexer.stop();
  }

  assert.equal(await count(es, `${n.prefix}-events`), 6, 'five good lines and the Latin-1 Postfix line');
  const withNull = await es.search<{ log?: { file?: { id?: string } } }>({
    index: `${n.prefix}-events`,
    query: { term: { 'log.file.id': 'other' } },
  });
  assert.equal(withNull.hits.hits.length, 1, 'the record with a null header, with its shipper headers read');
  const res = await es.search<DeadLetter>({
    index: `${n.prefix}-deadletter`,
    size: 20,
    sort: [{ 'kafka.offset': 'asc' }],
  });
  const letters = res.hits.hits.map((h) => h._source as DeadLetter);
  assert.deepEqual(
    letters.map((l) => [l.kafka.offset, l.error.code]),
    [
      ['1', 'MP_ERR_INDEX_NOT_TEXT'],
      ['2', 'MP_ERR_INDEX_NOT_TEXT'],
      ['3', 'MP_ERR_INDEX_NOT_TEXT'],
      ['5', 'MP_ERR_INDEX_LINE_TOO_LONG'],
      ['7', 'MP_ERR_INDEX_REJECTED'],
      ['8', 'MP_ERR_INDEX_REJECTED'],
    ],
  );
  garbage.forEach((bytes, i) => {
    assert.equal(letters[i]?.raw_base64, bytes.toString('base64'), 'the exact bytes are kept');
    assert.match(letters[i]?.error.message ?? '', /not valid UTF-8/);
  });
  assert.equal(letters[3]?.raw_bytes, 1_000_000);
  assert.equal(letters[3]?.raw.length, 1_000_000);
  assert.match(letters[3]?.error.message ?? '', /1000000 bytes is longer than INDEXER_MAX_LINE_BYTES/);
  for (const l of letters.slice(4)) {
    assert.equal(l.error.type, 'document_parsing_exception');
    assert.match(l.document ?? '', /connect from c\d\.example/);
    assert.equal(l.log?.file?.id, 'dlq-test');
  }
  assert.match(letters[4]?.raw ?? '', new RegExp(`^${clashDay}T08:00:00`));

  // The DLQ topic holds the same records, original bytes as value, the error in headers.
  const dlq: InMessage[] = [];
  const consumer = await kafka.consumer({ groupId: `${n.group}-dlq-reader`, topics: [n.dlq] });
  await consumer.run(async (messages) => {
    dlq.push(...messages);
  });
  try {
    await waitFor('the DLQ records', async () => dlq.length >= 6, 30_000);
  } finally {
    await consumer.stop();
  }
  assert.equal(dlq.length, 6);
  assert.deepEqual(
    dlq.map((m) => m.headers['mp-dlq-code']),
    letters.map((l) => l.error.code),
  );
  assert.ok(dlq[0]?.value?.equals(garbage[0] as Buffer));
  assert.equal(dlq[3]?.value?.length, 1_000_000);
});
