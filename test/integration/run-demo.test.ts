/**
 * `mailpulse run` (what `npm start` runs) on a machine without a mail log: every role comes up
 * in one process, the demo log reaches the API within a minute, the page is served, and Ctrl-C
 * (SIGINT) stops everything with exit code 0.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { loadConfig } from '../../core/config.js';
import { createEsClient } from '../../core/elasticsearch.js';
import { createKafka } from '../../core/kafka.js';
import { cleanup } from './api-support.js';

const cliEntry = fileURLToPath(new URL('../../cli/index.js', import.meta.url));
const id = randomBytes(4).toString('hex');
const prefix = `mptest-run-${id}`;
const topics = [`mptest-run-${id}.raw`, `mptest-run-${id}.dlq`];
const dir = mkdtempSync(join(tmpdir(), 'mp-run-'));
const port = 18_000 + Math.floor(Math.random() * 1000);
const shared = loadConfig();

after(async () => {
  const es = createEsClient(shared.elasticsearch);
  await cleanup(es, prefix);
  await es.close();
  await createKafka(shared.kafka)
    .deleteTopics(topics)
    .catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

test('run: demo data in the API within a minute, the page served, Ctrl-C exits 0', async () => {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', `import(${JSON.stringify(cliEntry)}).then(async (m) => { process.exitCode = await m.main(process.argv.slice(1)); })`, '--', 'run', '--no-stack'],
    {
      env: {
        PATH: process.env.PATH,
        KAFKA_BROKERS: shared.kafka.brokers.join(','),
        ES_URL: shared.elasticsearch.url,
        ES_INDEX_PREFIX: prefix,
        KAFKA_TOPIC_RAW: topics[0],
        KAFKA_TOPIC_DLQ: topics[1],
        INDEXER_GROUP_ID: `mptest-run-${id}`,
        MAIL_LOGS: join(dir, 'no-such-mail.log'),
        DATA_DIR: join(dir, 'data'),
        API_PORT: String(port),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const t0 = Date.now();
    while (!stdout.includes('mailpulse is running') && Date.now() - t0 < 90_000) {
      if (child.exitCode !== null) assert.fail(`run exited early: ${stderr}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.match(stdout, new RegExp(`open http://127\\.0\\.0\\.1:${port}/`));
    assert.match(stdout, /generated demo log/);

    let received = 0;
    const deadline = Date.now() + 60_000;
    while (received === 0 && Date.now() < deadline) {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/summary?from=now-3h&to=now`);
      if (res.ok) received = ((await res.json()) as { messages: { received: number } }).messages.received;
      if (received === 0) await new Promise((r) => setTimeout(r, 1000));
    }
    assert.ok(received > 0, `demo messages reached the API within a minute of start (${stderr})`);

    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  } finally {
    child.kill('SIGINT');
  }
  assert.equal(await exited, 0, stderr);
});
