/**
 * The local development stack: one Kafka broker and one Elasticsearch node on loopback, fetched
 * from Maven Central and run without Docker.
 *
 * - `up` is idempotent: a server that already answers on its address is left alone (ours or
 *   not); only what `up` started is recorded, and `down` stops exactly that (pid files hold a
 *   marker that must be on the process's command line).
 * - Data, logs and pid files live under one ignored folder (`.stack/`, or MAILPULSE_STACK_DIR).
 * - The addresses come from KAFKA_BROKERS and ES_URL, so the stack serves the same settings
 *   the product uses; pointing them at an existing cluster makes the stack unnecessary.
 * - Tests that must stop a server start a private one (`startKafkaServer`, `startElasticsearchServer`)
 *   on other ports, so the shared stack is never disturbed.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../core/config.js';
import { MailpulseError } from '../core/errors.js';
import { repoPath, repoRoot } from '../core/paths.js';
import { elasticsearchServer } from './elasticsearch-server.js';
import { canReach, elasticsearchUser } from './es-user.js';
import { type ServerHandle, type ServerOptions, kafkaServer } from './kafka-server.js';

export type { ServerHandle, ServerOptions } from './kafka-server.js';
export { ELASTICSEARCH_VERSION, KAFKA_VERSION } from './artifacts.js';

export function stackDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.MAILPULSE_STACK_DIR ?? repoPath('.stack');
}

/**
 * Elasticsearch's folder must be reachable by the user it runs as; a checkout inside a private
 * home folder is not, and then the folder moves to /var/tmp (named after the checkout).
 */
function elasticsearchDir(base: string): string {
  const preferred = join(base, 'elasticsearch');
  const user = elasticsearchUser();
  mkdirSync(preferred, { recursive: true });
  if (!user || canReach(user, base)) return preferred;
  const id = createHash('sha1').update(repoRoot).digest('hex').slice(0, 8);
  return join('/var/tmp', `mailpulse-stack-${id}`, 'elasticsearch');
}

export function startKafkaServer(options: ServerOptions): Promise<ServerHandle> {
  const server = kafkaServer(options);
  return server.start().then(() => server);
}

export function startElasticsearchServer(options: ServerOptions & { heap?: string }): Promise<ServerHandle> {
  const server = elasticsearchServer({ ...options, dir: options.dir });
  return server.start().then(() => server);
}

function localPort(address: string, fallback: number): number | undefined {
  const m = /^(?:https?:\/\/)?(127\.0\.0\.1|localhost|\[::1\]):(\d+)\/?$/.exec(address);
  if (!m) return address === '' ? fallback : undefined;
  return Number(m[2]);
}

export interface StackServices {
  kafka: ServerHandle | undefined;
  elasticsearch: ServerHandle | undefined;
}

/** The servers the stack manages for this config; undefined where the config points elsewhere. */
export function stackServices(config: Config, env: NodeJS.ProcessEnv = process.env): StackServices {
  const base = stackDir(env);
  const kafkaPort = localPort(config.kafka.brokers[0] ?? '', 9092);
  const esPort = localPort(config.elasticsearch.url, 9200);
  return {
    kafka: kafkaPort === undefined ? undefined : kafkaServer({ port: kafkaPort, dir: join(base, 'kafka') }),
    elasticsearch:
      esPort === undefined ? undefined : elasticsearchServer({ port: esPort, dir: elasticsearchDir(base) }),
  };
}

export interface ServiceStatus {
  name: 'kafka' | 'elasticsearch';
  address: string;
  managed: boolean;
  running: boolean;
  ready: boolean;
}

export async function stackStatus(config: Config): Promise<ServiceStatus[]> {
  const services = stackServices(config);
  const out: ServiceStatus[] = [];
  for (const name of ['kafka', 'elasticsearch'] as const) {
    const server = services[name];
    const address = name === 'kafka' ? config.kafka.brokers.join(',') : config.elasticsearch.url;
    out.push({
      name,
      address,
      managed: server !== undefined,
      running: server?.running() ?? false,
      ready: server ? await server.ready() : false,
    });
  }
  return out;
}

/**
 * Starts what does not answer yet. Returns the names it started (so a caller such as the test
 * runner stops exactly those afterwards).
 */
export async function stackUp(config: Config, log: (line: string) => void = () => {}): Promise<string[]> {
  const services = stackServices(config);
  const started: string[] = [];
  const work = (['kafka', 'elasticsearch'] as const).map(async (name) => {
    const server = services[name];
    if (!server) {
      log(`${name}: configured address is not local; not managed by the stack`);
      return;
    }
    if (await server.ready()) {
      log(`${name}: already answering at ${server.address}`);
      return;
    }
    const t0 = Date.now();
    log(`${name}: starting at ${server.address}`);
    await server.start();
    started.push(name);
    log(`${name}: ready at ${server.address} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });
  const results = await Promise.allSettled(work);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    throw failed.reason instanceof MailpulseError ? failed.reason : new Error(String(failed.reason));
  }
  return started;
}

export async function stackDown(
  config: Config,
  only?: readonly string[],
  log: (line: string) => void = () => {},
): Promise<void> {
  const services = stackServices(config);
  await Promise.all(
    (['kafka', 'elasticsearch'] as const).map(async (name) => {
      const server = services[name];
      if (!server || (only && !only.includes(name))) return;
      if (!server.running()) {
        log(`${name}: not running (nothing started by mailpulse)`);
        return;
      }
      await server.stop();
      log(`${name}: stopped`);
    }),
  );
}
