import { readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { loadConfig } from '../../core/config.js';
import { MailpulseError } from '../../core/errors.js';
import { repoPath } from '../../core/paths.js';
import {
  buildSavedObjects,
  describeFailure,
  importToKibana,
  KIBANA_TARGET,
  NDJSON_PATH,
  toNdjson,
  validateObjects,
} from '../../dashboards/index.js';
import { type Command, parseCommandArgs } from '../command.js';

const usage = `
Usage: mailpulse dashboards build [--prefix P] [--out FILE|-] [--config FILE]
       mailpulse dashboards import [--kibana URL] [--space ID] [--file FILE] [--prefix P] [--config FILE]

Kibana ${KIBANA_TARGET} dashboards (Mail delivery overview, Rejections and abuse, Queue) and
their data views over the <prefix>-events and <prefix>-messages aliases.

  build   write the saved objects as NDJSON (default ${NDJSON_PATH}; - for stdout),
          after checking every reference and column resolves
  import  post them to Kibana's saved-objects import API, overwriting earlier copies;
          prints each object Kibana refuses, with its reason, and exits 1 if any

Options:
  --prefix P     index prefix the data views point at (default ES_INDEX_PREFIX)
  --kibana URL   Kibana base URL (default KIBANA_URL); user:password@ in the URL is
                 sent as Basic auth, KIBANA_API_KEY as an API key
  --space ID     Kibana space (default: the default space)
  --file FILE    import this NDJSON instead of building it now
`;

function built(prefix: string): string {
  const objects = buildSavedObjects(prefix);
  const problems = validateObjects(objects);
  if (problems.length > 0) {
    throw new MailpulseError('MP_ERR_DASHBOARDS_INVALID', [
      problems.map((p) => `${p.object}: ${p.message}`).join('; '),
    ]);
  }
  return toNdjson(objects);
}

const command: Command = {
  summary: 'build or import the Kibana dashboards',
  usage,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      prefix: { type: 'string' },
      out: { type: 'string' },
      kibana: { type: 'string' },
      space: { type: 'string' },
      file: { type: 'string' },
      config: { type: 'string' },
    });
    const action = positionals[0];
    if (positionals.length > 1)
      throw new MailpulseError('MP_ERR_CLI_USAGE', [`unexpected argument "${positionals[1]}"`]);
    const config = loadConfig({
      file: values.config,
      overrides: { ES_INDEX_PREFIX: values.prefix, KIBANA_URL: values.kibana },
    });
    const prefix = config.elasticsearch.indexPrefix;
    switch (action) {
      case 'build': {
        const text = built(prefix);
        if (values.out === '-') {
          process.stdout.write(text);
          return 0;
        }
        const out =
          values.out === undefined
            ? repoPath(NDJSON_PATH)
            : isAbsolute(values.out)
              ? values.out
              : resolve(values.out);
        await writeFile(out, text);
        process.stdout.write(
          `${text.split('\n').length - 1} saved objects for prefix "${prefix}" written to ${out}\n`,
        );
        return 0;
      }
      case 'import': {
        const kibanaUrl = config.kibana.url;
        if (!kibanaUrl)
          throw new MailpulseError('MP_ERR_CLI_USAGE', ['--kibana URL is required (or set KIBANA_URL)']);
        let ndjson: string;
        if (values.file !== undefined) {
          try {
            ndjson = await readFile(values.file, 'utf8');
          } catch (err) {
            throw new MailpulseError('MP_ERR_INPUT_FILE', [
              values.file,
              (err as NodeJS.ErrnoException).code ?? String(err),
            ]);
          }
        } else {
          ndjson = built(prefix);
        }
        const result = await importToKibana({
          kibanaUrl,
          ndjson,
          space: values.space,
          apiKey: config.kibana.apiKey,
        });
        for (const failure of result.errors) process.stderr.write(`failed: ${describeFailure(failure)}\n`);
        process.stdout.write(
          `${result.successCount} saved objects imported${result.errors.length ? `, ${result.errors.length} failed` : ''}\n`,
        );
        if (!result.success || result.errors.length > 0) {
          throw new MailpulseError('MP_ERR_DASHBOARDS_IMPORT', [
            `${result.errors.length} object(s) failed, listed above`,
          ]);
        }
        return 0;
      }
      default:
        throw new MailpulseError('MP_ERR_CLI_USAGE', [
          `expected build or import${action ? `, got "${action}"` : ''}; see mailpulse dashboards --help`,
        ]);
    }
  },
};
export default command;
