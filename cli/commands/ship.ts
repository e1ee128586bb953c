import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { startShipper } from '../../shipper/index.js';
import { type Command, parseCommandArgs, untilSignal } from '../command.js';

const usage = `
Usage: mailpulse ship [--from-beginning] [--config FILE]

Tails the configured mail logs (MAIL_LOGS, default /var/log/mail.log; globs in the file
name allowed) into the Kafka raw topic (KAFKA_TOPIC_RAW), at least once. Follows rename
and copytruncate rotation; the checkpoint (CHECKPOINT_DIR) records only what Kafka
acknowledged. Stops cleanly on SIGTERM/SIGINT.

  --from-beginning  files not in the checkpoint start at byte 0 (backfill); by default
                    the first run starts at the end of existing files
  --config FILE     settings file (JSON or YAML), same keys as the environment

Tuning (environment): SHIP_MAX_LINE_BYTES, SHIP_PARTIAL_FLUSH_MS, SHIP_POLL_MS,
SHIP_ROTATED_IDLE_MS, SHIP_MAX_INFLIGHT_BYTES, SHIP_BATCH_BYTES, SHIP_COMPRESSION,
SHIP_CHECKPOINT_MS, SHIP_STATS_INTERVAL_S, SHIP_HOST_NAME, SHIP_START_AT.
`;

const command: Command = {
  summary: 'tail the configured mail logs into Kafka',
  usage,
  async run(argv) {
    const { values } = parseCommandArgs(
      argv,
      { 'from-beginning': { type: 'boolean' }, config: { type: 'string' } },
      false,
    );
    const config = loadConfig({ file: values.config });
    const logger = createLogger(config.logLevel);
    const shipper = await startShipper(config, logger, {
      fromBeginning: values['from-beginning'],
      statsLog: true,
    });
    const signal = await untilSignal();
    logger.info({ signal }, 'Stopping the shipper.');
    await shipper.stop();
    logger.flush();
    return 0;
  },
};
export default command;
