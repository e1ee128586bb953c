/**
 * The API role as a process part: builds the app from the configuration, listens, and stops
 * cleanly (in-flight requests finish, new ones get 503, the clients close).
 */
import type { Registry } from 'prom-client';
import type { Config } from '../core/config.js';
import { createEsClient, esHealth } from '../core/elasticsearch.js';
import { MailpulseError } from '../core/errors.js';
import { createKafka } from '../core/kafka.js';
import type { Logger } from '../core/logger.js';
import { buildApp } from './app.js';

export interface RunningApi {
  /** Base URL the API listens on, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The process's shared Prometheus registry (`mailpulse run`); a fresh one when absent. */
  registry?: Registry;
}

export async function startApi(
  config: Config,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningApi> {
  // Queries of a 24 h range answer in well under a second; a minute means Elasticsearch is stuck.
  const es = createEsClient(config.elasticsearch, { requestTimeoutMs: 60_000 });
  const kafka = createKafka(config.kafka, logger);
  const app = await buildApp({
    es,
    prefix: config.elasticsearch.indexPrefix,
    token: config.api.token,
    logger,
    registry: options.registry,
    readiness: {
      elasticsearch: () => esHealth(es, 2500),
      kafka: () => kafka.ping(2500),
    },
  });
  let address: string;
  try {
    address = await app.listen({ host: config.api.host, port: config.api.port });
  } catch (err) {
    await es.close();
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new MailpulseError('MP_ERR_API_LISTEN', [`${config.api.host}:${config.api.port}`, reason], {
      cause: err,
    });
  }
  const url = address.replace('://[::1]', '://localhost');
  logger.info(
    { url, auth: config.api.token !== undefined, prefix: config.elasticsearch.indexPrefix },
    'API listening.',
  );
  let stopped: Promise<void> | undefined;
  return {
    url,
    stop() {
      stopped ??= (async () => {
        await app.close();
        await es.close();
        logger.info({ url }, 'API stopped.');
      })();
      return stopped;
    },
  };
}
