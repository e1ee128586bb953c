import { MailpulseError } from '../../core/errors.js';
import type { Command } from '../command.js';

// Placeholder until the alerts role exists; `mailpulse alerts` says so instead of pretending to work.
const command: Command = {
  summary: 'not implemented yet',
  usage: 'Usage: mailpulse alerts (not implemented yet)',
  async run() {
    throw new MailpulseError('MP_ERR_CLI_USAGE', ['mailpulse alerts is not implemented yet']);
  },
};
export default command;
