/**
 * Shared by the alert integration tests and bench/alerts.bench.ts: Postfix lines with chosen
 * timestamps written through the real parser and indexer into a private index prefix, local
 * HTTP receivers on 127.0.0.1 that record what they get and answer what the test scripts, and
 * a config for one test's engine.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, loadConfig } from '../../core/config.js';
import { createEsClient, type EsClient } from '../../core/elasticsearch.js';
import { createLogger, type Logger } from '../../core/logger.js';
import { deleteTemplates, indexLines, installTemplates } from '../../indexer/index.js';

export const MIN = 60_000;

/** A minute boundary two days ago: old enough that no real clock reaches it, young enough for retention. */
export function baseTime(): number {
  return Math.floor((Date.now() - 2 * 86_400_000) / 3_600_000) * 3_600_000;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');
let qid = 0x100000;
const nextQid = () => (qid++).toString(16).toUpperCase().padStart(10, 'B');

/** Postfix lines at a chosen instant. */
export const line = {
  sent: (at: number, rcpt: string, host = 'mx1') =>
    `${iso(at)} ${host} postfix/smtp[2001]: ${nextQid()}: to=<${rcpt}>, relay=mx.${rcpt.split('@')[1]}[192.0.2.10]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as XYZ)`,
  bounced: (at: number, rcpt: string, host = 'mx1') =>
    `${iso(at)} ${host} postfix/smtp[2001]: ${nextQid()}: to=<${rcpt}>, relay=mx.${rcpt.split('@')[1]}[192.0.2.20]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=5.1.1, status=bounced (host mx.${rcpt.split('@')[1]}[192.0.2.20] said: 550 5.1.1 <${rcpt}>: Recipient address rejected: User unknown (in reply to RCPT TO command))`,
  blocked: (at: number, rcpt: string, host = 'mx1') =>
    `${iso(at)} ${host} postfix/smtp[2001]: ${nextQid()}: to=<${rcpt}>, relay=mx.big.example[192.0.2.30]:25, delay=5, delays=0.1/0/0.5/4.4, dsn=4.7.1, status=deferred (host mx.big.example[192.0.2.30] said: 554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using zen.spamhaus.org (in reply to RCPT TO command))`,
  fatal: (at: number, host = 'mx1') =>
    `${iso(at)} ${host} postfix/master[99]: fatal: bind 0.0.0.0 port 25: Address already in use`,
  reject: (at: number, ip: string, host = 'mx1') =>
    `${iso(at)} ${host} postfix/smtpd[55]: NOQUEUE: reject: RCPT from unknown[${ip}]: 554 5.7.1 <x@y.example>: Relay access denied; from=<a@b.example> to=<x@y.example> proto=ESMTP helo=<h>`,
  sasl: (at: number, ip: string, host = 'mx1') =>
    `${iso(at)} ${host} postfix/smtpd[55]: warning: unknown[${ip}]: SASL LOGIN authentication failed: UGFzc3dvcmQ6`,
  connect: (at: number, host = 'mx1') =>
    `${iso(at)} ${host} postfix/smtpd[56]: connect from client.example.net[192.0.2.99]`,
};

export interface TestIndex {
  readonly client: EsClient;
  readonly prefix: string;
  write(lines: readonly string[]): Promise<void>;
  /** Deletes every index of the prefix and its templates. */
  drop(): Promise<void>;
}

export async function testIndex(name: string): Promise<TestIndex> {
  const config = loadConfig();
  const client = createEsClient(config.elasticsearch);
  const prefix = `mpt-${name}-${randomUUID().slice(0, 8)}`;
  await installTemplates(client, prefix);
  return {
    client,
    prefix,
    async write(lines) {
      await indexLines(client, prefix, lines, { timeZone: 'UTC', refresh: true });
    },
    async drop() {
      const indices = await client.cat.indices({ index: `${prefix}-*`, format: 'json', h: 'index' });
      for (const i of indices)
        if (i.index) await client.indices.delete({ index: i.index, ignore_unavailable: true });
      await deleteTemplates(client, prefix);
      await client.close();
    },
  };
}

export interface Received {
  readonly at: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly json: unknown;
  readonly status: number;
}

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** Answers for the next requests, in order (0: never answer); 200 once they run out. */
  script(...answers: Array<number | { status: number; headers?: Record<string, string> }>): void;
  /** Requests answered 2xx. */
  accepted(): Received[];
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  let answers: Array<{ status: number; headers?: Record<string, string> }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const answer = answers.shift() ?? { status: 200 };
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      received.push({ at: Date.now(), headers: req.headers, body, json, status: answer.status });
      // Status 0: never answer (a hung receiver); the connection is closed with the server.
      if (answer.status === 0) return;
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.status < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    script(...list) {
      answers = list.map((a) => (typeof a === 'number' ? { status: a } : a));
    },
    accepted: () => received.filter((r) => r.status >= 200 && r.status < 300),
    async waitFor(count, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > end)
          throw new Error(`receiver got ${received.length} request(s), expected ${count}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let rulesDir: string | undefined;

/** A rules file in a fresh folder (each its own, for the watcher) under one temporary folder removed at exit. */
export function writeRules(text: string, name = 'rules.yaml'): string {
  if (rulesDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'mp-alerts-'));
    rulesDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const dir = mkdtempSync(join(rulesDir, 'r-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

export const WEBHOOK_SECRET = 'test-secret-0123456789abcdef';

export function engineConfig(
  prefix: string,
  rulesPath: string,
  hooks: { webhook?: string; slack?: string } = {},
): Config {
  return loadConfig({
    env: {
      ES_INDEX_PREFIX: prefix,
      ALERT_RULES: rulesPath,
      PUBLIC_URL: 'http://mailpulse.test:8080',
      ...(hooks.webhook ? { WEBHOOK_URL: hooks.webhook, WEBHOOK_SECRET } : {}),
      ...(hooks.slack ? { SLACK_WEBHOOK_URL: hooks.slack } : {}),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    },
  });
}

export function testLogger(): Logger {
  return createLogger(process.env.LOG_LEVEL ?? 'silent', 'alerts-test');
}

/** A clock the test moves by hand. */
export function manualClock(start: number): { now: () => number; set(ms: number): void } {
  let t = start;
  return { now: () => t, set: (ms) => (t = ms) };
}

/** The alerts a webhook payload carries, as `notice:group` strings (firing, reminder, resolved), sorted. */
export function payloadAlerts(r: Received): string[] {
  const p = r.json as {
    alerts: Array<{ annotations: Record<string, string>; labels: Record<string, string> }>;
  };
  return p.alerts
    .map((a) => `${a.annotations.notice}:${a.labels.domain ?? a.labels.host ?? a.labels.host_name ?? ''}`)
    .sort();
}
