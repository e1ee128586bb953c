/**
 * The Kafka side: one consumer in the indexer group, batches handed to `takeBatch` per
 * partition; `core/kafka.ts` commits a batch's offsets only when its `done` and those of every
 * earlier batch of the partition resolved, and fetches the next batch meanwhile.
 *
 * A partition's correlator state is trusted only while its batches follow each other: when a
 * batch does not start where the last one ended (first batch, a rebalance gave the partition
 * back, a failed batch is redelivered), or a batch of the partition failed since the state was
 * handed on, the state is rebuilt from the messages index first.
 */
import type { Config } from '../core/config.js';
import { redactorFor } from './privacy.js';
import type { EsClient } from '../core/elasticsearch.js';
import type { BatchConsumer, BatchContext, InMessage, KafkaClient, RawProducer } from '../core/kafka.js';
import type { Logger } from '../core/logger.js';
import { BulkAbandoned } from './bulk.js';
import {
  type BatchEnv,
  BulkSlots,
  LATE_GRACE_MS,
  type PartitionState,
  newPartitionState,
  takeBatch,
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
  /** The partition's failure count when the state was last used: a failure since voids it. */
  epoch: number;
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
  /** Failed batches per partition; a batch taken before a failure does not hand on its state. */
  const epochs = new Map<number, number>();
  let stopping = false;
  let producer: Promise<RawProducer> | undefined;
  /** Rebalances so far: a batch taken before the last one hands on no state and reports no lag. */
  let assignments = 0;
  /** Partitions with tracked state or gauge values, to drop when they move away. */
  const reported = new Set<number>();
  const consumer: BatchConsumer = await kafka.consumer({
    groupId: config.indexer.groupId,
    topics: [topic],
    sessionTimeoutMs: config.indexer.sessionTimeoutMs,
    maxBytesPerPartition: config.indexer.fetchBytes,
    partitionsConsumedConcurrently: config.indexer.partitionConcurrency,
    batchesInFlight: config.indexer.batchesInFlight,
    onAssignment: (owned) => {
      assignments += 1;
      const assigned = new Set(owned.filter((p) => p.topic === topic).map((p) => p.partition));
      // A partition that moved to another instance takes its correlator state (every open
      // message) and its gauges with it; if it comes back, its state is rebuilt from the index.
      for (const partition of [...reported]) {
        if (assigned.has(partition)) continue;
        reported.delete(partition);
        partitions.delete(partition);
        metrics.lag.remove({ topic, partition: String(partition) });
        metrics.openMessages.remove({ topic, partition: String(partition) });
      }
    },
  });

  async function stateFor(
    messages: InMessage[],
    epoch: number,
    ctx: BatchContext,
    isRunning: () => boolean,
  ): Promise<PartitionState> {
    const first = messages[0] as InMessage;
    const tracked = partitions.get(first.partition);
    if (tracked && tracked.next === BigInt(first.offset) && tracked.epoch === epoch) return tracked.state;
    // The rebuild reads the messages index: the partition's batches still being written must have
    // landed first, or the state would miss their lines (and replays would skip them).
    await ctx.earlierSettled();
    if (!isRunning()) throw new BulkAbandoned();
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

  /** Slots per partition: its batches in flight share `bulkConcurrency` requests. */
  const slots = new Map<number, BulkSlots>();
  const slotsFor = (partition: number): BulkSlots => {
    let s = slots.get(partition);
    if (s === undefined) {
      s = new BulkSlots(config.indexer.bulkConcurrency);
      slots.set(partition, s);
    }
    return s;
  };

  await consumer.run(async (messages, ctx) => {
    const first = messages[0] as InMessage;
    const last = messages.at(-1) as InMessage;
    const partition = first.partition;
    const epoch = epochs.get(partition) ?? 0;
    const generation = assignments;
    metrics.consumed.inc({ topic: ctx.topic }, messages.length);
    // kafkajs sends heartbeats only when asked; a batch waiting on Elasticsearch must keep the
    // membership alive. A failed heartbeat (rebalance, expired session) abandons the batch.
    let lost = false;
    const beat = setInterval(() => {
      ctx.heartbeat().catch((err: Error) => {
        if (!lost)
          logger.info({ partition, reason: err.message }, 'Group membership changed; abandoning the batch.');
        lost = true;
      });
    }, 1000);
    const isRunning = () => !stopping && !lost && ctx.isRunning();
    const failed = (err: unknown) => {
      // Whatever the correlator took from this batch on is not written: rebuild on redelivery.
      // A batch taken before an earlier failure needs nothing more: the state was dropped then,
      // and dropping it again could throw away the state of the redelivered batches.
      if ((epochs.get(partition) ?? 0) === epoch) {
        epochs.set(partition, epoch + 1);
        partitions.delete(partition);
        if (reported.has(partition)) metrics.openMessages.set({ topic, partition: String(partition) }, 0);
      }
      consumer.resume();
      metrics.paused.set(0);
      if (err instanceof BulkAbandoned) {
        logger.info(
          { partition, from: first.offset },
          'Batch abandoned uncommitted; it will be delivered again.',
        );
      } else {
        logger.warn(
          { partition, from: first.offset, err: (err as Error).message },
          'Batch failed uncommitted; it will be delivered again.',
        );
      }
    };
    try {
      const state = await stateFor(messages, epoch, ctx, isRunning);
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
            // Stop fetching more while Elasticsearch is not taking writes: memory stays bounded.
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
        slots: slotsFor(partition),
        versionedMessages: true,
      };
      const taken = await takeBatch(messages, state, env);
      // A batch still being taken when its partition moved away must not keep the state alive.
      if (generation === assignments) {
        partitions.set(partition, { state, next: BigInt(last.offset) + 1n, epoch });
        metrics.openMessages.set({ topic, partition: String(partition) }, state.correlator.size);
        reported.add(partition);
      }
      const done = taken.done.then(
        (result) => {
          // Lag of a partition that moved away is the new owner's to report, and a batch from an
          // earlier ownership would report an old high watermark.
          if (generation === assignments) {
            reported.add(partition);
            metrics.lag.set(
              { topic, partition: String(partition) },
              Math.max(0, Number(BigInt(ctx.highWatermark) - BigInt(last.offset) - 1n)),
            );
          }
          logger.debug({ partition, from: first.offset, to: last.offset, ...result }, 'Batch indexed.');
        },
        (err: unknown) => {
          failed(err);
          throw err;
        },
      );
      void done.finally(() => clearInterval(beat)).catch(() => {});
      return { done };
    } catch (err) {
      clearInterval(beat);
      failed(err);
      throw err;
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
