import { loadConfig } from '../../core/config.js';
import { MailpulseError } from '../../core/errors.js';
import { type Command, parseCommandArgs } from '../command.js';

const usage = `Usage: mailpulse report [--json] [--year N] [--tz ZONE] [FILE...]

One-shot summary of Postfix mail logs, no servers needed. Reads stdin when no FILE is given;
plain and .gz files; a rotated set is read oldest first whatever order the shell gives
(mail.log.3.gz mail.log.2.gz mail.log.1 mail.log). xz files: xz -dc FILE | mailpulse report.

Options:
  --json        print the report as JSON (the shape of contract section 3)
  --year N      year of the first line for timestamps without one (default: inferred)
  --tz ZONE     zone of timestamps without one, and of days/hours in the text report
                (default: TZ_DEFAULT, else the host's zone)
  --top N       rows per table in the text report (default 10)
  -h, --help    this help

Counting: delivered counts recipients, not content-filter hops or local forwards; deferrals
are attempts, deferred distinct messages; rejected counts smtpd, postscreen and cleanup rejects.`;

const command: Command = {
  summary: 'one-shot summary of mail logs, no servers needed',
  usage,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      json: { type: 'boolean', default: false },
      year: { type: 'string' },
      tz: { type: 'string' },
      top: { type: 'string' },
    });
    const year = values.year === undefined ? undefined : Number(values.year);
    if (year !== undefined && !Number.isInteger(year))
      throw new MailpulseError('MP_ERR_CLI_USAGE', [`--year expects a year, got "${values.year}"`]);
    const top = values.top === undefined ? 10 : Number(values.top);
    if (!Number.isInteger(top) || top < 1)
      throw new MailpulseError('MP_ERR_CLI_USAGE', [`--top expects a positive integer, got "${values.top}"`]);
    const timeZone = loadConfig({ overrides: { TZ_DEFAULT: values.tz } }).parser.timeZone;
    const { reportOfFiles, renderText } = await import('../../report/index.js');
    const report = await reportOfFiles(positionals, { year, timeZone });
    const text = values.json
      ? `${JSON.stringify(report, null, 2)}\n`
      : renderText(report, { timeZone, rows: top });
    await new Promise<void>((resolve, reject) =>
      process.stdout.write(text, (err) => (err ? reject(err) : resolve())),
    );
    return 0;
  },
};
export default command;
