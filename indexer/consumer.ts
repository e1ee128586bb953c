/**
 * The Kafka side: one consumer in the indexer group, batches handed to `processBatch` per
 * partition, offsets committed by `core/kafka.ts` only when the handler resolved.
 *
 * A partition's correlator state is trusted only while its batches follow each other: when a
 * batch does not start where the last one ended (first batch, a rebalance gave the partition
 * back, a failed batch is redelivered) the state is rebuilt from the messages index first.
 */
import type { Config } from '../core/config.js';
import { redactorFor } from './privacy.js';
import type { EsClient } from '../core/elasticsearch.js';
import type { BatchConsumer, InMessage, KafkaClient, RawProducer } from '../core/kafka.js';
import type { Logger } from '../core/logger.js';
import { BulkAbandoned } from './bulk.js';
import {
  type BatchEnv,
  LATE_GRACE_MS,
  type PartitionState,
  newPartitionState,
  processBatch,
} from './batch.js';
import type { IndexerMetrics } from './metrics.js';
import { loadPartitionState } from './state.js';

export interface ConsumerLoop {
  stop(): Promise<void>;
}

interface Tracked {
  state: PartitionState;
  /** Offset the next batch must start at for `state` to be valid. */
  next: bigint;
}

export async function startConsumerLoop(deps: {
  config: Config;
  kafka: KafkaClient;
  es: EsClient;
  metrics: IndexerMetrics;
  logger: Logger;
}): Promise<ConsumerLoop> {
  const { config, kafka, es, metrics, logger } = deps;
  const prefix = config.elasticsearch.indexPrefix;
  const redact = redactorFor(config);
  const topic = config.kafka.topicRaw;
  const partitions = new Map<number, Tracked>();
  let stopping = false;
  let producer: Promise<RawProducer> | undefined;
  const consumer: BatchConsumer = await kafka.consumer({
    groupId: config.indexer.groupId,
    topics: [topic],
    sessionTimeoutMs: config.indexer.sessionTimeoutMs,
    maxBytesPerPartition: config.indexer.fetchBytes,
    partitionsConsumedConcurrently: config.indexer.partitionConcurrency,
  });

  async function stateFor(messages: InMessage[]): Promise<PartitionState> {
    const first = messages[0] as InMessage;
    const tracked = partitions.get(first.partition);
    if (tracked && tracked.next === BigInt(first.offset)) return tracked.state;
    const restored = await loadPartitionState(
      es,
      prefix,
      first.topic,
      first.partition,
      Number(first.offset),
      LATE_GRACE_MS,
    );
    logger.info(
      {
        topic: first.topic,
        partition: first.partition,
        offset: first.offset,
        messages: restored.docs.length,
        replayed: restored.replayUntil.size,
      },
      'Correlator state rebuilt from the messages index.',
    );
    return newPartitionState(first.topic, first.partition, config.parser.timeZone, restored);
  }

  async function sendDeadLetters(out: Parameters<RawProducer['send']>[1]): Promise<void> {
    // Batches of several partitions may dead-letter at once: one producer, made once.
    producer ??= kafka.producer().catch((err) => {
      producer = undefined;
      throw err;
    });
    await (await producer).send(config.kafka.topicDlq, out);
  }

  await consumer.run(async (messages, ctx) => {
    const first = messages[0] as InMessage;
    const last = messages.at(-1) as InMessage;
    metrics.consumed.inc({ topic: ctx.topic }, messages.length);
    // kafkajs sends heartbeats only when asked; a batch waiting on Elasticsearch must keep the
    // membership alive. A failed heartbeat (rebalance, expired session) abandons the batch.
    let lost = false;
    const beat = setInterval(() => {
      ctx.heartbeat().catch((err: Error) => {
        if (!lost)
          logger.info(
            { partition: ctx.partition, reason: err.message },
            'Group membership changed; abandoning the batch.',
          );
        lost = true;
      });
    }, 1000);
    const isRunning = () => !stopping && !lost && ctx.isRunning();
    let state: PartitionState | undefined;
    try {
      state = await stateFor(messages);
      const env: BatchEnv = {
        client: es,
        prefix,
        bulkDocs: config.indexer.bulkDocs,
        bulkConcurrency: config.indexer.bulkConcurrency,
        maxLineBytes: config.indexer.maxLineBytes,
        bulk: {
          isRunning,
          retryMaxMs: config.indexer.retryMaxMs,
          onBackoff: () => {
            // Stop fetching more while Elasticsearch is not taking writes: memory stays at one batch.
            consumer.pause();
            metrics.paused.set(1);
          },
          onRecovered: () => {
            consumer.resume();
            metrics.paused.set(0);
          },
        },
        sendDeadLetters,
        metrics,
        logger,
        redact,
      };
      const result = await processBatch(messages, state, env);
      partitions.set(first.partition, { state, next: BigInt(last.offset) + 1n });
      metrics.lag.set(
        { topic: ctx.topic, partition: String(ctx.partition) },
        Math.max(0, Number(BigInt(ctx.highWatermark) - BigInt(last.offset) - 1n)),
      );
      logger.debug(
        { partition: first.partition, from: first.offset, to: last.offset, ...result },
        'Batch indexed.',
      );
    } catch (err) {
      // Whatever the correlator took from this batch is not written: drop it, rebuild on redelivery.
      partitions.delete(first.partition);
      consumer.resume();
      metrics.paused.set(0);
      if (err instanceof BulkAbandoned) {
        logger.info(
          { partition: first.partition, from: first.offset },
          'Batch abandoned uncommitted; it will be delivered again.',
        );
      } else {
        logger.warn(
          { partition: first.partition, from: first.offset, err: (err as Error).message },
          'Batch failed uncommitted; it will be delivered again.',
        );
      }
      throw err;
    } finally {
      clearInterval(beat);
    }
  });

  return {
    async stop() {
      stopping = true;
      await consumer.stop();
      await (await producer?.catch(() => undefined))?.disconnect();
    },
  };
}
