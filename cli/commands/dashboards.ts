import { MailpulseError } from '../../core/errors.js';
import type { Command } from '../command.js';

// Placeholder until the dashboards role exists; `mailpulse dashboards` says so instead of pretending to work.
const command: Command = {
  summary: 'not implemented yet',
  usage: 'Usage: mailpulse dashboards (not implemented yet)',
  async run() {
    throw new MailpulseError('MP_ERR_CLI_USAGE', ['mailpulse dashboards is not implemented yet']);
  },
};
export default command;
