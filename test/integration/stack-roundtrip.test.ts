/**
 * The foundation's proof: a message produced to the real broker with our Kafka wrapper is read
 * back, and a document indexed into the real Elasticsearch is found by a search.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { loadConfig } from '../../core/config.js';
import { createEsClient } from '../../core/elasticsearch.js';
import { createKafka } from '../../core/kafka.js';

const config = loadConfig();
const suffix = randomUUID().slice(0, 8);

test('Kafka: a produced message is consumed back with its key and headers', async () => {
  const kafka = createKafka(config.kafka);
  const topic = `mp-test-roundtrip-${suffix}`;
  await kafka.ensureTopics([{ topic, partitions: 1 }]);
  after(() => kafka.deleteTopics([topic]));

  const producer = await kafka.producer();
  const line = `Mar 14 00:00:31 mx1 postfix/smtpd[123]: connect from unknown[192.0.2.1] ${suffix}`;
  await producer.send(topic, [{ key: 'mx1', value: line, headers: { 'mp-offset': '42' } }]);
  await producer.disconnect();

  const consumer = await kafka.consumer({ groupId: `mp-test-${suffix}`, topics: [topic], fromBeginning: true });
  const received = await new Promise<{ value: string; key: string; offset: string | undefined }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message within 30 s')), 30_000);
    void consumer.run(async (messages) => {
      clearTimeout(timer);
      const m = messages[0]!;
      resolve({ value: m.value!.toString(), key: m.key!.toString(), offset: m.headers['mp-offset'] });
    });
  });
  assert.deepEqual(received, { value: line, key: 'mx1', offset: '42' });
  // The offset is committed once the handler has resolved: wait for it before leaving the group.
  let lag = await kafka.groupLag(`mp-test-${suffix}`, topic);
  for (let i = 0; i < 50 && lag[0]?.committed !== 1; i++) {
    await new Promise((r) => setTimeout(r, 200));
    lag = await kafka.groupLag(`mp-test-${suffix}`, topic);
  }
  await consumer.stop();
  assert.deepEqual(lag, [{ partition: 0, committed: 1, end: 1 }]);
});

test('Elasticsearch: an indexed document is found by a search', async () => {
  const es = createEsClient(config.elasticsearch);
  const index = `mp-test-roundtrip-${suffix}`;
  after(async () => {
    await es.indices.delete({ index, ignore_unavailable: true });
    await es.close();
  });
  await es.index({
    index,
    id: 'one',
    document: { host: { name: 'mx1' }, email: { local_id: '7E1AEC2C388' } },
    refresh: 'wait_for',
  });
  const res = await es.search({ index, query: { term: { 'email.local_id.keyword': '7E1AEC2C388' } } });
  assert.equal(res.hits.hits.length, 1);
  assert.equal(res.hits.hits[0]!._id, 'one');
});
