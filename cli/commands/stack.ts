import { loadConfig } from '../../core/config.js';
import { MailpulseError } from '../../core/errors.js';
import { stackDown, stackStatus, stackUp } from '../../stack/index.js';
import { type Command, parseCommandArgs } from '../command.js';

const usage = `
Usage: mailpulse stack <up|down|status> [--config FILE]

Runs a local Kafka broker and Elasticsearch node for development and tests, without Docker.
Binaries come from Maven Central (Java 17+ and Maven needed) and are cached; data and logs
live in .stack/ (or MAILPULSE_STACK_DIR). Addresses follow KAFKA_BROKERS and ES_URL; when
those point at another machine, that service is left alone.

  up      start what does not answer yet, wait until Kafka answers metadata and
          Elasticsearch is yellow/green (idempotent)
  down    stop what the stack started (data is kept)
  status  show each service: managed, running, answering
`;

const command: Command = {
  summary: 'local Kafka + Elasticsearch for development (up|down|status)',
  usage,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, { config: { type: 'string' } });
    const action = positionals[0];
    const config = loadConfig({ file: values.config });
    const log = (line: string) => process.stdout.write(`${line}\n`);
    switch (action) {
      case 'up': {
        const t0 = Date.now();
        await stackUp(config, log);
        log(`stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        return 0;
      }
      case 'down':
        await stackDown(config, undefined, log);
        return 0;
      case 'status': {
        const statuses = await stackStatus(config);
        for (const s of statuses) {
          const state = s.ready ? 'answering' : s.running ? 'running, not answering' : 'not running';
          log(`${s.name.padEnd(13)} ${s.address.padEnd(24)} ${state}${s.managed ? '' : ' (external)'}`);
        }
        return statuses.every((s) => s.ready) ? 0 : 1;
      }
      default:
        throw new MailpulseError('MP_ERR_CLI_USAGE', [
          `expected up, down or status${action ? `, got "${action}"` : ''}; see mailpulse stack --help`,
        ]);
    }
  },
};
export default command;
