/**
 * Indexer: Kafka raw topic → parse → correlate → Elasticsearch, effectively once.
 *
 * Guarantees:
 * - Offsets are committed only after Elasticsearch acknowledged every document of the batch
 *   and of every earlier batch of the partition (or it was dead-lettered to both the DLQ topic
 *   and the dead-letter index). A crash, a rebalance or an Elasticsearch outage leaves the
 *   batch uncommitted and it comes again. The next batch is fetched and parsed while one is
 *   being written (`INDEXER_BATCHES_IN_FLIGHT`), which keeps both Node and Elasticsearch busy.
 * - Replays are harmless: an event's `_id` derives from (host, file identity, byte offset,
 *   piece) and is written with `create` (409 = already there); a message document is written
 *   whole under its key with the Kafka offset of its last line as external version (no
 *   scripts; a late older copy is refused with 409, so write order does not matter), and
 *   replayed lines already applied to a stored message are not correlated twice
 *   (`state.ts`). Event count == lines shipped.
 * - Ordering: one partition's records are processed in order (one host's lines share a
 *   partition, so a message's lines do too); a batch's message documents (their state at the
 *   batch's end) go with its last chunk of events, and all are acknowledged before the commit.
 * - Elasticsearch down or answering 429: consumption pauses, the bulk request is retried with
 *   backoff (heartbeats keep the group membership), and resumes; memory stays at
 *   `INDEXER_BATCHES_IN_FLIGHT` batches per partition. Documents Elasticsearch refuses and records that are not text go to the
 *   dead letters and the batch goes on.
 * - Correlator state is rebuilt from the messages index when a partition is (re)assigned.
 * - Retention deletes daily indices older than `RETENTION_DAYS` at start and once a day.
 *
 * Indices: `<prefix>-events-YYYY.MM.DD` (UTC day of `@timestamp`), `<prefix>-messages-YYYY.MM.DD`
 * (day the message was first seen), `<prefix>-deadletter-YYYY.MM.DD`, each behind the alias
 * `<prefix>-<kind>`, with composable templates `<prefix>-<kind>` (`templates.ts`).
 */
import type { Registry } from 'prom-client';
import type { Config } from '../core/config.js';
import { createEsClient, esHealth } from '../core/elasticsearch.js';
import { MailpulseError } from '../core/errors.js';
import { createKafka } from '../core/kafka.js';
import type { Logger } from '../core/logger.js';
import { startConsumerLoop } from './consumer.js';
import { withElasticsearch } from './startup.js';
import { indexerMetrics } from './metrics.js';
import { applyRetention } from './retention.js';
import { installTemplates } from './templates.js';

export { type BulkAction, BulkBody, type BulkRejection, writeBulk } from './bulk.js';
export { type DeadLetter, DeadLetterSchema, DEAD_LETTER_CODES } from './dead-letter.js';
export {
  INDEX_KINDS,
  type IndexKind,
  aliasName,
  dailyIndexName,
  indexPattern,
  templateName,
  utcDay,
} from './index-names.js';
export { type IndexLinesOptions, type LineInput, indexLines } from './lines.js';
export { KEYWORD_IGNORE_ABOVE, mappedFields } from './mapping.js';
export { type IndexerMetrics, indexerMetrics } from './metrics.js';
export { createRedactor, type Redactor, redactorFor } from './privacy.js';
export { applyRetention, expiredIndices } from './retention.js';
export {
  IndexerStampSchema,
  type StoredMessage,
  StoredMessageSchema,
  messageDay,
  messageDocId,
} from './state.js';
export {
  DEAD_LETTER_MAPPING,
  EVENT_MAPPING,
  MAPPINGS,
  MESSAGE_MAPPING,
  deleteTemplates,
  indexTemplate,
  installTemplates,
} from './templates.js';

export interface Indexer {
  stop(): Promise<void>;
}

export interface StartIndexerOptions {
  /** Registry the metrics go to (default prom-client's global one). */
  registry?: Registry;
  /** Run retention at start and daily (default true). */
  retention?: boolean;
}

const DAY_MS = 86_400_000;

export async function startIndexer(
  config: Config,
  logger: Logger,
  options: StartIndexerOptions = {},
): Promise<Indexer> {
  const log = logger.child({ role: 'indexer' });
  const metrics = indexerMetrics(options.registry);
  const es = createEsClient(config.elasticsearch);
  const kafka = createKafka(config.kafka, log);
  const prefix = config.elasticsearch.indexPrefix;

  try {
    await withElasticsearch(config, log, async () => {
      await esHealth(es);
      await installTemplates(es, prefix);
    });
  } catch (err) {
    await es.close();
    throw err;
  }
  try {
    await kafka.ping();
    await kafka.ensureTopics([
      { topic: config.kafka.topicRaw, partitions: config.kafka.partitions },
      { topic: config.kafka.topicDlq, partitions: 1 },
    ]);
  } catch (err) {
    await es.close();
    throw new MailpulseError('MP_ERR_KAFKA_UNREACHABLE', [
      config.kafka.brokers.join(','),
      (err as Error).message,
    ]);
  }

  const retention = async () => {
    try {
      await applyRetention(es, prefix, config.elasticsearch.retentionDays, log);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'Retention run failed; will try again tomorrow.');
    }
  };
  let timer: NodeJS.Timeout | undefined;
  if (options.retention ?? true) {
    await retention();
    timer = setInterval(retention, DAY_MS);
    timer.unref();
  }

  const loop = await startConsumerLoop({ config, kafka, es, metrics, logger: log });
  log.info({ topic: config.kafka.topicRaw, groupId: config.indexer.groupId, prefix }, 'Indexer consuming.');
  return {
    async stop() {
      if (timer) clearInterval(timer);
      await loop.stop();
      await es.close();
      log.info({}, 'Indexer stopped.');
    },
  };
}
