/**
 * Shared by the indexer integration tests and bench/index.bench.ts: a generated mail log whose
 * true counts are computed here while writing it (not by the parser), producing it to Kafka
 * with shipper headers, reading the counts back from Elasticsearch, and an indexer run as a
 * child process (so it can be killed with SIGKILL).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { EsClient } from '../../core/elasticsearch.js';
import type { KafkaClient } from '../../core/kafka.js';
import { rawHeaders } from '../../core/raw-record.js';

export interface GeneratedRecord {
  host: string;
  line: string;
  /** Byte offset of the line in its host's file. */
  offset: number;
}

export interface Truth {
  lines: number;
  queueIds: number;
  /** `status=sent` lines. */
  delivered: number;
  /** `status=bounced` lines. */
  bounced: number;
  /** `status=deferred` lines. */
  deferrals: number;
  /** Messages with at least one deferral. */
  deferredMessages: number;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function iso(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}456+00:00`;
}

/**
 * About 7.5 lines per message over `hosts` hosts, starting yesterday 23:00 UTC so the events
 * cross a day boundary. 1-3 recipients each: sent, bounced, or deferred then sent; 4% of
 * messages keep a deferred recipient and are never removed (still queued at the end).
 */
export function generateMailLog(targetLines: number, options: { hosts?: number; seed?: number; start?: number } = {}): {
  records: GeneratedRecord[];
  truth: Truth;
} {
  const hosts = Array.from({ length: options.hosts ?? 6 }, (_, i) => `mx${i + 1}.gen.test`);
  const random = rng(options.seed ?? 42);
  const start = options.start ?? Math.floor(Date.now() / 86_400_000) * 86_400_000 - 3_600_000;
  const offsets = new Map<string, number>();
  const records: GeneratedRecord[] = [];
  const truth: Truth = { lines: 0, queueIds: 0, delivered: 0, bounced: 0, deferrals: 0, deferredMessages: 0 };
  let t = start;
  for (let i = 0; records.length < targetLines; i++) {
    const host = hosts[i % hosts.length] as string;
    const qid = (0x10000000 + i).toString(16).toUpperCase().padStart(11, 'A');
    const ip = `192.0.2.${(i % 250) + 1}`;
    const pid = 1000 + (i % 5000);
    const emit = (program: string, text: string) => {
      t += 1 + Math.floor(random() * 40);
      const line = `${iso(t)} ${host} postfix/${program}[${pid}]: ${text}`;
      const offset = offsets.get(host) ?? 0;
      offsets.set(host, offset + Buffer.byteLength(line) + 1);
      records.push({ host, line, offset });
    };
    const rcpts = 1 + Math.floor(random() * 3);
    emit('smtpd', `connect from client${i % 97}.example.net[${ip}]`);
    emit('smtpd', `${qid}: client=client${i % 97}.example.net[${ip}]`);
    emit('cleanup', `${qid}: message-id=<${i}.${qid}@gen.test>`);
    emit('qmgr', `${qid}: from=<sender${i % 53}@example.org>, size=${1000 + i}, nrcpt=${rcpts} (queue active)`);
    const stuck = random() < 0.04;
    let deferred = false;
    for (let r = 0; r < rcpts; r++) {
      const to = `user${r}.${i}@dest${i % 31}.example`;
      const relay = `mx.dest${i % 31}.example[198.51.100.${(i % 200) + 1}]:25`;
      const roll = random();
      const deferral = () => {
        emit('smtp', `${qid}: to=<${to}>, relay=${relay}, delay=2.1, delays=0.1/0/2/0, dsn=4.4.1, status=deferred (connect to ${relay.replace(/:25$/, '')}: Connection timed out)`);
        truth.deferrals += 1;
        deferred = true;
      };
      if (stuck && r === 0) {
        deferral();
        continue;
      }
      if (roll < 0.12) {
        emit('smtp', `${qid}: to=<${to}>, relay=${relay}, delay=0.8, delays=0.1/0/0.3/0.4, dsn=5.1.1, status=bounced (host ${relay.replace(/:25$/, '')} said: 550 5.1.1 <${to}>: Recipient address rejected: User unknown (in reply to RCPT TO command))`);
        truth.bounced += 1;
        continue;
      }
      if (roll < 0.3) deferral();
      emit('smtp', `${qid}: to=<${to}>, relay=${relay}, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok)`);
      truth.delivered += 1;
    }
    if (!stuck) emit('qmgr', `${qid}: removed`);
    emit('smtpd', `disconnect from client${i % 97}.example.net[${ip}] ehlo=1 mail=1 rcpt=${rcpts} data=1 quit=1 commands=${4 + rcpts}`);
    truth.queueIds += 1;
    if (deferred) truth.deferredMessages += 1;
  }
  truth.lines = records.length;
  return { records, truth };
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
          headers: rawHeaders({ host: r.host, path: '/var/log/mail.log', fileId: options.fileId ?? `gen-${r.host}`, offset: r.offset }),
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

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 500): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function count(es: EsClient, index: string, query?: object): Promise<number> {
  await es.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
  const res = await es.count({ index, ignore_unavailable: true, allow_no_indices: true, ...(query ? { query } : {}) });
  return res.count;
}

export async function sum(es: EsClient, index: string, field: string): Promise<number> {
  const res = await es.search({ index, size: 0, aggs: { s: { sum: { field } } } });
  return (res.aggregations?.s as { value: number }).value;
}

/** The figures the tests compare with `Truth`, read from Elasticsearch. */
export async function storedCounts(es: EsClient, prefix: string): Promise<Truth & { deferralsOnMessages: number }> {
  const events = `${prefix}-events`;
  const messages = `${prefix}-messages`;
  await es.indices.refresh({ index: `${prefix}-*` });
  return {
    lines: await count(es, events),
    queueIds: await count(es, messages),
    delivered: await count(es, events, { term: { 'postfix.status': 'sent' } }),
    bounced: await count(es, events, { term: { 'postfix.status': 'bounced' } }),
    deferrals: await count(es, events, { term: { 'postfix.status': 'deferred' } }),
    deferredMessages: await count(es, messages, { range: { deferrals: { gt: 0 } } }),
    deferralsOnMessages: await sum(es, messages, 'deferrals'),
  };
}

export async function cleanup(es: EsClient, kafka: KafkaClient, prefix: string, topics: string[]): Promise<void> {
  await es.indices.delete({ index: `${prefix}-*`, expand_wildcards: ['open', 'closed'] }, { ignore: [404] }).catch(() => {});
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
