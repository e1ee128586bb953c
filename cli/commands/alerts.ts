import { startAlerts } from '../../alerts/index.js';
import { loadRulesFile } from '../../alerts/rules.js';
import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { type Command, parseCommandArgs, untilSignal } from '../command.js';

const usage = `
Usage: mailpulse alerts [--rules FILE] [--check] [--config FILE]

Evaluates the alert rules (ALERT_RULES, default the shipped alerts/rules.default.yaml) against
Elasticsearch and notifies Slack (SLACK_WEBHOOK_URL) and a webhook (WEBHOOK_URL, Alertmanager
JSON version 4, signed with WEBHOOK_SECRET). State, history, silences and failed notifications
are kept in the ES_INDEX_PREFIX-alerts index, so a restart neither re-pages nor forgets.

The rules file is reloaded when it changes and on SIGHUP; a file with a mistake is refused
(the previous rules stay) and the log names the rule and the field. Runs until SIGINT or SIGTERM.

Options:
  --rules FILE   rules file (overrides ALERT_RULES)
  --check        validate the rules file, print the rules, and exit (no servers needed)
  --config FILE  settings file (JSON or YAML with the environment's keys)
`;

const command: Command = {
  summary: 'alert engine: rules, schedule, notifiers',
  usage,
  async run(argv) {
    const { values } = parseCommandArgs(
      argv,
      { rules: { type: 'string' }, check: { type: 'boolean' }, config: { type: 'string' } },
      false,
    );
    const config = loadConfig({ file: values.config, overrides: { ALERT_RULES: values.rules } });
    if (values.check) {
      const set = loadRulesFile(config.alerts.rulesPath);
      for (const r of set.rules)
        process.stdout.write(`${r.name}\t${r.kind}\t${r.severity}\tevery ${r.every / 1000}s\n`);
      process.stdout.write(
        `${config.alerts.rulesPath}: ${set.rules.length} rule(s), ${set.silences.length} silence(s), valid\n`,
      );
      return 0;
    }
    const logger = createLogger(config.logLevel);
    const alerts = await startAlerts(config, logger);
    await untilSignal();
    await alerts.stop();
    return 0;
  },
};
export default command;
