import { MailpulseError } from '../../core/errors.js';
import type { Command } from '../command.js';

// Placeholder until the run role exists; `mailpulse run` says so instead of pretending to work.
const command: Command = {
  summary: 'not implemented yet',
  usage: 'Usage: mailpulse run (not implemented yet)',
  async run() {
    throw new MailpulseError('MP_ERR_CLI_USAGE', ['mailpulse run is not implemented yet']);
  },
};
export default command;
