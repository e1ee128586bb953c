/**
 * `mailpulse run`: every role in one process, what `npm start` runs.
 *
 * Order matters for a clean start and stop: the indexer, API and alert engine come up before the
 * shipper produces anything, and on Ctrl-C the shipper stops first (flushing what it read and
 * committing its checkpoint), then
 * the alert engine, the API and the indexer, then whatever part of the local stack this run
 * started.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { register } from 'prom-client';
import { startAlerts } from '../../alerts/index.js';
import { startApi } from '../../api/index.js';
import { type Config, loadConfig } from '../../core/config.js';
import { createEsClient, esHealth } from '../../core/elasticsearch.js';
import { createKafka } from '../../core/kafka.js';
import { createLogger, type Logger } from '../../core/logger.js';
import { startDemoLog } from '../../fixtures/demo-log.js';
import { startIndexer } from '../../indexer/index.js';
import { compilePattern, scanFiles } from '../../shipper/discovery.js';
import { startShipper } from '../../shipper/index.js';
import { stackDown, stackUp } from '../../stack/index.js';
import { type Command, parseCommandArgs, untilSignal } from '../command.js';

const usage = `
Usage: mailpulse run [--config FILE] [--demo] [--no-stack] [--keep-stack]

Runs shipper, indexer, query API (with the dashboard page) and alert engine in one process.

  --demo        replay a generated demo log even when mail logs exist
  --no-stack    never start the local Kafka/Elasticsearch (fail when they do not answer)
  --keep-stack  leave the local stack running on exit

When nothing answers on KAFKA_BROKERS / ES_URL, the local stack is started (Java 17 + Maven).
When none of MAIL_LOGS exists (default /var/log/mail.log), a generated demo log is written in
real time under DATA_DIR/demo and shipped, so the page shows live data within a minute.
Ctrl-C stops everything cleanly.
`;

async function reachable(config: Config): Promise<boolean> {
  const es = createEsClient(config.elasticsearch);
  try {
    await Promise.all([createKafka(config.kafka).ping(3000), esHealth(es, 3000)]);
    return true;
  } catch {
    return false;
  } finally {
    await es.close();
  }
}

async function logsExist(config: Config): Promise<boolean> {
  const found = await scanFiles(config.shipper.paths.map(compilePattern));
  return found.length > 0 || config.shipper.paths.some((p) => existsSync(p));
}

async function stopAll(steps: [string, () => Promise<unknown> | unknown][], log: Logger): Promise<boolean> {
  let clean = true;
  for (const [name, stop] of steps) {
    try {
      await stop();
      log.info({ role: name }, 'Stopped.');
    } catch (err) {
      clean = false;
      log.error({ role: name, err: (err as Error).message }, 'Stop failed.');
    }
  }
  return clean;
}

const command: Command = {
  summary: 'all roles in one process (what `npm start` runs)',
  usage,
  async run(argv) {
    const { values } = parseCommandArgs(argv, {
      config: { type: 'string' },
      demo: { type: 'boolean' },
      'no-stack': { type: 'boolean' },
      'keep-stack': { type: 'boolean' },
    });
    let config = loadConfig({ file: values.config });
    const log = createLogger(config.logLevel);
    // Every step that has run is undone, in reverse, on exit or failure.
    const undo: [string, () => Promise<unknown> | unknown][] = [];
    const signal = untilSignal();
    try {
      if (!values['no-stack'] && !(await reachable(config))) {
        log.info({ kafka: config.kafka.brokers, es: config.elasticsearch.url }, 'Starting the local stack.');
        const started = await stackUp(config, (line) => log.info({}, line));
        if (!values['keep-stack'] && started.length > 0) undo.unshift(['stack', () => stackDown(config, started)]);
      }

      const demo = values.demo || !(await logsExist(config));
      if (demo) {
        const path = join(config.dataDir, 'demo', 'mail.log');
        config = loadConfig({
          file: values.config,
          overrides: { MAIL_LOGS: path, CHECKPOINT_DIR: join(config.dataDir, 'demo', 'checkpoints') },
        });
        const demoLog = startDemoLog({ path });
        undo.unshift(['demo log', () => demoLog.stop()]);
        log.info({ path, lines: demoLog.written() }, 'No mail log found: replaying a generated demo log in real time.');
      }

      const indexer = await startIndexer(config, log, { registry: register });
      undo.unshift(['indexer', () => indexer.stop()]);
      const api = await startApi(config, log, { registry: register });
      undo.unshift(['api', () => api.stop()]);
      const alerts = await startAlerts(config, log);
      undo.unshift(['alerts', () => alerts.stop()]);
      const shipper = await startShipper(config, log, { fromBeginning: demo, statsLog: true, registry: register });
      undo.unshift(['shipper', () => shipper.stop()]);

      process.stdout.write(
        `\nmailpulse is running: open ${api.url}/ (API ${api.url}/api/v1, docs ${api.url}/docs, metrics ${api.url}/metrics)\n` +
          `${demo ? 'Showing a generated demo log. ' : ''}Press Ctrl-C to stop.\n\n`,
      );
      const received = await signal;
      log.info({ signal: received }, 'Stopping.');
      return (await stopAll(undo, log)) ? 0 : 1;
    } catch (err) {
      await stopAll(undo, log);
      throw err;
    }
  },
};
export default command;
