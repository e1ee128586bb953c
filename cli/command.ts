import { type ParseArgsConfig, parseArgs } from 'node:util';
import { MailpulseError } from '../core/errors.js';

/** A subcommand: its help text and what it does. Exit code 0 on success. */
export interface Command {
  readonly summary: string;
  readonly usage: string;
  run(argv: string[]): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `util.parseArgs` with errors a person can act on: an unknown option becomes a usage error
 * that names it, instead of a stack trace.
 */
export function parseCommandArgs<O extends Options>(argv: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new MailpulseError('MP_ERR_CLI_USAGE', [(err as Error).message]);
  }
}

export function wantsHelp(argv: string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** Resolves with the first SIGINT or SIGTERM: how a long-running role learns it should stop. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
