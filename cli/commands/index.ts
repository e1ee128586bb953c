import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { startIndexer } from '../../indexer/index.js';
import { type Command, parseCommandArgs, untilSignal } from '../command.js';

const usage = `
Usage: mailpulse index [--config FILE]

Consumes the raw topic (KAFKA_TOPIC_RAW) in the consumer group INDEXER_GROUP_ID, parses and
correlates the lines and writes Elasticsearch: events to ES_INDEX_PREFIX-events-YYYY.MM.DD,
message documents to ES_INDEX_PREFIX-messages-YYYY.MM.DD, records that cannot be indexed to
ES_INDEX_PREFIX-deadletter-YYYY.MM.DD and KAFKA_TOPIC_DLQ. Offsets are committed only after
Elasticsearch acknowledged the batch and every batch before it. Start more instances to share the partitions.

Installs the index templates at start and deletes daily indices older than RETENTION_DAYS
(at start and daily). Runs until SIGINT or SIGTERM.

Settings: INDEXER_GROUP_ID, INDEXER_SESSION_TIMEOUT_MS, INDEXER_FETCH_BYTES, INDEXER_PARTITION_CONCURRENCY,
INDEXER_BULK_DOCS, INDEXER_BULK_CONCURRENCY, INDEXER_BATCHES_IN_FLIGHT, INDEXER_MAX_LINE_BYTES,
INDEXER_RETRY_MAX_MS,
plus the Kafka and Elasticsearch ones.
`;

const command: Command = {
  summary: 'consume raw lines, parse, correlate, write Elasticsearch',
  usage,
  async run(argv) {
    const { values } = parseCommandArgs(argv, { config: { type: 'string' } }, false);
    const config = loadConfig({ file: values.config });
    const logger = createLogger(config.logLevel);
    const indexer = await startIndexer(config, logger);
    await untilSignal();
    await indexer.stop();
    return 0;
  },
};
export default command;
