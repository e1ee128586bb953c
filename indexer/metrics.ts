/**
 * The indexer's Prometheus metrics. They live in whichever registry the host process exposes
 * on `/metrics` (the API's, in `mailpulse run`); asking twice for the same registry returns the
 * same metrics, so several indexers in one process (tests) share them.
 */
import { Counter, Gauge, Histogram, type Registry, register as defaultRegistry } from 'prom-client';

export interface IndexerMetrics {
  /** Raw records taken from Kafka. */
  consumed: Counter<'topic'>;
  /** Documents Elasticsearch acknowledged, by kind (`event`, `message`, `deadletter`); 409s included. */
  indexed: Counter<'kind'>;
  /** Records or documents sent to the dead-letter topic and index, by error code. */
  deadLettered: Counter<'code'>;
  /** Records indexed without shipper headers (their id comes from the Kafka position). */
  withoutSource: Counter;
  /** `_bulk` round trips, successful or not. */
  bulkSeconds: Histogram;
  /** Documents or whole requests that had to be retried (429, 5xx, Elasticsearch unreachable). */
  retries: Counter<'reason'>;
  /** Records behind the end of each partition after the last committed batch. */
  lag: Gauge<'topic' | 'partition'>;
  /** 1 while consumption is paused because Elasticsearch is not taking writes. */
  paused: Gauge;
  /** Messages held in memory by the correlator of each partition this instance owns. */
  openMessages: Gauge<'topic' | 'partition'>;
}

const cache = new WeakMap<Registry, IndexerMetrics>();

export function indexerMetrics(registry: Registry = defaultRegistry): IndexerMetrics {
  const known = cache.get(registry);
  if (known) return known;
  const registers = [registry];
  const metrics: IndexerMetrics = {
    consumed: new Counter({
      name: 'mailpulse_indexer_consumed_total',
      help: 'Raw records consumed from Kafka',
      labelNames: ['topic'],
      registers,
    }),
    indexed: new Counter({
      name: 'mailpulse_indexer_indexed_total',
      help: 'Documents acknowledged by Elasticsearch (duplicates included)',
      labelNames: ['kind'],
      registers,
    }),
    deadLettered: new Counter({
      name: 'mailpulse_indexer_dead_lettered_total',
      help: 'Records or documents sent to the dead-letter topic and index',
      labelNames: ['code'],
      registers,
    }),
    withoutSource: new Counter({
      name: 'mailpulse_indexer_records_without_source_total',
      help: 'Records without shipper headers, indexed with an id from their Kafka position',
      registers,
    }),
    bulkSeconds: new Histogram({
      name: 'mailpulse_indexer_bulk_duration_seconds',
      help: 'Elasticsearch _bulk request duration',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    retries: new Counter({
      name: 'mailpulse_indexer_retries_total',
      help: 'Bulk requests or documents retried',
      labelNames: ['reason'],
      registers,
    }),
    lag: new Gauge({
      name: 'mailpulse_indexer_consumer_lag',
      help: 'Records between the last committed offset and the end of the partition',
      labelNames: ['topic', 'partition'],
      registers,
    }),
    openMessages: new Gauge({
      name: 'mailpulse_indexer_open_messages',
      help: 'Messages whose lines the correlator holds in memory, per partition this instance owns',
      labelNames: ['topic', 'partition'],
      registers,
    }),
    paused: new Gauge({
      name: 'mailpulse_indexer_paused',
      help: '1 while consumption is paused because Elasticsearch is not taking writes',
      registers,
    }),
  };
  cache.set(registry, metrics);
  return metrics;
}
