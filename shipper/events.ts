/**
 * The shipper's telemetry: Prometheus metrics in a registry of its own (the `run` process and
 * the API merge it into theirs) and the log lines for things an operator must see.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { Logger } from '../core/logger.js';

export type RotationKind = 'rename' | 'truncate' | 'delete';

export interface ShipperMetrics {
  readonly registry: Registry;
  readonly linesRead: Counter;
  readonly linesAcked: Counter;
  readonly bytesRead: Counter;
  readonly bytesAcked: Counter;
  readonly linesSplit: Counter;
  readonly partialFlushes: Counter;
  readonly rotations: Counter<'kind'>;
  readonly kafkaErrors: Counter;
  readonly lostFiles: Counter;
  readonly checkpointWrites: Counter;
  readonly inflightBytes: Gauge;
  readonly lagBytes: Gauge<'path'>;
  readonly filesOpen: Gauge;
  readonly requestWait: Gauge;
}

/** Metrics in `registry` (the host process's), or in a registry of their own. */
export function createMetrics(registry = new Registry()): ShipperMetrics {
  const r = [registry];
  return {
    registry,
    linesRead: new Counter({
      name: 'mailpulse_shipper_lines_read_total',
      help: 'Lines (and pieces of long lines) read from log files.',
      registers: r,
    }),
    linesAcked: new Counter({
      name: 'mailpulse_shipper_lines_acked_total',
      help: 'Lines acknowledged by Kafka (acks=all).',
      registers: r,
    }),
    bytesRead: new Counter({
      name: 'mailpulse_shipper_bytes_read_total',
      help: 'Line bytes read, newlines excluded.',
      registers: r,
    }),
    bytesAcked: new Counter({
      name: 'mailpulse_shipper_bytes_acked_total',
      help: 'Line bytes acknowledged by Kafka.',
      registers: r,
    }),
    linesSplit: new Counter({
      name: 'mailpulse_shipper_line_pieces_total',
      help: 'Pieces sent for lines longer than SHIP_MAX_LINE_BYTES.',
      registers: r,
    }),
    partialFlushes: new Counter({
      name: 'mailpulse_shipper_partial_flushes_total',
      help: 'Last lines sent without their newline (idle, rotated or truncated file).',
      registers: r,
    }),
    rotations: new Counter({
      name: 'mailpulse_shipper_rotations_total',
      help: 'Rotations seen, by kind.',
      labelNames: ['kind'],
      registers: r,
    }),
    kafkaErrors: new Counter({
      name: 'mailpulse_shipper_kafka_errors_total',
      help: 'Failed produce requests (retried until they succeed).',
      registers: r,
    }),
    lostFiles: new Counter({
      name: 'mailpulse_shipper_lost_files_total',
      help: 'Files with an unacknowledged tail that vanished before they could be read again.',
      registers: r,
    }),
    checkpointWrites: new Counter({
      name: 'mailpulse_shipper_checkpoint_writes_total',
      help: 'Checkpoint files written.',
      registers: r,
    }),
    inflightBytes: new Gauge({
      name: 'mailpulse_shipper_inflight_bytes',
      help: 'Line bytes read and not yet acknowledged.',
      registers: r,
    }),
    lagBytes: new Gauge({
      name: 'mailpulse_shipper_lag_bytes',
      help: 'Bytes in the file after the acknowledged position.',
      labelNames: ['path'],
      registers: r,
    }),
    filesOpen: new Gauge({
      name: 'mailpulse_shipper_files_open',
      help: 'Files currently followed or drained.',
      registers: r,
    }),
    requestWait: new Gauge({
      name: 'mailpulse_shipper_request_wait_seconds',
      help: 'How long the produce request in flight has been waiting (0 when none); long while Kafka is down.',
      registers: r,
    }),
  };
}

async function value(c: Counter | Gauge): Promise<number> {
  const v = await c.get();
  return v.values.reduce((sum, x) => sum + x.value, 0);
}

/** The numbers of the periodic statistics log line. */
export async function snapshot(m: ShipperMetrics) {
  return {
    linesRead: await value(m.linesRead),
    linesAcked: await value(m.linesAcked),
    bytesAcked: await value(m.bytesAcked),
    inflightBytes: await value(m.inflightBytes),
    lagBytes: await value(m.lagBytes),
    kafkaErrors: await value(m.kafkaErrors),
    rotations: await value(m.rotations),
    requestWaitSeconds: await value(m.requestWait),
  };
}

export function startStatsLog(m: ShipperMetrics, log: Logger, intervalS: number): () => void {
  if (intervalS <= 0) return () => {};
  let last = { linesAcked: 0, t: Date.now() };
  const timer = setInterval(() => {
    void snapshot(m).then((s) => {
      const now = Date.now();
      const rate = Math.round(((s.linesAcked - last.linesAcked) * 1000) / Math.max(1, now - last.t));
      last = { linesAcked: s.linesAcked, t: now };
      log.info({ ...s, linesPerSecond: rate }, 'Shipper statistics.');
    });
  }, intervalS * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
