/**
 * Our wire-protocol producer (core/kafka-wire/) against the real broker, read back by a client
 * that shares no code with it (kafkajs, through core/kafka.ts): records, keys, headers and
 * partitions survive both codecs; the broker drops a batch sent twice with the same producer id
 * and sequence (what makes a retried request safe); a batch over the topic's size limit fails
 * with the error type the shipper's outbox reacts to.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { loadConfig } from '../../core/config.js';
import { createKafka, type InMessage } from '../../core/kafka.js';
import { BrokerConnection } from '../../core/kafka-wire/connection.js';
import { partitionFor } from '../../core/kafka-wire/murmur2.js';
import { createWireProducer } from '../../core/kafka-wire/producer.js';
import {
  ApiKey,
  ApiVersion,
  ErrorCode,
  initProducerIdRequest,
  metadataRequest,
  produceRequest,
  readInitProducerId,
  readMetadata,
  readProduce,
} from '../../core/kafka-wire/protocol.js';
import { Compression, encodeBatch, RecordsWriter } from '../../core/kafka-wire/record-batch.js';

const config = loadConfig();
const kafka = createKafka(config.kafka);
const suffix = randomUUID().slice(0, 8);
const [bootstrapHost, bootstrapPort] = (config.kafka.brokers[0] as string).split(':') as [string, string];

async function readAll(topic: string, expected: number): Promise<InMessage[]> {
  const consumer = await kafka.consumer({ groupId: `mp-test-wire-${randomUUID()}`, topics: [topic] });
  const got: InMessage[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${got.length} of ${expected} within 60 s`)),
        60_000,
      );
      void consumer.run(async (messages) => {
        got.push(...messages);
        if (got.length >= expected) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } finally {
    await consumer.stop();
  }
  return got;
}

for (const compression of ['gzip', 'none'] as const) {
  test(`wire producer (${compression}): every record comes back once, in order per key, with headers, in the key's murmur2 partition`, async () => {
    const topic = `mp-test-wire-${compression}-${suffix}`;
    await kafka.ensureTopics([{ topic, partitions: 3 }]);
    after(() => kafka.deleteTopics([topic]));
    const producer = await createWireProducer({
      brokers: config.kafka.brokers,
      clientId: 'mp-test',
      compression,
    });
    const hosts = ['mx1.example.net', 'mx2.example.net', 'relay.example.org'];
    const sent: { key: string; value: Buffer; headers: Record<string, string> }[] = [];
    for (let i = 0; i < 6000; i++) {
      const key = hosts[i % 3] as string;
      const value =
        i === 7
          ? Buffer.from([0xff, 0xfe, 0x00, 0x41])
          : i === 8
            ? Buffer.alloc(0)
            : Buffer.from(
                `Nov 27 10:00:00 ${key} postfix/smtp[${i}]: 4F${i}: to=<ü${i}@example.com>, status=sent`,
              );
      sent.push({
        key,
        value,
        headers: { 'mp-host': key, 'mp-offset': String(i * 100), 'mp-note': `é${i % 5}` },
      });
    }
    // Three requests, the second handed over before the first is acknowledged.
    await Promise.all([
      producer.send(topic, sent.slice(0, 2500)),
      producer.send(topic, sent.slice(2500, 5000)),
    ]);
    await producer.send(topic, sent.slice(5000));
    await producer.disconnect();

    const got = await readAll(topic, sent.length);
    assert.equal(got.length, sent.length);
    for (const host of hosts) {
      const mine = got.filter((m) => m.key?.toString() === host);
      const expected = sent.filter((s) => s.key === host);
      assert.equal(mine.length, expected.length, host);
      const partition = partitionFor(Buffer.from(host), 3);
      mine.forEach((m, i) => {
        const s = expected[i] as (typeof expected)[number];
        assert.equal(m.partition, partition);
        assert.ok(m.value?.equals(s.value), `${host} #${i}`);
        assert.deepEqual(m.headers, s.headers);
      });
    }
  });
}

test('wire protocol: the broker writes a batch sent twice with the same producer id and sequence once', async () => {
  const topic = `mp-test-wire-dedup-${suffix}`;
  await kafka.ensureTopics([{ topic, partitions: 1 }]);
  after(() => kafka.deleteTopics([topic]));
  const conn = await BrokerConnection.open({
    host: bootstrapHost,
    port: Number(bootstrapPort),
    clientId: 'mp-test',
    connectTimeoutMs: 3000,
    requestTimeoutMs: 30_000,
  });
  try {
    const meta = readMetadata(
      await conn.request(ApiKey.metadata, ApiVersion.metadata, metadataRequest([topic])),
    );
    assert.equal(meta.topics[0]?.partitions.length, 1);
    const init = readInitProducerId(
      await conn.request(ApiKey.initProducerId, ApiVersion.initProducerId, initProducerIdRequest()),
    );
    assert.equal(init.errorCode, ErrorCode.none);
    const now = Date.now();
    const w = new RecordsWriter(now);
    for (let i = 0; i < 10; i++) w.add({ key: null, value: `line ${i}` });
    const batch = (baseSequence: number) =>
      encodeBatch(
        {
          compression: Compression.none,
          recordCount: w.records,
          baseTimestamp: now,
          maxTimestamp: w.maxTimestampMs,
          producerId: init.producerId,
          producerEpoch: init.producerEpoch,
          baseSequence,
        },
        Buffer.from(w.bytes()),
      );
    const produce = async (baseSequence: number) =>
      readProduce(
        await conn.request(
          ApiKey.produce,
          ApiVersion.produce,
          produceRequest(-1, 10_000, [{ topic, partitions: [{ partition: 0, batch: batch(baseSequence) }] }]),
        ),
      )[0];
    const first = await produce(0);
    const again = await produce(0);
    assert.equal(first?.errorCode, ErrorCode.none);
    assert.ok(
      again?.errorCode === ErrorCode.none || again?.errorCode === ErrorCode.duplicateSequenceNumber,
      `retry answered ${again?.errorCode}`,
    );
    assert.deepEqual(await kafka.topicEnds(topic), [{ partition: 0, end: 10 }]);
    // A gap in the sequence is refused: the broker enforces the order the producer relies on.
    const gap = await produce(25);
    assert.equal(gap?.errorCode, ErrorCode.outOfOrderSequenceNumber);
    assert.deepEqual(await kafka.topicEnds(topic), [{ partition: 0, end: 10 }]);
  } finally {
    conn.close();
  }
});

test('wire producer: a batch over the topic limit fails as MESSAGE_TOO_LARGE, and the producer still works after', async () => {
  const topic = `mp-test-wire-large-${suffix}`;
  await kafka.ensureTopics([{ topic, partitions: 1, configs: { 'max.message.bytes': '4096' } }]);
  after(() => kafka.deleteTopics([topic]));
  const producer = await createWireProducer({
    brokers: config.kafka.brokers,
    clientId: 'mp-test',
    compression: 'none',
  });
  try {
    await assert.rejects(
      producer.send(topic, [{ key: 'mx1', value: Buffer.alloc(10_000, 0x61) }]),
      (err: Error) => {
        assert.equal((err as Error & { type?: string }).type, 'MESSAGE_TOO_LARGE');
        return true;
      },
    );
    await producer.send(topic, [{ key: 'mx1', value: 'small enough' }]);
    assert.deepEqual(await kafka.topicEnds(topic), [{ partition: 0, end: 1 }]);
  } finally {
    await producer.disconnect();
  }
});
