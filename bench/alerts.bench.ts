/**
 * Alert latency: the time from a matching line written to a mail log to the signed webhook
 * received, through the whole product in one process, as `mailpulse run` hosts it: the shipper
 * tails a log file into a private Kafka topic, the indexer writes a private index prefix, the
 * alert engine runs on its real cron schedule with a threshold rule evaluated every 30 s, and a
 * local receiver on 127.0.0.1 takes the webhook.
 *
 * Each trial appends one `reject` line from a new host; the rule (rejected ≥ 1 per host, for 0)
 * fires for that host at the first evaluation step that sees it. Lines are written at random
 * moments (gaps of 5–20 s), so they fall at random phases of the 30 s step; the latency bound is
 * one step + query delay + pipeline time. `--via es` skips shipper and Kafka (lines go through
 * the parser and the indexer's batch code straight into Elasticsearch).
 *
 *   node dist/bench/alerts.bench.js [--trials 20] [--every 30s] [--query-delay 3s] [--via pipeline|es]
 *
 * Results: bench/results/alerts.json.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startAlerts } from '../alerts/index.js';
import { verify } from '../alerts/notifiers/signature.js';
import { loadConfig } from '../core/config.js';
import { createEsClient } from '../core/elasticsearch.js';
import { createKafka } from '../core/kafka.js';
import { createLogger } from '../core/logger.js';
import { repoPath } from '../core/paths.js';
import { deleteTemplates, indexLines, startIndexer } from '../indexer/index.js';
import { startShipper } from '../shipper/index.js';
import { startReceiver } from '../test/integration/alerts-support.js';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '20' },
    every: { type: 'string', default: '30s' },
    'query-delay': { type: 'string', default: '3s' },
    via: { type: 'string', default: 'pipeline' },
  },
});
const trials = Number(values.trials);
const via = values.via === 'es' ? 'es' : 'pipeline';
const everyMs = Number.parseInt(values.every, 10) * 1000;
const delayMs = Number.parseInt(values['query-delay'], 10) * 1000;

const id = randomUUID().slice(0, 8);
const prefix = `mpb-alerts-${id}`;
const topic = `mp-bench-alerts-${id}`;
const dir = mkdtempSync(join(tmpdir(), 'mp-alerts-bench-'));
const logFile = join(dir, 'mail.log');
writeFileSync(logFile, '');
const rulesPath = join(dir, 'rules.yaml');
writeFileSync(
  rulesPath,
  `rules:
  - name: bench-rejects
    kind: threshold
    metric: rejected
    group_by: host
    op: ">="
    value: 1
    window: 5m
    every: ${values.every}
    query_delay: ${values['query-delay']}
    notify: [webhook]
`,
);

const SECRET = 'bench-secret-0123456789abcdef';
const receiver = await startReceiver();
const env = {
  ...process.env,
  ES_INDEX_PREFIX: prefix,
  KAFKA_TOPIC_RAW: topic,
  KAFKA_TOPIC_DLQ: `${topic}.dlq`,
  KAFKA_PARTITIONS: '1',
  INDEXER_GROUP_ID: `mp-bench-alerts-${id}`,
  MAIL_LOGS: logFile,
  CHECKPOINT_DIR: join(dir, 'checkpoints'),
  SHIP_START_AT: 'beginning',
  SHIP_STATS_INTERVAL_S: '0',
  ALERT_RULES: rulesPath,
  WEBHOOK_URL: receiver.url,
  WEBHOOK_SECRET: SECRET,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
};
const config = loadConfig({ env });
const logger = createLogger(config.logLevel, 'alerts-bench');
const es = createEsClient(config.elasticsearch);

const stops: Array<() => Promise<unknown>> = [];
if (via === 'pipeline') {
  const indexer = await startIndexer(config, logger, { retention: false });
  stops.push(() => indexer.stop());
  const shipper = await startShipper(config, logger);
  stops.push(() => shipper.stop());
}
const alerts = await startAlerts(config, logger, { sighup: false });
stops.push(() => alerts.stop());

/** host → when its line was appended (ms). */
const written = new Map<string, number>();
const latencies = new Map<string, number>();
let badSignatures = 0;
const seen = new Set<number>();
const watcher = setInterval(() => {
  receiver.received.forEach((r, i) => {
    if (seen.has(i)) return;
    seen.add(i);
    const ok = verify(
      SECRET,
      {
        id: String(r.headers['webhook-id']),
        timestamp: String(r.headers['webhook-timestamp']),
        signature: String(r.headers['webhook-signature']),
      },
      r.body,
      Math.floor(r.at / 1000),
    );
    if (!ok) badSignatures++;
    const p = r.json as { alerts: Array<{ status: string; labels: Record<string, string> }> };
    for (const a of p.alerts) {
      const host = a.labels.host;
      const at = host ? written.get(host) : undefined;
      if (a.status === 'firing' && host && at !== undefined && !latencies.has(host))
        latencies.set(host, r.at - at);
    }
  });
}, 20);

/** host → ms from the line written to its event found by a search (the pipeline's share). */
const indexed = new Map<string, number>();
async function searchable(host: string, at: number): Promise<void> {
  while (Date.now() - at < 120_000) {
    const res = await es.count({
      index: `${prefix}-events`,
      query: { term: { 'host.name': host } },
      ignore_unavailable: true,
      allow_no_indices: true,
    });
    if (res.count > 0) {
      indexed.set(host, Date.now() - at);
      return;
    }
    await sleep(100);
  }
}

const rejectLine = (host: string) =>
  `${new Date().toISOString().replace('Z', '+00:00')} ${host} postfix/smtpd[4242]: NOQUEUE: reject: RCPT from unknown[203.0.113.7]: 554 5.7.1 <x@bench.example>: Relay access denied; from=<a@bench.example> to=<x@bench.example> proto=ESMTP helo=<h>`;

process.stderr.write(
  `alerts bench: ${trials} trials via ${via}, every ${values.every}, query delay ${values['query-delay']}\n`,
);
for (let i = 0; i < trials; i++) {
  await sleep(5000 + Math.random() * 15_000);
  const host = `bench-${id}-${i}`;
  const text = rejectLine(host);
  const at = Date.now();
  written.set(host, at);
  if (via === 'pipeline') appendFileSync(logFile, `${text}\n`);
  else void indexLines(es, prefix, [text], { timeZone: 'UTC', refresh: false });
  void searchable(host, at);
}
const deadline = Date.now() + 2 * everyMs + 30_000;
while (latencies.size < trials && Date.now() < deadline) await sleep(100);
clearInterval(watcher);

for (const stop of stops.reverse()) await stop();
await receiver.close();

const sorted = [...latencies.values()].sort((a, b) => a - b);
const median =
  sorted.length === 0
    ? null
    : sorted.length % 2
      ? sorted[(sorted.length - 1) / 2]
      : ((sorted[sorted.length / 2 - 1] as number) + (sorted[sorted.length / 2] as number)) / 2;
const max = sorted.at(-1) ?? null;
const target = everyMs + 5000;
const result = {
  bench: 'alerts',
  date: new Date().toISOString(),
  via,
  trials,
  received: sorted.length,
  missed: trials - sorted.length,
  bad_signatures: badSignatures,
  rule: { kind: 'threshold', metric: 'rejected', every: values.every, query_delay: values['query-delay'] },
  latency_ms: { median, max, min: sorted[0] ?? null, all: sorted },
  /** Line written → event searchable (shipper, Kafka, indexer, refresh), per trial in order. */
  searchable_ms: [...written.keys()].map((h) => indexed.get(h) ?? null),
  /**
   * Per trial in order: the wait the schedule imposes (to the end of the step holding the line,
   * plus the query delay) and what came on top (queries, notification, delivery; a whole step
   * more when the line was not searchable before the step was evaluated).
   */
  breakdown_ms: [...written.entries()].map(([h, at]) => {
    const due = Math.ceil(at / everyMs) * everyMs + delayMs;
    const got = latencies.get(h);
    return { schedule: due - at, overhead: got === undefined ? null : at + got - due };
  }),
  target_ms: target,
  within_target: max !== null && max < target && sorted.length === trials,
  machine: { cpus: 2, loadavg_1m: loadavg()[0] },
};
mkdirSync(repoPath('bench', 'results'), { recursive: true });
writeFileSync(repoPath('bench', 'results', 'alerts.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result)}\n`);

// Clean up what this run created: indices of the prefix, templates, topics.
const indices = await es.cat.indices({ index: `${prefix}-*`, format: 'json', h: 'index' });
for (const i of indices) if (i.index) await es.indices.delete({ index: i.index, ignore_unavailable: true });
await deleteTemplates(es, prefix);
await es.close();
if (via === 'pipeline') {
  const kafka = createKafka(config.kafka);
  await kafka.deleteTopics([topic, `${topic}.dlq`]).catch(() => undefined);
}
rmSync(dir, { recursive: true, force: true });
process.exit(0);
