/**
 * What the API does with bad or hostile input and with broken dependencies, against the real
 * local stack: random query strings never give a 500; the bearer token guards /api and only
 * /api; Elasticsearch unreachable is a 503 with a clear body; the probes, /metrics (shared
 * registry) and the OpenAPI document are there.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { Counter, Registry } from 'prom-client';
import { buildApp } from '../../api/index.js';
import { loadConfig } from '../../core/config.js';
import { createEsClient, esHealth } from '../../core/elasticsearch.js';
import { createKafka } from '../../core/kafka.js';
import { createLogger } from '../../core/logger.js';
import { cleanup, type IndexedFixture, indexFixture, uniquePrefix } from './api-support.js';

const config = loadConfig();
const es = createEsClient(config.elasticsearch);
const prefix = uniquePrefix('apirob');
const logger = createLogger('silent');
const TOKEN = 'test-token-0123456789abcdef';
let fx: IndexedFixture;
let open: FastifyInstance;

const ENDPOINTS = [
  'summary',
  'delivery',
  'rejections',
  'deferrals',
  'queue',
  'domains',
  'traffic',
  'security',
  'messages',
];

before(async () => {
  fx = await indexFixture(es, prefix, { lines: 800, seed: 3 });
  open = await buildApp({ es, prefix, logger, page: false, pipelineMetrics: false });
});

after(async () => {
  await open?.close();
  await cleanup(es, prefix);
  await es.close();
});

describe('random query strings', () => {
  const keys = fc.constantFrom(
    'from',
    'to',
    'interval',
    'host',
    'domain',
    'sender',
    'recipient',
    'limit',
    'cursor',
    'queue_id',
    'message_id',
    'status',
    'form',
    '',
    'from[]',
    '__proto__',
    'constructor',
  );
  const values = fc.oneof(
    fc.constantFrom(
      'now',
      'now-24h',
      'now-1m',
      'now+1d',
      'now-999999w',
      'now-0s',
      '2026-03-14',
      '2026-03-14T00:00:00Z',
      '2026-02-31',
      '9999-12-31T23:59:59Z',
      '1969-12-31T23:59:59Z',
      '2026-03-14T00:00:00',
    ),
    fc.constantFrom('1m', '5m', '1h', '1d', '0m', '2d', '59s', '1440m', '9999m', '1y', '-5m'),
    fc.constantFrom(
      'mx1.example.net',
      'example.org',
      '@example.org',
      'a@b',
      '*',
      '?',
      '\\',
      '"',
      "'",
      '<>',
      'a b',
      '%00',
      '%FF',
      '%E2%82',
      'deferred',
      'nope',
      '0',
      '-1',
      '1e9',
      'NaN',
      '201',
    ),
    fc.string({ maxLength: 40 }).map(encodeURIComponent),
    fc.string({ unit: 'grapheme', maxLength: 20 }).map(encodeURIComponent),
    fc.string({ maxLength: 1200 }).map(encodeURIComponent),
  );
  const query = fc
    .array(fc.tuple(keys, values), { maxLength: 6 })
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));

  test('never a 5xx, always a JSON body; a 400 lists the problems', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ENDPOINTS), query, async (endpoint, q) => {
        const res = await open.inject({ method: 'GET', url: `/api/v1/${endpoint}?${q}` });
        assert.ok(
          res.statusCode === 200 || res.statusCode === 400,
          `${res.statusCode} for /api/v1/${endpoint}?${q}: ${res.body.slice(0, 300)}`,
        );
        const body = res.json();
        if (res.statusCode === 400) {
          assert.equal(body.code, 'MP_ERR_API_VALIDATION');
          assert.ok(typeof body.message === 'string' && body.message.length > 0);
        }
      }),
      { numRuns: 400 },
    );
  });

  test('raw junk after the ? and in the message id never gives a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ENDPOINTS),
        fc.string({ maxLength: 200 }),
        fc.string({ minLength: 1, maxLength: 300 }),
        async (endpoint, junk, id) => {
          const a = await open.inject({ method: 'GET', url: `/api/v1/${endpoint}?${junk}` });
          assert.ok(
            a.statusCode < 500,
            `${a.statusCode} for ?${JSON.stringify(junk)}: ${a.body.slice(0, 200)}`,
          );
          const b = await open.inject({ method: 'GET', url: `/api/v1/messages/${encodeURIComponent(id)}` });
          assert.ok(
            [200, 400, 404, 414].includes(b.statusCode),
            `${b.statusCode} for id ${JSON.stringify(id)}: ${b.body.slice(0, 200)}`,
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  test('hand-picked bad parameters say what is wrong', async () => {
    const cases: [string, RegExp][] = [
      ['/api/v1/delivery?from=yesterday', /from: expected ISO 8601/],
      ['/api/v1/delivery?from=now&to=now-1h', /from must be earlier than to/],
      ['/api/v1/delivery?interval=1s', /interval/],
      ['/api/v1/delivery?from=2020-01-01&to=2026-01-01&interval=1m', /buckets of 1m/],
      ['/api/v1/summary?form=now-1h', /Unrecognized key/],
      ['/api/v1/rejections?limit=0', /limit/],
      ['/api/v1/messages?status=lost', /status/],
      ['/api/v1/summary?from=2026-03-14T00:00:00', /from: expected ISO 8601/],
      ['/api/v1/summary?domain=a@b.example', /domain must be a domain/],
      ['/api/v1/summary?host=a&host=b', /host/],
      ['/api/v1/summary?from=2020-01-01&to=2026-01-01', /at most 10000 hours/],
    ];
    for (const [url, message] of cases) {
      const res = await open.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 400, url);
      assert.match(res.json().message, message, url);
      assert.ok(Array.isArray(res.json().issues) && res.json().issues.length > 0, url);
    }
  });
});

describe('bearer token', () => {
  let guarded: FastifyInstance;
  before(async () => {
    guarded = await buildApp({ es, prefix, token: TOKEN, logger, page: false, pipelineMetrics: false });
  });
  after(() => guarded.close());

  test('without a token set, /api needs no header', async () => {
    assert.equal((await open.inject({ url: `/api/v1/summary?${fx.rangeQuery}` })).statusCode, 200);
  });

  test('with a token set, every /api route needs exactly that bearer token', async () => {
    for (const endpoint of [...ENDPOINTS, 'messages/ABC']) {
      const url = `/api/v1/${endpoint}`;
      const none = await guarded.inject({ url });
      assert.equal(none.statusCode, 401, url);
      assert.equal(none.json().code, 'MP_ERR_API_UNAUTHORIZED');
      for (const authorization of [
        `Bearer ${TOKEN}x`,
        `Bearer ${TOKEN.slice(0, -1)}`,
        TOKEN,
        `Basic ${TOKEN}`,
        'Bearer ',
        `Bearer ${TOKEN} extra`,
      ]) {
        assert.equal(
          (await guarded.inject({ url, headers: { authorization } })).statusCode,
          401,
          `${url} with ${authorization}`,
        );
      }
    }
    const ok = await guarded.inject({
      url: `/api/v1/summary?${fx.rangeQuery}`,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().lines.total, fx.truth.lines.total);
    const lower = await guarded.inject({
      url: '/api/v1/delivery',
      headers: { authorization: `bearer ${TOKEN}` },
    });
    assert.equal(lower.statusCode, 200);
  });

  test('probes, /metrics and the docs stay open; no CORS headers', async () => {
    for (const url of ['/healthz', '/metrics', '/docs/json']) {
      const res = await guarded.inject({ url });
      assert.equal(res.statusCode, 200, url);
    }
    const res = await guarded.inject({
      url: '/api/v1/summary',
      headers: { origin: 'https://evil.example', authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    const docs = (await guarded.inject({ url: '/docs/json' })).json();
    assert.deepEqual(docs.security, [{ bearer: [] }]);
  });
});

describe('dependencies', () => {
  test('Elasticsearch unreachable: 503 with a clear body and Retry-After, and /readyz says so', async () => {
    const dead = createEsClient(
      { ...config.elasticsearch, url: 'http://127.0.0.1:9' },
      { requestTimeoutMs: 2000 },
    );
    const app = await buildApp({
      es: dead,
      prefix,
      logger,
      page: false,
      pipelineMetrics: false,
      readiness: { elasticsearch: () => esHealth(dead, 1000) },
    });
    try {
      for (const endpoint of [...ENDPOINTS, 'messages/ABC']) {
        const res = await app.inject({ url: `/api/v1/${endpoint}` });
        assert.equal(res.statusCode, 503, endpoint);
        assert.equal(res.json().code, 'MP_ERR_ES_UNREACHABLE');
        assert.match(res.json().message, /Elasticsearch is not reachable/);
        assert.equal(res.headers['retry-after'], '5');
      }
      const ready = await app.inject({ url: '/readyz' });
      assert.equal(ready.statusCode, 503);
      assert.equal(ready.json().checks.elasticsearch.ok, false);
      assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
    } finally {
      await app.close();
      await dead.close();
    }
  });

  test('/readyz is ready when Elasticsearch and Kafka answer', async () => {
    const kafka = createKafka(config.kafka);
    const app = await buildApp({
      es,
      prefix,
      logger,
      page: false,
      pipelineMetrics: false,
      readiness: { elasticsearch: () => esHealth(es, 3000), kafka: () => kafka.ping(5000) },
      readinessTimeoutMs: 6000,
    });
    try {
      const res = await app.inject({ url: '/readyz' });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().checks.kafka.ok, true);
      assert.equal(res.json().checks.elasticsearch.ok, true);
    } finally {
      await app.close();
    }
  });

  test('/metrics: request figures, pipeline figures, and metrics other roles registered', async () => {
    const registry = new Registry();
    const other = new Counter({
      name: 'mailpulse_other_role_total',
      help: 'registered by another role',
      registers: [registry],
    });
    other.inc(3);
    const app = await buildApp({ es, prefix, logger, registry, page: false });
    try {
      await app.inject({ url: '/api/v1/delivery?from=now-1h' });
      await app.inject({ url: '/api/v1/delivery?from=bad' });
      const text = (await app.inject({ url: '/metrics' })).body;
      assert.match(
        text,
        /mailpulse_api_requests_total\{method="GET",route="\/api\/v1\/delivery",status="200"\} 1/,
      );
      assert.match(
        text,
        /mailpulse_api_requests_total\{method="GET",route="\/api\/v1\/delivery",status="400"\} 1/,
      );
      assert.match(
        text,
        /mailpulse_api_request_duration_seconds_bucket\{le="0.15",method="GET",route="\/api\/v1\/delivery",status="200"\} 1/,
      );
      assert.match(text, /mailpulse_other_role_total 3/);
      // The fixture lies in 2026-03: the last hour holds no mail, but what it left queued is
      // still queued now.
      assert.match(text, /mailpulse_mail_last_hour\{figure="delivered"\} 0/);
      const active = Number(/mailpulse_queue_backlog\{state="active"\} (\d+)/.exec(text)?.[1]);
      const deferred = Number(/mailpulse_queue_backlog\{state="deferred"\} (\d+)/.exec(text)?.[1]);
      assert.ok(fx.truth.queue.backlog_at_end > 0);
      assert.equal(active + deferred, fx.truth.queue.backlog_at_end);
      assert.match(text, /mailpulse_api_elasticsearch_up 1/);
    } finally {
      await app.close();
    }
  });

  test('OpenAPI document lists every endpoint with its parameters', async () => {
    const doc = (await open.inject({ url: '/docs/json' })).json();
    for (const endpoint of [...ENDPOINTS, 'messages/{id}'])
      assert.ok(doc.paths[`/api/v1/${endpoint}`]?.get, endpoint);
    const params = doc.paths['/api/v1/delivery'].get.parameters.map((p: { name: string }) => p.name).sort();
    assert.deepEqual(params, ['domain', 'from', 'host', 'interval', 'recipient', 'sender', 'to']);
    assert.ok(
      doc.paths['/api/v1/summary'].get.responses['200'].content['application/json'].schema.properties
        .messages,
    );
    const ui = await open.inject({ url: '/docs' });
    assert.ok(ui.statusCode === 200 || ui.statusCode === 302, String(ui.statusCode));
  });
});
