/**
 * `mailpulse dashboards import` end to end over HTTP. No Kibana runs here, so a small local
 * HTTP server stands in for its import endpoint: it records what the command sent (path, query,
 * headers, the multipart file) and answers with bodies shaped like Kibana's documented answers
 * (success, per-object failures, 401). The command runs as a separate process, as a user runs it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { buildSavedObjects, toNdjson } from '../../dashboards/index.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
const received: Received[] = [];
let answer: { status: number; body: unknown } = { status: 200, body: {} };

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const cli = new URL('../../cli/index.js', import.meta.url).href;

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(cli)}); process.exitCode = await m.main(process.argv.slice(1));`,
        '--',
        ...args,
      ],
      { env: { ...process.env, ES_INDEX_PREFIX: 'mailpulse', KIBANA_URL: '', KIBANA_API_KEY: '', ...env } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

test('a successful import posts the built NDJSON as a multipart file with kbn-xsrf and overwrite', async () => {
  received.length = 0;
  answer = { status: 200, body: { success: true, successCount: 5, successResults: [] } };
  const r = await run([
    'dashboards',
    'import',
    '--kibana',
    `${base}/kbn`,
    '--space',
    'ops',
    '--prefix',
    'acme',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^5 saved objects imported\n$/);
  assert.equal(received.length, 1);
  const req = received[0]!;
  assert.equal(req.method, 'POST');
  assert.equal(req.url, '/kbn/s/ops/api/saved_objects/_import?overwrite=true');
  assert.ok(req.headers['kbn-xsrf']);
  assert.match(String(req.headers['content-type']), /^multipart\/form-data; boundary=/);
  assert.match(req.body, /Content-Disposition: form-data; name="file"; filename="mailpulse.ndjson"/);
  assert.ok(
    req.body.includes(toNdjson(buildSavedObjects('acme'))),
    'the file part is the build for the asked prefix',
  );
});

test('objects Kibana refuses are printed one per line with their reason, and the command fails', async () => {
  answer = {
    status: 200,
    body: {
      success: false,
      successCount: 3,
      errors: [
        {
          id: 'mailpulse-queue',
          type: 'dashboard',
          meta: { title: 'Queue' },
          error: {
            type: 'missing_references',
            references: [{ type: 'index-pattern', id: 'mailpulse-messages' }],
          },
        },
        {
          id: 'mailpulse-events',
          type: 'index-pattern',
          meta: { title: 'mailpulse-events' },
          error: { type: 'unknown', message: 'boom', statusCode: 500 },
        },
      ],
    },
  };
  const r = await run(['dashboards', 'import'], { KIBANA_URL: base });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /3 saved objects imported, 2 failed/);
  const lines = r.stderr.trim().split('\n');
  assert.deepEqual(lines, [
    'failed: dashboard mailpulse-queue ("Queue"): missing references index-pattern/mailpulse-messages',
    'failed: index-pattern mailpulse-events ("mailpulse-events"): unknown (HTTP 500): boom',
    'mailpulse dashboards: MP_ERR_DASHBOARDS_IMPORT: Kibana refused the import: 2 object(s) failed, listed above',
  ]);
});

test('an HTTP error from Kibana is one line with its message; credentials in the URL go as Basic auth', async () => {
  received.length = 0;
  answer = {
    status: 401,
    body: {
      statusCode: 401,
      error: 'Unauthorized',
      message: '[security_exception] unable to authenticate user',
    },
  };
  const r = await run([
    'dashboards',
    'import',
    '--kibana',
    base.replace('http://', 'http://elastic:s3cret@'),
  ]);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    `mailpulse dashboards: MP_ERR_DASHBOARDS_IMPORT: Kibana refused the import: HTTP 401 from ${base}/api/saved_objects/_import: [security_exception] unable to authenticate user\n`,
  );
  assert.equal(
    received[0]?.headers.authorization,
    `Basic ${Buffer.from('elastic:s3cret').toString('base64')}`,
  );
});

test('import without a Kibana URL, or with an unknown action, is a usage error', async () => {
  const none = await run(['dashboards', 'import']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--kibana URL is required/);
  const bad = await run(['dashboards', 'publish']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /expected build or import, got "publish"/);
});
