/**
 * A single-node Kafka broker in KRaft combined mode (broker + controller in one JVM), started
 * from the Maven-resolved jars with `kafka.tools.StorageTool` (format once) and `kafka.Kafka`.
 * Topics are never auto-created: mailpulse creates the ones it uses, so a typo fails loudly.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MailpulseError } from '../core/errors.js';
import { createKafka } from '../core/kafka.js';
import { kafkaLibs } from './artifacts.js';
import { findJavaHome } from './java.js';
import {
  isOurs,
  killProcess,
  readPidFile,
  startDetached,
  stopProcess,
  tail,
  waitUntilReady,
} from './processes.js';

/**
 * A KRaft cluster id: 16 random bytes in base64url, as Kafka's own `Uuid.randomUuid()` makes
 * them, and like it never starting with `-`: `StorageTool format -t -abc...` reads such an id as
 * an option and fails (one start in 64 did).
 */
export function kafkaClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export interface ServerOptions {
  /** The client port (HTTP for Elasticsearch). */
  port: number;
  /** Folder for this server's config, data, logs and pid file. */
  dir: string;
  /** Milliseconds to wait for readiness. */
  readyTimeoutMs?: number;
}

export interface ServerHandle {
  /** `host:port` for Kafka, `http://host:port` for Elasticsearch. */
  readonly address: string;
  readonly logFile: string;
  /** Starts the server (again, on the same data) and waits until it answers. */
  start(): Promise<void>;
  /** Graceful stop; data is kept. */
  stop(): Promise<void>;
  /** SIGKILL, like a crash. */
  kill(): Promise<void>;
  /** Our process is alive. */
  running(): boolean;
  /** It answers a real request now. */
  ready(): Promise<boolean>;
}

function properties(port: number, dir: string): string {
  const controller = port + 1;
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controller}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${join(dir, 'data')}`,
    'num.partitions=1',
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'log.retention.hours=168',
    'log.segment.bytes=268435456',
    '',
  ].join('\n');
}

const LOG4J = [
  'log4j.rootLogger=INFO, file',
  'log4j.appender.file=org.apache.log4j.RollingFileAppender',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4j placeholder that Kafka expands.
  'log4j.appender.file.File=${kafka.logs.dir}/server.log',
  'log4j.appender.file.MaxFileSize=20MB',
  'log4j.appender.file.MaxBackupIndex=2',
  'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.org.apache.kafka.clients=WARN',
  '',
].join('\n');

export function kafkaServer(options: ServerOptions): ServerHandle {
  const { port, dir } = options;
  const address = `127.0.0.1:${port}`;
  const config = join(dir, 'server.properties');
  const logs = join(dir, 'logs');
  const logFile = join(logs, 'server.out');
  const pidFile = join(dir, 'kafka.pid');

  async function ready(): Promise<boolean> {
    try {
      await createKafka({ brokers: [address], clientId: 'mailpulse-stack' }).ping(3000);
      return true;
    } catch {
      return false;
    }
  }

  function format(java: string, libs: string): void {
    if (existsSync(join(dir, 'data', 'meta.properties'))) return;
    const clusterId = kafkaClusterId();
    const out = spawnSync(
      java,
      [
        '-cp',
        `${libs}/*`,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        config,
        '--ignore-formatted',
      ],
      { encoding: 'utf8', env: { ...process.env, KAFKA_LOG4J_OPTS: '' } },
    );
    if (out.status !== 0) {
      throw new MailpulseError('MP_ERR_STACK_START', [
        'Kafka storage format',
        `${out.stdout}${out.stderr}`.trim(),
      ]);
    }
  }

  return {
    address,
    logFile,
    running: () => isOurs(readPidFile(pidFile)),
    ready,
    async start() {
      if (isOurs(readPidFile(pidFile)) && (await ready())) return;
      mkdirSync(logs, { recursive: true });
      mkdirSync(join(dir, 'data'), { recursive: true });
      writeFileSync(config, properties(port, dir));
      writeFileSync(join(dir, 'log4j.properties'), LOG4J);
      const java = join(findJavaHome().home, 'bin', 'java');
      const libs = kafkaLibs();
      format(java, libs);
      startDetached({
        command: java,
        args: [
          '-Xms512m',
          '-Xmx512m',
          '-XX:+UseG1GC',
          '-XX:MaxGCPauseMillis=20',
          '-Djava.awt.headless=true',
          `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`,
          `-Dkafka.logs.dir=${logs}`,
          '-cp',
          `${libs}/*`,
          'kafka.Kafka',
          config,
        ],
        env: process.env,
        cwd: dir,
        logFile,
        pidFile,
        marker: config,
      });
      await waitUntilReady({
        what: `Kafka on ${address}`,
        ready,
        pidFile,
        timeoutMs: options.readyTimeoutMs ?? 120_000,
        everyMs: 500,
        logTail: () =>
          `last lines of ${join(logs, 'server.log')}:\n${tail(join(logs, 'server.log'))}\n${tail(logFile, 10)}`,
      });
    },
    async stop() {
      await stopProcess(pidFile);
    },
    kill: () => killProcess(pidFile),
  };
}
