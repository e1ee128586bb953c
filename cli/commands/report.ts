import { MailpulseError } from '../../core/errors.js';
import type { Command } from '../command.js';

// Placeholder until the report role exists; `mailpulse report` says so instead of pretending to work.
const command: Command = {
  summary: 'not implemented yet',
  usage: 'Usage: mailpulse report (not implemented yet)',
  async run() {
    throw new MailpulseError('MP_ERR_CLI_USAGE', ['mailpulse report is not implemented yet']);
  },
};
export default command;
