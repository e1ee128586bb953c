import { loadSettings } from '../../core/config.js';
import { MailpulseError } from '../../core/errors.js';
import { readLogFiles } from '../../core/log-files.js';
import { type Command, parseCommandArgs } from '../command.js';

const usage = `Usage: mailpulse parse [--year N] [--tz ZONE] [FILE...]

Prints one JSON event per input line (NDJSON; fields in contract section 2). Reads stdin when
no FILE is given; plain and .gz files; a rotated set is read oldest first. Every line gives
exactly one event: lines of other programs are "other", Postfix lines not understood are
"unparsed" with event.reason, and their count is printed on stderr at the end.

Options:
  --year N      year of the first line for timestamps without one (later lines still roll
                over from December to January); default: inferred so no event is in the future
  --tz ZONE     IANA zone of timestamps without an offset (default: TZ_DEFAULT, else the
                host's zone)
  -h, --help    this help

Example: xz -dc mail.log.xz | mailpulse parse | jq -r .event.action | sort | uniq -c`;

function parseYear(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const year = Number(value);
  if (!/^\d{4}$/.test(value) || year < 1970) {
    throw new MailpulseError('MP_ERR_CLI_USAGE', [`--year expects a year such as 2023, got "${value}"`]);
  }
  return year;
}

/** Resolves when stdout can take more, or reports that the reader went away (`| head`). */
function drained(): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      process.stdout.off('drain', onDrain);
      process.stdout.off('error', onError);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onError = () => done(false);
    process.stdout.once('drain', onDrain);
    process.stdout.once('error', onError);
  });
}

const command: Command = {
  summary: 'print one JSON event per input line (NDJSON)',
  usage,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      year: { type: 'string' },
      tz: { type: 'string' },
    });
    const year = parseYear(values.year);
    const settings = loadSettings({ overrides: { TZ_DEFAULT: values.tz } });
    const { createParseContext, parseLine } = await import('../../parser/index.js');
    const ctx = createParseContext({ year, timeZone: settings.TZ_DEFAULT });
    let closed = false;
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') closed = true;
    };
    process.stdout.on('error', onError);
    let total = 0;
    let unparsed = 0;
    try {
      for await (const batch of readLogFiles(positionals)) {
        let out = '';
        for (const line of batch) {
          const event = parseLine(line, ctx);
          if (event.event.action === 'unparsed') unparsed++;
          out += `${JSON.stringify(event)}\n`;
        }
        total += batch.length;
        if (closed) break;
        if (!process.stdout.write(out) && !(await drained())) break;
      }
    } finally {
      process.stdout.off('error', onError);
    }
    if (unparsed > 0)
      process.stderr.write(
        `mailpulse parse: ${unparsed} of ${total} lines not understood (event.action "unparsed")\n`,
      );
    return 0;
  },
};
export default command;
