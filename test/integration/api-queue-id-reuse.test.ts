/**
 * Postfix reuses queue IDs. Distinct messages (`deferred`, received) are counted by the message
 * key the indexer puts on every line, so a log in which queue IDs come back still gives the
 * generator's truth, and the same figures as `report --json`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/index.js';
import { loadConfig } from '../../core/config.js';
import { createEsClient } from '../../core/elasticsearch.js';
import { createLogger } from '../../core/logger.js';
import { reportOfLines } from '../../report/index.js';
import { cleanup, type IndexedFixture, indexFixture, uniquePrefix } from './api-support.js';

const es = createEsClient(loadConfig().elasticsearch);
const prefix = uniquePrefix('reuse');
let fx: IndexedFixture;
let app: FastifyInstance;

before(async () => {
  fx = await indexFixture(es, prefix, { lines: 50_000, seed: 23, hosts: ['mx1.example.net'], reuse: 0.6 });
  app = await buildApp({ es, prefix, logger: createLogger('silent'), page: false, pipelineMetrics: false });
});

after(async () => {
  await app?.close();
  await cleanup(es, prefix);
  await es.close();
});

test('with reused queue IDs the summary still equals the truth and the report', async () => {
  assert.ok(fx.truth.queue_id_reuses > 20, `the fixture reuses queue IDs (${fx.truth.queue_id_reuses})`);
  const res = await app.inject({ method: 'GET', url: `/api/v1/summary?${fx.rangeQuery}` });
  assert.equal(res.statusCode, 200, res.body);
  const summary = res.json();
  assert.deepEqual(summary.messages, fx.truth.messages);
  assert.deepEqual(summary.messages, reportOfLines(fx.lines, { timeZone: 'UTC' }).messages);
  const delivery = await app.inject({ method: 'GET', url: `/api/v1/delivery?${fx.rangeQuery}&interval=1h` });
  assert.equal(delivery.json().totals.deferred, fx.truth.messages.deferred);
});
