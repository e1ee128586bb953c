import { MailpulseError } from '../../core/errors.js';
import type { Command } from '../command.js';

// Placeholder until the index role exists; `mailpulse index` says so instead of pretending to work.
const command: Command = {
  summary: 'not implemented yet',
  usage: 'Usage: mailpulse index (not implemented yet)',
  async run() {
    throw new MailpulseError('MP_ERR_CLI_USAGE', ['mailpulse index is not implemented yet']);
  },
};
export default command;
