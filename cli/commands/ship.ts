import { MailpulseError } from '../../core/errors.js';
import type { Command } from '../command.js';

// Placeholder until the ship role exists; `mailpulse ship` says so instead of pretending to work.
const command: Command = {
  summary: 'not implemented yet',
  usage: 'Usage: mailpulse ship (not implemented yet)',
  async run() {
    throw new MailpulseError('MP_ERR_CLI_USAGE', ['mailpulse ship is not implemented yet']);
  },
};
export default command;
