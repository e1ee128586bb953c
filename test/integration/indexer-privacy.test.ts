/**
 * PRIVACY=hash-local-part end to end: with the redactor on, no local part of any address in the
 * generated log reaches Elasticsearch (events, raw lines, message documents), while the counts
 * and the domains stay what they were.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { loadConfig } from '../../core/config.js';
import { createEsClient } from '../../core/elasticsearch.js';
import { indexLines, installTemplates, redactorFor } from '../../indexer/index.js';
import { cleanup, generateLines, uniquePrefix } from './api-support.js';

const prefix = uniquePrefix('privacy');
const config = loadConfig({
  env: { ...process.env, ES_INDEX_PREFIX: prefix, PRIVACY: 'hash-local-part', PRIVACY_KEY: 'integration-test-key-0123' },
});
const es = createEsClient(config.elasticsearch);

after(async () => {
  await cleanup(es, prefix);
  await es.close();
});

test('no local part is stored; counts and domains are kept', async () => {
  const { lines, truth } = generateLines({ lines: 1500, seed: 3, hosts: ['mx-privacy'] });
  const locals = new Set<string>();
  for (const line of lines) {
    for (const m of line.matchAll(/[<=]([A-Za-z0-9._+-]+)@([a-z0-9.-]+\.[a-z]+)/g)) locals.add(`${m[1]}@`);
  }
  assert.ok(locals.size > 5, 'the fixture has addresses');

  await installTemplates(es, prefix);
  const redact = redactorFor(config);
  assert.ok(redact);
  const totals = await indexLines(es, prefix, lines, { timeZone: 'UTC', redact });
  assert.equal(totals.events, truth.lines.total);

  const events = await es.search({ index: `${prefix}-events`, size: 10_000, query: { match_all: {} } });
  const messages = await es.search({ index: `${prefix}-messages`, size: 10_000, query: { match_all: {} } });
  const stored = JSON.stringify([events.hits.hits, messages.hits.hits]);
  const leaked = [...locals].filter((l) => stored.includes(l));
  assert.deepEqual(leaked, []);
  assert.match(stored, /anon-[0-9a-f]{16}@/);

  const delivered = await es.count({
    index: `${prefix}-events`,
    query: { bool: { filter: [{ term: { 'postfix.status': 'sent' } }], must_not: [{ exists: { field: 'postfix.hop' } }] } },
  });
  assert.ok(delivered.count >= truth.messages.delivered, 'deliveries are still there');
  const domains = await es.search({ index: `${prefix}-events`, size: 0, aggs: { d: { terms: { field: 'email.to.domain', size: 50 } } } });
  const names = ((domains.aggregations?.d as { buckets: { key: string }[] } | undefined)?.buckets ?? []).map((b) => b.key);
  assert.ok(names.includes('gmail.com') || names.includes('example.net'), `domains kept: ${names.join(', ')}`);
});
