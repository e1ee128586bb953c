/**
 * The `mailpulse` command line. Each subcommand lives in `commands/<name>.ts` and is loaded
 * only when used, so `mailpulse parse` does not pay for the Kafka or Elasticsearch clients.
 *
 * User errors (bad options, bad config, unreachable services) print one line and exit non-zero;
 * a stack trace is printed only for a bug, i.e. an error that is not a MailpulseError.
 */
import { describeError, isMailpulseError } from '../core/errors.js';
import type { Command } from './command.js';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ default: Command }> }> = {
  parse: { summary: 'print one JSON event per input line (NDJSON)', load: () => import('./commands/parse.js') },
  report: { summary: 'one-shot summary of mail logs, no servers needed', load: () => import('./commands/report.js') },
  ship: { summary: 'tail the configured mail logs into Kafka', load: () => import('./commands/ship.js') },
  index: { summary: 'consume raw lines, parse, correlate, write Elasticsearch', load: () => import('./commands/index.js') },
  api: { summary: 'HTTP query API, /metrics and the built-in dashboard page', load: () => import('./commands/api.js') },
  alerts: { summary: 'alert engine: rules, schedule, notifiers', load: () => import('./commands/alerts.js') },
  run: { summary: 'all roles in one process (what `npm start` runs)', load: () => import('./commands/run.js') },
  import: { summary: 'backfill historical logs through the pipeline', load: () => import('./commands/import.js') },
  dashboards: { summary: 'build or import the Kibana dashboards', load: () => import('./commands/dashboards.js') },
  stack: { summary: 'local Kafka + Elasticsearch for development (up|down|status)', load: () => import('./commands/stack.js') },
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: mailpulse <command> [options]',
    '',
    'Postfix mail-log analytics and alerting.',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `mailpulse <command> --help` for a command\'s options. Settings come from the',
    'environment or a config file (MAILPULSE_CONFIG); see the README for the list.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${mainHelp()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    const { createRequire } = await import('node:module');
    process.stdout.write(`${createRequire(import.meta.url)('../../package.json').version}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`mailpulse: unknown command "${name}". Run \`mailpulse --help\` for the list.\n`);
    return 2;
  }
  const command = (await entry.load()).default;
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage.trim()}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (isMailpulseError(err)) {
      process.stderr.write(`mailpulse ${name}: ${describeError(err)}\n`);
      return err.code === 'MP_ERR_CLI_USAGE' ? 2 : 1;
    }
    throw err;
  }
}
