import { hostname } from 'node:os';
import { backfill, formatBar, formatLine } from '../../backfill/index.js';
import { loadConfig } from '../../core/config.js';
import { MailpulseError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { type Command, parseCommandArgs } from '../command.js';

const usage = `
Usage: mailpulse import [--direct] [--host NAME] [--restart] [--config FILE] FILE...

Backfills historical mail logs (plain or .gz; a rotated set is put in order, oldest first)
through the pipeline: lines go to the raw Kafka topic like the shipper's, and the indexer
(\`mailpulse index\` or \`mailpulse run\`) stores them.

  --direct     write to Elasticsearch directly, without Kafka and without an indexer running
  --host NAME  host recorded with each line (default this machine's name)
  --restart    ignore saved progress and send everything again

Importing is idempotent (the same file twice leaves the counts unchanged) and resumable: an
interrupted import continues after the last acknowledged batch (DATA_DIR/import/progress.json).
A progress bar is drawn on a terminal; plain progress lines are printed otherwise.
`;

const command: Command = {
  summary: 'backfill historical logs through the pipeline',
  usage,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      direct: { type: 'boolean' },
      host: { type: 'string' },
      restart: { type: 'boolean' },
      config: { type: 'string' },
    });
    if (positionals.length === 0) throw new MailpulseError('MP_ERR_CLI_USAGE', ['name at least one FILE to import']);
    const config = loadConfig({ file: values.config });
    const logger = createLogger(config.logLevel);
    const tty = process.stderr.isTTY === true;
    let lastLine = 0;
    const result = await backfill(config, logger, {
      files: positionals,
      host: values.host ?? hostname(),
      direct: values.direct,
      restart: values.restart,
      onProgress(progress, file) {
        if (tty) {
          process.stderr.write(`\r${formatBar(progress)} ${file}`.padEnd(process.stderr.columns ?? 100));
        } else if (progress.now - lastLine >= 5000) {
          lastLine = progress.now;
          process.stderr.write(`${formatLine(progress, file)}\n`);
        }
      },
    });
    if (tty) process.stderr.write('\n');
    process.stdout.write(
      `imported ${result.lines} lines from ${result.files} file(s)` +
        `${result.skipped > 0 ? `, ${result.skipped} already imported before were skipped` : ''}` +
        `${values.direct ? ' into Elasticsearch' : ` to ${config.kafka.topicRaw}`}\n`,
    );
    return 0;
  },
};
export default command;
