/**
 * The one module that imports kafkajs. kafkajs is no longer actively maintained, so everything
 * else talks to this small interface; replacing the client means replacing this file.
 *
 * Producing, `ping` and the usual `ensureTopics` (topics already there) go through our own
 * wire-protocol code (kafka-wire/): its producer is about 20x faster than kafkajs's on small
 * records. kafkajs is loaded on first use only: to consume, to create topics, to read offsets,
 * and for everything when SASL SCRAM is configured (our code speaks PLAIN only). When it loads,
 * its per-record decoder is swapped for ours (`kafka-record-decoder.ts`: the same records with
 * their header values as text, 3.3x faster than kafkajs's and a conversion to text): kafkajs
 * 2.2.4 is its last release, pinned in package.json.
 *
 * Guarantees offered here:
 * - `RawProducer.send` resolves only after the brokers acknowledged the whole batch with
 *   `acks=all` (idempotent producer, so a retried batch is not written twice by the broker).
 * - `BatchConsumer` hands out batches and commits an offset only when the handler's work on
 *   that batch and every earlier batch of the partition is done; a failed batch leaves the
 *   offset where it was and the consumer seeks back, so the batch is delivered again.
 */
import { createRequire } from 'node:module';
import type kafkajs from 'kafkajs';
import { PartitionCommits } from './commit-order.js';
import {
  fastRecordDecoder,
  type HeaderText,
  type KafkajsDecoder,
  type RecordDecoder,
} from './kafka-record-decoder.js';
import { readClusterMetadata } from './kafka-wire/metadata.js';
import type { SaslPlain, WireSettings } from './kafka-wire/connection.js';
import { createWireProducer, type WireMessage, type WireProducer } from './kafka-wire/producer.js';
import { SendChain } from './kafka-wire/send-chain.js';
import type { Logger } from './logger.js';
import { type RawLineSegment, rawHeaders } from './raw-record.js';

type KafkaJs = typeof kafkajs;
let loading: Promise<KafkaJs> | undefined;

const RECORD_DECODER = 'kafkajs/src/protocol/recordBatch/record/v0/decoder.js';
/** kafkajs's batch decoder: it binds the record decoder when it loads. */
const BATCH_DECODER = 'kafkajs/src/protocol/recordBatch/v0/decoder.js';

/**
 * kafkajs's record decoder and ours (`kafka-record-decoder.ts`), with kafkajs's `Decoder` class,
 * for the test that holds them equal (but for the headers' text). Loading this module's kafkajs
 * goes through here too, so ours is in place before any of kafkajs's batch decoders binds the
 * original.
 */
export function kafkajsRecordDecoders(): {
  Decoder: new (buffer: Buffer) => KafkajsDecoder;
  original: RecordDecoder;
  installed: RecordDecoder;
} {
  const require = createRequire(import.meta.url);
  const path = require.resolve(RECORD_DECODER);
  const loaded = require(path) as RecordDecoder & { original?: RecordDecoder };
  const cached = require.cache[path] as NodeJS.Module;
  if (loaded.original === undefined) {
    if (require.cache[require.resolve(BATCH_DECODER)] !== undefined) {
      throw new Error('kafkajs loaded its record batch decoder before ours was installed');
    }
    cached.exports = Object.assign(fastRecordDecoder(loaded), { original: loaded });
  }
  return {
    Decoder: require('kafkajs/src/protocol/decoder.js'),
    original: (cached.exports as { original: RecordDecoder }).original,
    installed: cached.exports as RecordDecoder,
  };
}

/** kafkajs takes about 0.2 s to load: only the commands that consume or administer load it. */
export function loadKafkajs(): Promise<KafkaJs> {
  loading ??= Promise.resolve()
    .then(kafkajsRecordDecoders)
    .then(() => import('kafkajs'))
    .then((m) => m.default);
  return loading;
}

export interface KafkaSettings {
  brokers: readonly string[];
  clientId: string;
  ssl?: boolean;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

export type OutMessage = WireMessage;

export interface InMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string | undefined>;
  timestamp: string;
}

/** Our wire producer's interface; the kafkajs fallback (SASL SCRAM) implements it too. */
export type RawProducer = WireProducer;

export interface BatchContext {
  topic: string;
  partition: number;
  /** The partition's high watermark when the batch was fetched (for lag). */
  highWatermark: string;
  /** False once the consumer is stopping or rebalancing: finish quickly, do not start new work. */
  isRunning(): boolean;
  /** Keep the group membership alive during a long batch. */
  heartbeat(): Promise<void>;
  /**
   * Resolves when every batch of this partition handed out before this one is settled (done or
   * failed): what Elasticsearch holds is then all there will be from them.
   */
  earlierSettled(): Promise<void>;
}

/**
 * What a handler may hand back once it has taken a batch (e.g. parsed it and queued its writes)
 * without having finished it: `done` settles when the batch's work is durable. Meanwhile the
 * consumer fetches and hands out the partition's next batch, so fetching and parsing overlap
 * the writes.
 */
export interface BatchTaken {
  done: Promise<unknown>;
}

export type BatchHandler = (messages: InMessage[], ctx: BatchContext) => Promise<BatchTaken | undefined>;

export interface BatchConsumer {
  /**
   * Runs until `stop()`. The handler receives the messages of one partition in order. The offset
   * after a batch's last message is committed once the handler resolved for it and its `done`
   * (if any) resolved, and the same holds for every earlier batch of the partition: commits
   * never pass an unfinished batch. When the handler throws or `done` rejects, nothing from
   * that batch on is committed and the consumer seeks back so it is delivered again.
   */
  run(handler: BatchHandler): Promise<void>;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  fromBeginning?: boolean;
  /** Upper bound of bytes fetched per partition in one batch. */
  maxBytesPerPartition?: number;
  sessionTimeoutMs?: number;
  /** Batches of different partitions handled at once (default 1). Each partition stays in order. */
  partitionsConsumedConcurrently?: number;
  /**
   * Batches of one partition taken but not yet done, at most (default 1). With 2, the next batch
   * is fetched and handled while the previous one's `done` is pending.
   */
  batchesInFlight?: number;
  /**
   * Called with this member's partitions after each rebalance, once the partitions it lost have
   * stopped committing: the caller can drop what it kept for them.
   */
  onAssignment?(partitions: ReadonlyArray<{ topic: string; partition: number }>): void;
}

export interface TopicSpec {
  topic: string;
  partitions?: number;
  configs?: Record<string, string>;
}

export interface KafkaClient {
  producer(options?: { compression?: 'gzip' | 'none' }): Promise<RawProducer>;
  consumer(options: ConsumerOptions): Promise<BatchConsumer>;
  /** Creates the topics that do not exist yet; existing ones are left as they are. */
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  /** Broker ids of the cluster, within `timeoutMs`; throws when no broker answers. */
  ping(timeoutMs?: number): Promise<number[]>;
  /** Committed offset and end offset per partition, for consumer lag. */
  groupLag(groupId: string, topic: string): Promise<{ partition: number; committed: number; end: number }[]>;
  deleteTopics(topics: string[]): Promise<void>;
  /** End offset (next offset to be written) per partition of a topic. */
  topicEnds(topic: string): Promise<{ partition: number; end: number }[]>;
}

function logCreator(logLevel: KafkaJs['logLevel'], logger: Logger | undefined) {
  return () =>
    ({ level, log }: { level: number; log: { message: string } & Record<string, unknown> }) => {
      if (!logger) return;
      const { message, timestamp: _t, logger: _l, ...fields } = log;
      if (level <= logLevel.ERROR) logger.error(fields, message);
      else if (level === logLevel.WARN) logger.warn(fields, message);
      else logger.debug(fields, message);
    };
}

function linesAsMessages(host: string, segments: readonly RawLineSegment[]): OutMessage[] {
  const out: OutMessage[] = [];
  for (const seg of segments) {
    for (let i = seg.from; i < seg.to; i++) {
      const line = seg.lines[i] as RawLineSegment['lines'][number];
      out.push({
        key: host,
        value: line.value,
        headers: rawHeaders({
          host,
          path: seg.path,
          fileId: seg.fileId,
          offset: line.offset,
          piece: line.piece,
        }),
      });
    }
  }
  return out;
}

export function createKafka(settings: KafkaSettings, logger?: Logger): KafkaClient {
  let client: Promise<kafkajs.Kafka> | undefined;
  const kafka = () => {
    client ??= loadKafkajs().then(
      (k) =>
        new k.Kafka({
          clientId: settings.clientId,
          brokers: [...settings.brokers],
          ssl: settings.ssl,
          sasl: settings.sasl as kafkajs.SASLOptions | undefined,
          connectionTimeout: 3000,
          logLevel: k.logLevel.WARN,
          logCreator: logCreator(k.logLevel, logger?.child({ component: 'kafkajs' })),
          retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 10_000 },
        }),
    );
    return client;
  };
  // Our wire code speaks SASL PLAIN only; with SCRAM everything goes through kafkajs.
  const wire: WireSettings | undefined =
    settings.sasl === undefined || settings.sasl.mechanism === 'plain'
      ? {
          brokers: settings.brokers,
          clientId: settings.clientId,
          ssl: settings.ssl,
          sasl: settings.sasl as SaslPlain | undefined,
        }
      : undefined;

  async function withAdmin<T>(fn: (admin: kafkajs.Admin) => Promise<T>): Promise<T> {
    const admin = (await kafka()).admin();
    await admin.connect();
    try {
      return await fn(admin);
    } finally {
      await admin.disconnect();
    }
  }

  return {
    async producer(options = {}) {
      const compression = options.compression ?? 'gzip';
      if (wire)
        return createWireProducer({ ...wire, compression }, logger?.child({ component: 'kafka-producer' }));
      const k = await loadKafkajs();
      const producer = (await kafka()).producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // murmur2 on the key, as the Java client does: a host's lines land where other tools expect.
        createPartitioner: k.Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      const codec = compression === 'none' ? k.CompressionTypes.None : k.CompressionTypes.GZIP;
      const chain = new SendChain();
      const send = (topic: string, messages: OutMessage[]) =>
        chain.run(async () => {
          if (messages.length === 0) return;
          // kafkajs writes a null header value as Kafka's null; its types leave null out.
          await producer.send({
            topic,
            acks: -1,
            compression: codec,
            messages: messages as kafkajs.Message[],
          });
        });
      return {
        send,
        sendLines: (topic, host, segments) => send(topic, linesAsMessages(host, segments)),
        disconnect: () => producer.disconnect(),
      };
    },

    async consumer(options) {
      const consumer = (await kafka()).consumer({
        groupId: options.groupId,
        sessionTimeout: options.sessionTimeoutMs ?? 30_000,
        maxBytesPerPartition: options.maxBytesPerPartition ?? 4 * 1024 * 1024,
        allowAutoTopicCreation: false,
      });
      await consumer.connect();
      for (const topic of options.topics) {
        await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true });
      }
      let paused = false;
      const depth = options.batchesInFlight ?? 1;
      const log = logger?.child({ component: 'kafka-consumer' });
      let stopping = false;
      const keyOf = (topic: string, partition: number) => `${topic}/${partition}`;
      /** Per `topic/partition`: the order of commits of the batches this instance holds. */
      const commits = new Map<string, PartitionCommits>();
      /** Revoked ones whose writes may still be in flight. */
      const retired = new Map<string, PartitionCommits>();
      const commitsOf = (topic: string, partition: number): PartitionCommits => {
        const key = keyOf(topic, partition);
        let c = commits.get(key);
        if (c === undefined) {
          c = new PartitionCommits(
            {
              commit: (offset) => consumer.commitOffsets([{ topic, partition, offset }]),
              rewind: (offset, err) => {
                log?.debug(
                  { topic, partition, offset, err: (err as Error)?.message },
                  'Seeking back to the failed batch.',
                );
                try {
                  consumer.seek({ topic, partition, offset });
                } catch {
                  // Stopped or stopping: nothing from this batch on was committed, so the next
                  // start (or the partition's next owner) reads it again anyway.
                }
              },
              commitFailed: (err) =>
                log?.info({ topic, partition, err: (err as Error)?.message }, 'Offset commit failed.'),
            },
            // The partition came back while its old batches were still being written: a state
            // rebuild (`earlierSettled`) must see their documents too.
            retired.get(key)?.settled(),
          );
          commits.set(key, c);
        }
        return c;
      };
      const allCommits = () => [...commits.values(), ...retired.values()];
      // A partition that went to another instance: its batches still being written must not
      // commit (the broker does not check ownership, so an old offset would move the new owner's
      // back). A seek made before the rejoin (a batch abandoned when the rebalance began) stays
      // pending in kafkajs and applies if the partition comes back: lines read again, none lost.
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        const assignment = event.payload.memberAssignment as Record<string, number[]>;
        const owned = Object.entries(assignment).flatMap(([topic, partitions]) =>
          partitions.map((partition) => ({ topic, partition })),
        );
        const assigned = new Set(owned.map((p) => keyOf(p.topic, p.partition)));
        for (const [key, c] of commits) {
          if (assigned.has(key)) continue;
          c.revoke();
          commits.delete(key);
          retired.set(key, c);
          void c.settled().then(() => {
            if (retired.get(key) === c) retired.delete(key);
          });
        }
        options.onAssignment?.(owned);
      });
      return {
        async run(handler) {
          await consumer.run({
            partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
            autoCommit: false,
            eachBatchAutoResolve: false,
            eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
              if (stopping || !isRunning() || isStale() || batch.messages.length === 0) return;
              const messages: InMessage[] = batch.messages.map((m) => ({
                topic: batch.topic,
                partition: batch.partition,
                offset: m.offset,
                key: m.key,
                value: m.value,
                // Text already (our record decoder); a message in the old format has none.
                headers: (m.headers as HeaderText | undefined) ?? {},
                timestamp: m.timestamp,
              }));
              const first = batch.firstOffset() as string;
              const next = (BigInt(batch.lastOffset()) + 1n).toString();
              const c = commitsOf(batch.topic, batch.partition);
              let taken: BatchTaken | undefined;
              try {
                taken = await handler(messages, {
                  topic: batch.topic,
                  partition: batch.partition,
                  highWatermark: batch.highWatermark,
                  isRunning: () => !stopping && isRunning() && !isStale(),
                  heartbeat,
                  earlierSettled: () => c.settled(),
                });
              } catch (err) {
                // A seek is pending already (an earlier batch failed): it restarts reading before
                // this batch, and a second seek here would overwrite it with a later offset.
                if (isStale()) throw err;
                // In line behind the batches still being written, so the earliest failure decides
                // where reading restarts; nothing from this batch on is committed.
                c.add(first, next, Promise.reject(err));
                await c.settled();
                throw err;
              }
              // Settled in order by the partition's commits; until then a rejection is expected.
              taken?.done.catch(() => {});
              // A seek while the handler ran (an earlier batch failed): this batch comes again.
              if (stopping || isStale()) return;
              // The fetch position follows resolved offsets, not commits: without this the
              // same batch is fetched again.
              resolveOffset(batch.lastOffset());
              c.add(first, next, taken?.done ?? Promise.resolve());
              // The fetcher fetches again once this returns: hold it while the partition has
              // `depth` batches unfinished, so memory stays bounded.
              await c.below(depth);
            },
          });
        },
        pause() {
          if (paused) return;
          paused = true;
          consumer.pause(options.topics.map((topic) => ({ topic })));
        },
        resume() {
          if (!paused || stopping) return;
          paused = false;
          consumer.resume(options.topics.map((topic) => ({ topic })));
        },
        async stop() {
          // No new batches; the ones being written may still be acknowledged, and their commits
          // go out before the group is left (a batch handed out meanwhile adds to the wait).
          stopping = true;
          try {
            consumer.pause(options.topics.map((topic) => ({ topic })));
          } catch {
            // Between a kafkajs crash and its restart there is nothing to pause.
          }
          while (allCommits().some((c) => c.pending > 0)) {
            await Promise.all(allCommits().map((c) => c.settled()));
          }
          await consumer.disconnect();
        },
      };
    },

    async ensureTopics(topics) {
      if (wire) {
        // The usual case (topics exist) answered by one Metadata request, without kafkajs.
        const meta = await readClusterMetadata(
          { ...wire, timeoutMs: 10_000 },
          topics.map((t) => t.topic),
        ).catch(() => undefined);
        if (meta?.topics.every((t) => t.errorCode === 0)) return;
      }
      return withAdmin(async (admin) => {
        const existing = new Set(await admin.listTopics());
        const missing = topics.filter((t) => !existing.has(t.topic));
        if (missing.length === 0) return;
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((t) => ({
            topic: t.topic,
            numPartitions: t.partitions ?? 1,
            replicationFactor: -1,
            configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
          })),
        });
      });
    },

    async ping(timeoutMs = 5000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        return await Promise.race([
          wire
            ? readClusterMetadata({ ...wire, timeoutMs }, []).then((m) => m.brokers.map((b) => b.nodeId))
            : withAdmin(async (admin) => (await admin.describeCluster()).brokers.map((b) => b.nodeId)),
          timeout,
        ]);
      } finally {
        clearTimeout(timer);
      }
    },

    groupLag(groupId, topic) {
      return withAdmin(async (admin) => {
        const [committed, ends] = await Promise.all([
          admin.fetchOffsets({ groupId, topics: [topic] }),
          admin.fetchTopicOffsets(topic),
        ]);
        const endBy = new Map(ends.map((e) => [e.partition, Number(e.high)]));
        return (committed[0]?.partitions ?? []).map((p) => ({
          partition: p.partition,
          committed: Math.max(0, Number(p.offset)),
          end: endBy.get(p.partition) ?? 0,
        }));
      });
    },

    topicEnds(topic) {
      return withAdmin(async (admin) =>
        (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, end: Number(p.high) })),
      );
    },

    deleteTopics(topics) {
      return withAdmin((admin) => admin.deleteTopics({ topics }));
    },
  };
}
