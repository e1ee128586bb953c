/**
 * Shared by the indexer integration tests and bench/index.bench.ts: the fixture log with its
 * true counts, producing it to Kafka with shipper headers, reading the counts back from
 * Elasticsearch, and an indexer run as a child process (so it can be killed with SIGKILL).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { EsClient } from '../../core/elasticsearch.js';
import type { KafkaClient } from '../../core/kafka.js';
import { rawHeaders } from '../../core/raw-record.js';
import { generateLog } from '../../fixtures/generator.js';

export interface GeneratedRecord {
  host: string;
  line: string;
  /** Byte offset of the line in its host's file. */
  offset: number;
}

export interface Truth {
  lines: number;
  /** Messages: distinct (host, queue ID) plus the generator's reuses of a removed message's ID. */
  queueIds: number;
  /** `status=sent` lines. */
  delivered: number;
  /** `status=bounced` lines. */
  bounced: number;
  /** `status=deferred` lines. */
  deferrals: number;
  /** Messages with at least one deferral. */
  deferredMessages: number;
  /** Messages whose queue lifetime ran out. */
  expired: number;
}

/**
 * The realistic fixture log (`fixtures/generator.ts`: content-filter hops, forwards, rejects,
 * expiry, queue ID reuse, out-of-order lines) from yesterday on, with its own truth. The
 * message count is not one of the generator's figures: it is the distinct (host, queue ID)
 * pairs written, plus the generator's count of reused queue IDs.
 */
export function fixtureLog(
  targetLines: number,
  options: { seed?: number; hosts?: number } = {},
): {
  records: GeneratedRecord[];
  truth: Truth;
} {
  let text = '';
  const hosts = Array.from({ length: options.hosts ?? 3 }, (_, i) => `mx${i + 1}.fixture.test`);
  const start = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000).toISOString();
  const t = generateLog({ lines: targetLines, seed: options.seed ?? 11, hosts, start }, (chunk) => {
    text += chunk;
  });
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const offsets = new Map<string, number>();
  const queueIds = new Set<string>();
  const records = lines.map((line) => {
    const host = line.split(' ', 3)[1] ?? '';
    const offset = offsets.get(host) ?? 0;
    offsets.set(host, offset + Buffer.byteLength(line) + 1);
    const m = /^\S+ \S+ postfix[^:]*\[\d+\]: ([0-9A-F]{6,}):/.exec(line);
    if (m) queueIds.add(`${host}/${m[1]}`);
    return { host, line, offset };
  });
  return {
    records,
    truth: {
      lines: t.lines.total,
      queueIds: queueIds.size + t.queue_id_reuses,
      delivered: t.messages.delivered,
      bounced: t.messages.bounced,
      deferrals: t.messages.deferrals,
      deferredMessages: t.messages.deferred,
      expired: t.messages.expired,
    },
  };
}

export async function produceRecords(
  kafka: KafkaClient,
  topic: string,
  records: readonly GeneratedRecord[],
  options: { batch?: number; fileId?: string } = {},
): Promise<void> {
  const producer = await kafka.producer();
  const batch = options.batch ?? 5000;
  try {
    for (let i = 0; i < records.length; i += batch) {
      await producer.send(
        topic,
        records.slice(i, i + batch).map((r) => ({
          key: r.host,
          value: r.line,
          headers: rawHeaders({
            host: r.host,
            path: '/var/log/mail.log',
            fileId: options.fileId ?? `gen-${r.host}`,
            offset: r.offset,
          }),
        })),
      );
    }
  } finally {
    await producer.disconnect();
  }
}

export function uniqueName(stem: string): string {
  return `${stem}-${randomBytes(4).toString('hex')}`;
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs: number,
  everyMs = 500,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function count(es: EsClient, index: string, query?: object): Promise<number> {
  await es.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
  const res = await es.count({
    index,
    ignore_unavailable: true,
    allow_no_indices: true,
    ...(query ? { query } : {}),
  });
  return res.count;
}

export async function sum(es: EsClient, index: string, field: string): Promise<number> {
  const res = await es.search({ index, size: 0, aggs: { s: { sum: { field } } } });
  const agg = res.aggregations?.s as { value: number } | undefined;
  if (agg === undefined) throw new Error(`no sum of ${field} in ${index}`);
  return agg.value;
}

/** The figures the tests compare with `Truth`, read from Elasticsearch. */
export async function storedCounts(
  es: EsClient,
  prefix: string,
): Promise<Truth & { deferralsOnMessages: number }> {
  const events = `${prefix}-events`;
  const messages = `${prefix}-messages`;
  await es.indices.refresh({ index: `${prefix}-*` });
  return {
    lines: await count(es, events),
    queueIds: await count(es, messages),
    // Contract §3: a delivery to a content filter (`postfix.hop: internal`) or a local forward
    // (`forwarded as X`) is not a delivery.
    delivered: await count(es, events, {
      bool: {
        filter: [{ term: { 'postfix.status': 'sent' } }],
        must_not: [{ exists: { field: 'postfix.hop' } }, { prefix: { 'postfix.response': 'forwarded as ' } }],
      },
    }),
    bounced: await count(es, events, { term: { 'postfix.status': 'bounced' } }),
    deferrals: await count(es, events, { term: { 'postfix.status': 'deferred' } }),
    deferredMessages: await count(es, messages, { range: { deferrals: { gt: 0 } } }),
    expired: await count(es, messages, { term: { state: 'expired' } }),
    deferralsOnMessages: await sum(es, messages, 'deferrals'),
  };
}

export async function cleanup(
  es: EsClient,
  kafka: KafkaClient,
  prefix: string,
  topics: string[],
): Promise<void> {
  await es.indices
    .delete({ index: `${prefix}-*`, expand_wildcards: ['open', 'closed'] }, { ignore: [404] })
    .catch(() => {});
  for (const kind of ['events', 'messages', 'deadletter']) {
    await es.indices.deleteIndexTemplate({ name: `${prefix}-${kind}` }, { ignore: [404] }).catch(() => {});
  }
  await kafka.deleteTopics(topics).catch(() => {});
}

const cliEntry = fileURLToPath(new URL('../../cli/index.js', import.meta.url));

/** `mailpulse index` in a child process with these settings; its stderr is kept for failures. */
export function spawnIndexer(env: Record<string, string>): ChildProcess & { output: () => string } {
  const child = spawn(
    process.execPath,
    ['-e', `import(${JSON.stringify(cliEntry)}).then((m) => m.main(['index'])).then((c) => process.exit(c))`],
    { env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let text = '';
  child.stderr?.on('data', (d: Buffer) => {
    text = (text + d.toString()).slice(-20_000);
  });
  return Object.assign(child, { output: () => text });
}
