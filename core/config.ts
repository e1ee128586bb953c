/**
 * All settings, one zod schema. Sources, later ones winning: the schema's defaults, the optional
 * config file (`MAILPULSE_CONFIG` or `--config`; JSON or YAML with the same keys as the
 * environment), then the environment. Parsed once at start and frozen; a bad value stops the
 * program with one line that names the setting and what is wrong.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { MailpulseError } from './errors.js';
import { defaultDataDir, repoPath } from './paths.js';

const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9._-]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:9092')
  .refine((s) => Number(s.split(':').at(-1)) <= 65535, 'port must be at most 65535');

const list = (item: z.ZodType<string, string>) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x.length > 0),
    )
    .pipe(z.array(item).min(1, 'expected at least one value (comma-separated)'));

const httpUrl = z
  .string()
  .refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), 'expected an http(s) URL');

const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((s) => s === 'true' || s === '1' || s === 'yes');

const topic = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'expected a Kafka topic name ([A-Za-z0-9._-])');

function hostZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'expected an IANA time zone such as Europe/Prague or UTC');

/** The settings as they are written: environment variable names, string values. */
export const SettingsSchema = z.object({
  /** Kafka bootstrap brokers, comma-separated host:port. */
  KAFKA_BROKERS: list(hostPort).default(['127.0.0.1:9092']),
  KAFKA_TOPIC_RAW: topic.default('mailpulse.raw'),
  KAFKA_TOPIC_DLQ: topic.default('mailpulse.dlq'),
  /** Partitions created for the raw topic when mailpulse creates it. */
  KAFKA_PARTITIONS: intIn(1, 1024).default(3),
  KAFKA_CLIENT_ID: z.string().min(1).default('mailpulse'),
  KAFKA_SSL: boolish.default(false),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  ES_URL: httpUrl.default('http://127.0.0.1:9200'),
  ES_API_KEY: z.string().optional(),
  ES_USERNAME: z.string().optional(),
  ES_PASSWORD: z.string().optional(),
  /** PEM file with the CA that signed Elasticsearch's certificate. */
  ES_CA_FILE: z.string().optional(),
  ES_INDEX_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected lowercase letters, digits, - and _ (an index name prefix)')
    .default('mailpulse'),
  /** Log files the shipper follows: comma-separated paths or globs. */
  MAIL_LOGS: list(z.string()).default(['/var/log/mail.log']),
  /** Where mailpulse keeps local state (checkpoints, import progress). */
  DATA_DIR: z.string().min(1).default(defaultDataDir()),
  CHECKPOINT_DIR: z.string().min(1).optional(),
  /** Host name the shipper puts on every line (Kafka key and `mp-host` header). */
  SHIP_HOST_NAME: z.string().min(1).optional(),
  /** Where the shipper starts in files it has never seen on its first run: `end` or `beginning`. */
  SHIP_START_AT: z.enum(['end', 'beginning']).default('end'),
  /** Longest line in bytes sent as one record; longer lines are split into pieces (`mp-piece`). */
  SHIP_MAX_LINE_BYTES: intIn(256, 512 * 1024).default(64 * 1024),
  /** Milliseconds a last line without newline waits for its newline before it is sent as it is. */
  SHIP_PARTIAL_FLUSH_MS: intIn(100, 3_600_000).default(5000),
  /** Milliseconds between looks at the files (fs.watch wakes the shipper earlier where it works). */
  SHIP_POLL_MS: intIn(10, 60_000).default(250),
  /** Milliseconds a rotated or deleted file must stay fully read and unchanged before it is closed. */
  SHIP_ROTATED_IDLE_MS: intIn(0, 3_600_000).default(5000),
  /** Bytes of lines read but not yet acknowledged by Kafka; reading pauses at this bound. */
  SHIP_MAX_INFLIGHT_BYTES: intIn(64 * 1024, 1024 * 1024 * 1024).default(2 * 1024 * 1024),
  /** Bytes per Kafka produce request (lines plus headers), below the broker's message.max.bytes. */
  SHIP_BATCH_BYTES: intIn(1024, 64 * 1024 * 1024).default(900 * 1024),
  /** Compression of produce requests. */
  SHIP_COMPRESSION: z.enum(['gzip', 'none']).default('gzip'),
  /** Milliseconds between checkpoint writes while acknowledgements arrive. */
  SHIP_CHECKPOINT_MS: intIn(10, 600_000).default(1000),
  /** Seconds between the shipper's statistics log lines when it runs alone (0: never). */
  SHIP_STATS_INTERVAL_S: intIn(0, 86_400).default(60),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: intIn(0, 65535).default(8080),
  /** When set, every /api route needs `Authorization: Bearer <token>`. */
  API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Base URL people use to reach the API/page; used for links in alerts. */
  PUBLIC_URL: httpUrl.optional(),
  ALERT_RULES: z.string().min(1).default(repoPath('alerts', 'rules.default.yaml')),
  SLACK_WEBHOOK_URL: httpUrl.optional(),
  WEBHOOK_URL: httpUrl.optional(),
  WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Days of daily indices kept; older ones are deleted. */
  RETENTION_DAYS: intIn(1, 3650).default(30),
  /** Consumer group of `mailpulse index`; instances with the same id share the partitions. */
  INDEXER_GROUP_ID: z.string().min(1).default('mailpulse-indexer'),
  /** Kafka session timeout of an indexer instance: how long a crashed one holds its partitions. */
  INDEXER_SESSION_TIMEOUT_MS: intIn(6000, 300_000).default(30_000),
  /** Bytes fetched per partition for one batch: the most one batch holds in memory. */
  INDEXER_FETCH_BYTES: intIn(64 * 1024, 256 * 1024 * 1024).default(512 * 1024),
  /** Partitions whose batches are handled at once by one instance (Node parses one while Elasticsearch writes another). */
  INDEXER_PARTITION_CONCURRENCY: intIn(1, 64).default(3),
  /** Documents per `_bulk` request (events, message updates and dead letters together). */
  INDEXER_BULK_DOCS: intIn(1, 100_000).default(2000),
  /** `_bulk` requests of one partition in flight at once (parsing overlaps the writes). */
  INDEXER_BULK_CONCURRENCY: intIn(1, 16).default(2),
  /**
   * Batches of one partition parsed and sent before the oldest is acknowledged: with 2, the next
   * batch is fetched and parsed while Elasticsearch writes the last one. Commits wait for every
   * earlier batch either way.
   */
  INDEXER_BATCHES_IN_FLIGHT: intIn(1, 8).default(2),
  /** Longest raw line, in bytes, indexed as an event; longer records go to the dead-letter index. */
  INDEXER_MAX_LINE_BYTES: intIn(1024, 64 * 1024 * 1024).default(512 * 1024),
  /** Longest pause, in milliseconds, between retries while Elasticsearch is down or overloaded. */
  INDEXER_RETRY_MAX_MS: intIn(100, 600_000).default(30_000),
  /** Kibana that `mailpulse dashboards import` writes to when `--kibana` is not given. */
  KIBANA_URL: httpUrl.optional(),
  /** Kibana API key (the base64 `id:key` form) for `mailpulse dashboards import`. */
  KIBANA_API_KEY: z.string().min(1).optional(),
  /** Zone for year-less, zone-less syslog timestamps. */
  TZ_DEFAULT: timeZone.default(hostZone()),
  /** `hash-local-part` replaces the part of each address before @ by a keyed hash before indexing. */
  PRIVACY: z.enum(['none', 'hash-local-part']).default('none'),
  /** Key of the keyed hash PRIVACY=hash-local-part uses; keep it secret and stable. */
  PRIVACY_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type Settings = z.output<typeof SettingsSchema>;
export const SETTING_NAMES = Object.keys(SettingsSchema.shape) as (keyof Settings)[];

/** Settings that must never reach a log line. */
export const SECRET_SETTINGS: ReadonlySet<string> = new Set([
  'KAFKA_SASL_PASSWORD',
  'ES_API_KEY',
  'ES_PASSWORD',
  'API_TOKEN',
  'WEBHOOK_SECRET',
  'PRIVACY_KEY',
  'KIBANA_API_KEY',
  'SLACK_WEBHOOK_URL',
]);

function toConfig(s: Settings) {
  return {
    kafka: {
      brokers: s.KAFKA_BROKERS,
      clientId: s.KAFKA_CLIENT_ID,
      topicRaw: s.KAFKA_TOPIC_RAW,
      topicDlq: s.KAFKA_TOPIC_DLQ,
      partitions: s.KAFKA_PARTITIONS,
      ssl: s.KAFKA_SSL,
      sasl:
        s.KAFKA_SASL_MECHANISM && s.KAFKA_SASL_USERNAME !== undefined
          ? {
              mechanism: s.KAFKA_SASL_MECHANISM,
              username: s.KAFKA_SASL_USERNAME,
              password: s.KAFKA_SASL_PASSWORD ?? '',
            }
          : undefined,
    },
    elasticsearch: {
      url: s.ES_URL,
      apiKey: s.ES_API_KEY,
      username: s.ES_USERNAME,
      password: s.ES_PASSWORD,
      caFile: s.ES_CA_FILE,
      indexPrefix: s.ES_INDEX_PREFIX,
      retentionDays: s.RETENTION_DAYS,
    },
    shipper: {
      paths: s.MAIL_LOGS,
      checkpointDir: s.CHECKPOINT_DIR ?? join(s.DATA_DIR, 'checkpoints'),
      hostName: s.SHIP_HOST_NAME ?? hostname(),
      startAt: s.SHIP_START_AT,
      maxLineBytes: s.SHIP_MAX_LINE_BYTES,
      partialFlushMs: s.SHIP_PARTIAL_FLUSH_MS,
      pollMs: s.SHIP_POLL_MS,
      rotatedIdleMs: s.SHIP_ROTATED_IDLE_MS,
      maxInflightBytes: s.SHIP_MAX_INFLIGHT_BYTES,
      batchBytes: s.SHIP_BATCH_BYTES,
      compression: s.SHIP_COMPRESSION,
      checkpointMs: s.SHIP_CHECKPOINT_MS,
      statsIntervalS: s.SHIP_STATS_INTERVAL_S,
    },
    api: {
      host: s.API_HOST,
      port: s.API_PORT,
      token: s.API_TOKEN,
      publicUrl: s.PUBLIC_URL ?? `http://${s.API_HOST}:${s.API_PORT}`,
    },
    alerts: {
      rulesPath: s.ALERT_RULES,
      slackWebhookUrl: s.SLACK_WEBHOOK_URL,
      webhookUrl: s.WEBHOOK_URL,
      webhookSecret: s.WEBHOOK_SECRET,
    },
    indexer: {
      groupId: s.INDEXER_GROUP_ID,
      sessionTimeoutMs: s.INDEXER_SESSION_TIMEOUT_MS,
      fetchBytes: s.INDEXER_FETCH_BYTES,
      partitionConcurrency: s.INDEXER_PARTITION_CONCURRENCY,
      bulkDocs: s.INDEXER_BULK_DOCS,
      bulkConcurrency: s.INDEXER_BULK_CONCURRENCY,
      batchesInFlight: s.INDEXER_BATCHES_IN_FLIGHT,
      maxLineBytes: s.INDEXER_MAX_LINE_BYTES,
      retryMaxMs: s.INDEXER_RETRY_MAX_MS,
    },
    kibana: { url: s.KIBANA_URL, apiKey: s.KIBANA_API_KEY },
    parser: { timeZone: s.TZ_DEFAULT },
    privacy: { mode: s.PRIVACY, key: s.PRIVACY_KEY },
    dataDir: s.DATA_DIR,
    logLevel: s.LOG_LEVEL,
  };
}
export type Config = Readonly<ReturnType<typeof toConfig>>;

function describeIssues(error: z.ZodError, raw: Record<string, unknown>): string {
  return error.issues
    .map((issue) => {
      const key = String(issue.path[0] ?? '?');
      const value = raw[key];
      const shown = value === undefined || SECRET_SETTINGS.has(key) ? '' : ` (got ${JSON.stringify(value)})`;
      return `${key}: ${issue.message}${shown}`;
    })
    .join('; ');
}

/**
 * The YAML parser, loaded only for a YAML config file: loading it took about 30 of the 250 ms
 * every command spends starting (`mailpulse report` on a one-line log), with no file to read.
 */
function parseYaml(text: string): unknown {
  const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yaml.parse(text);
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new MailpulseError('MP_ERR_CONFIG_FILE', [
      path,
      (err as NodeJS.ErrnoException).code ?? String(err),
    ]);
  }
  let data: unknown;
  try {
    data = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new MailpulseError('MP_ERR_CONFIG_FILE', [path, (err as Error).message.split('\n')[0]]);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new MailpulseError('MP_ERR_CONFIG_FILE', [path, 'expected a mapping of setting names to values']);
  }
  const unknown = Object.keys(data).filter((k) => !(SETTING_NAMES as string[]).includes(k));
  if (unknown.length > 0) {
    throw new MailpulseError('MP_ERR_CONFIG_FILE', [path, `unknown setting(s) ${unknown.join(', ')}`]);
  }
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]),
  );
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Path of a config file; overrides `MAILPULSE_CONFIG`. */
  file?: string;
  /** Values that win over everything (command-line flags). */
  overrides?: Partial<Record<keyof Settings, string>>;
}

export function loadSettings(options: LoadOptions = {}): Settings {
  const env = options.env ?? process.env;
  const file = options.file ?? env.MAILPULSE_CONFIG;
  const raw: Record<string, unknown> = file ? readConfigFile(file) : {};
  for (const name of SETTING_NAMES) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  for (const [k, v] of Object.entries(options.overrides ?? {})) if (v !== undefined) raw[k] = v;
  const parsed = SettingsSchema.safeParse(raw);
  if (!parsed.success) throw new MailpulseError('MP_ERR_CONFIG_INVALID', [describeIssues(parsed.error, raw)]);
  if (parsed.data.PRIVACY === 'hash-local-part' && parsed.data.PRIVACY_KEY === undefined) {
    throw new MailpulseError('MP_ERR_CONFIG_INVALID', [
      'PRIVACY_KEY: required when PRIVACY=hash-local-part (a secret of 16+ characters; keep it stable)',
    ]);
  }
  return parsed.data;
}

export function loadConfig(options: LoadOptions = {}): Config {
  return deepFreeze(toConfig(loadSettings(options)));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
