/**
 * The shipper's settings, taken from the one config schema (core/config.ts, `SHIP_*` and
 * `MAIL_LOGS`, `CHECKPOINT_DIR`) plus what the command line may override.
 */
import type { Registry } from 'prom-client';
import type { Config } from '../core/config.js';

export interface ShipperOverrides {
  /** `--from-beginning`: files without a checkpoint entry start at byte 0, even on the first run. */
  readonly fromBeginning?: boolean;
  /** Log statistics every `statsIntervalS` (when the shipper runs alone). */
  readonly statsLog?: boolean;
  /** Register the metrics here (the `run` process's registry) instead of a registry of their own. */
  readonly registry?: Registry;
}

export function shipperOptions(config: Config, overrides: ShipperOverrides = {}) {
  const s = config.shipper;
  return Object.freeze({
    ...s,
    startAt: overrides.fromBeginning ? ('beginning' as const) : s.startAt,
    statsIntervalS: overrides.statsLog ? s.statsIntervalS : 0,
    topic: config.kafka.topicRaw,
    partitions: config.kafka.partitions,
    /** One read never takes more than a quarter of the in-flight budget. */
    readChunkBytes: Math.max(64 * 1024, Math.min(1024 * 1024, Math.floor(s.maxInflightBytes / 4))),
  });
}
export type ShipperOptions = ReturnType<typeof shipperOptions>;
