import { startApi } from '../../api/index.js';
import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { type Command, parseCommandArgs, untilSignal } from '../command.js';

const usage = `
Usage: mailpulse api [--host HOST] [--port PORT] [--config FILE]

Serves the HTTP query API over the indices of ES_INDEX_PREFIX:
  /api/v1/summary, delivery, rejections, deferrals, queue, domains, traffic, security,
  messages, messages/:id   (JSON; from/to, interval, host/domain/sender/recipient filters)
  /docs      the OpenAPI document (/docs/json) and a UI to try the endpoints
  /healthz /readyz /metrics   liveness, readiness (Elasticsearch + Kafka), Prometheus
  /          the built-in dashboard page
With API_TOKEN set, every /api route needs "Authorization: Bearer <API_TOKEN>".
Runs until SIGINT or SIGTERM.

Options:
  --host HOST     address to listen on (API_HOST, default 127.0.0.1)
  --port PORT     port (API_PORT, default 8080; 0 picks a free one)
  --config FILE   settings file (JSON or YAML), same keys as the environment
  -h, --help      this help

Example: curl -s 'http://127.0.0.1:8080/api/v1/delivery?from=now-24h&interval=1h' | jq .totals
`;

const command: Command = {
  summary: 'HTTP query API, /metrics and the built-in dashboard page',
  usage,
  async run(argv) {
    const { values } = parseCommandArgs(
      argv,
      { host: { type: 'string' }, port: { type: 'string' }, config: { type: 'string' } },
      false,
    );
    const config = loadConfig({
      file: values.config,
      overrides: { API_HOST: values.host, API_PORT: values.port },
    });
    const logger = createLogger(config.logLevel);
    const api = await startApi(config, logger);
    process.stderr.write(`mailpulse api: listening on ${api.url} (docs at ${api.url}/docs)\n`);
    await untilSignal();
    await api.stop();
    return 0;
  },
};
export default command;
