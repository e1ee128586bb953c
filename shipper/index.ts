/**
 * The shipper: tails mail logs into the Kafka raw topic, at least once.
 *
 * Guarantees
 * - Every byte written to a followed file reaches Kafka (acks=all) at least once, including the
 *   rest of a file rotated by rename (read through its open handle, or found again by
 *   device + inode after a restart) or by copytruncate (read from the copy, found by its
 *   fingerprint). The one exception is logrotate's own copytruncate race: lines written between
 *   its copy and its truncate exist nowhere.
 * - The checkpoint stores, per file identity, only positions Kafka acknowledged, so a crash
 *   resends at most the lines read after the last checkpoint write; resent lines carry the same
 *   (host, file id, offset, piece) and so the same event id downstream.
 * - One file's lines are sent in file order, one produce request at a time, keyed by host (one
 *   partition per host). A rotated file is read before its successor in each round.
 * - Memory is bounded: reading pauses while `SHIP_MAX_INFLIGHT_BYTES` of lines await their ack
 *   (Kafka slow or down) and continues by itself when acks come back.
 *
 * Lines: split at `\n`, value without it, bytes untouched (invalid UTF-8 passes as is). A line
 * longer than `SHIP_MAX_LINE_BYTES` is sent in pieces with the `mp-piece` header. A last line
 * without newline waits `SHIP_PARTIAL_FLUSH_MS` of quiet, then is sent as it is.
 * First run: existing files are shipped from their end (the start of the line after the last
 * newline) unless `--from-beginning`; files that appear later are shipped from byte 0.
 */

import type { Config } from '../core/config.js';
import { MailpulseError } from '../core/errors.js';
import { createKafka } from '../core/kafka.js';
import type { Logger } from '../core/logger.js';
import { type ShipperOverrides, shipperOptions } from './config.js';
import { createMetrics, type ShipperMetrics, snapshot, startStatsLog } from './events.js';
import { Outbox } from './producer.js';
import { Supervisor } from './supervisor.js';

export type { ShipperOverrides } from './config.js';
export type { ShipperMetrics } from './events.js';

export interface Shipper {
  /** Prometheus metrics of this shipper; merge into the process's registry to expose them. */
  readonly metrics: ShipperMetrics;
  /** Current totals (lines read/acked, bytes, lag, errors), for a status line or a test. */
  stats(): ReturnType<typeof snapshot>;
  /**
   * Stops reading, waits up to `timeoutMs` for Kafka to acknowledge what was read, writes the
   * checkpoint, closes everything. Resolves true when nothing was left unacknowledged.
   */
  stop(timeoutMs?: number): Promise<boolean>;
}

export async function startShipper(
  config: Config,
  logger: Logger,
  overrides: ShipperOverrides = {},
): Promise<Shipper> {
  const options = shipperOptions(config, overrides);
  const log = logger.child({ role: 'shipper' });
  const metrics = createMetrics(overrides.registry);
  const kafka = createKafka(config.kafka, log);
  try {
    await kafka.ping(5000);
    await kafka.ensureTopics([{ topic: options.topic, partitions: options.partitions }]);
  } catch (err) {
    throw new MailpulseError(
      'MP_ERR_KAFKA_UNREACHABLE',
      [config.kafka.brokers.join(','), (err as Error).message],
      { cause: err },
    );
  }
  let supervisor: Supervisor | undefined;
  const outbox = new Outbox(
    {
      topic: options.topic,
      host: options.hostName,
      batchBytes: options.batchBytes,
      maxInflightBytes: options.maxInflightBytes,
    },
    () => kafka.producer({ compression: options.compression }),
    metrics,
    log,
    () => supervisor?.kick(),
  );
  supervisor = new Supervisor(options, outbox, metrics, log);
  try {
    await supervisor.start();
  } catch (err) {
    await outbox.close();
    throw err;
  }
  const stopStats = startStatsLog(metrics, log, options.statsIntervalS);
  let stopped: Promise<boolean> | undefined;
  return {
    metrics,
    stats: () => snapshot(metrics),
    stop(timeoutMs = 10_000) {
      stopped ??= (async () => {
        stopStats();
        const drained = await (supervisor as Supervisor).stop(timeoutMs);
        log.info(
          { drained, ...(await snapshot(metrics)) },
          drained
            ? 'Shipper stopped; everything read was acknowledged.'
            : 'Shipper stopped; unacknowledged lines will be read again at the next start.',
        );
        return drained;
      })();
      return stopped;
    },
  };
}
