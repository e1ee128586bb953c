import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { mappedFields, mappingFromSchema } from './mapping.js';
import { DEAD_LETTER_MAPPING, EVENT_MAPPING, MESSAGE_MAPPING, indexTemplate } from './templates.js';

const fields = (m: Parameters<typeof mappedFields>[0]) => Object.fromEntries(mappedFields(m));

test('event fields carry their ECS types', () => {
  const f = fields(EVENT_MAPPING);
  assert.equal(f['@timestamp'], 'date');
  assert.equal(f['source.ip'], 'ip');
  assert.equal(f['postfix.relay.ip'], 'ip');
  assert.equal(f['email.local_id'], 'keyword');
  assert.equal(f['email.to.address'], 'keyword');
  assert.equal(f['event.action'], 'keyword');
  assert.equal(f['process.pid'], 'long');
  assert.equal(f['postfix.size'], 'long');
  assert.equal(f['postfix.delay'], 'double');
  assert.equal(f['postfix.delays.in_qmgr'], 'double');
  assert.equal(f['log.truncated'], 'boolean');
});

test('the raw line is kept but not indexed; a bad IP never costs the document', () => {
  const props = EVENT_MAPPING.properties as Record<
    string,
    { properties: Record<string, Record<string, unknown>> }
  >;
  assert.deepEqual(props.event?.properties.original, { type: 'keyword', index: false, doc_values: false });
  assert.equal(props.source?.properties.ip?.ignore_malformed, true);
  assert.equal(props.source?.properties.domain?.ignore_above, 1024);
});

test('unknown fields are not mapped (dynamic false), except the daemon details', () => {
  assert.equal(EVENT_MAPPING.dynamic, false);
  assert.equal(MESSAGE_MAPPING.dynamic, false);
  assert.equal(DEAD_LETTER_MAPPING.dynamic, false);
  const postfix = (
    EVENT_MAPPING.properties.postfix as { properties: Record<string, Record<string, unknown>> }
  ).properties;
  assert.equal(postfix.detail?.dynamic, true);
});

test('message documents: dates, the recipients, and the indexer stamp', () => {
  const f = fields(MESSAGE_MAPPING);
  for (const d of [
    '@timestamp',
    'updated',
    'queued_at',
    'removed_at',
    'expired_at',
    'recipients.last_attempt',
  ]) {
    assert.equal(f[d], 'date', d);
  }
  assert.equal(f['recipients.address'], 'keyword');
  assert.equal(f['recipients.attempts'], 'long');
  assert.equal(f.deferrals, 'long');
  assert.equal(f['indexer.offset'], 'long');
  assert.equal(f['source.ip'], 'ip');
});

test('an override naming a field the schema lacks is refused', () => {
  const schema = z.object({ a: z.string() });
  assert.throws(() => mappingFromSchema(schema, { b: { type: 'date' } }), /lacks: b/);
});

test('a schema type without a mapping rule asks for an override', () => {
  const schema = z.object({ u: z.union([z.string(), z.number()]) });
  assert.throws(() => mappingFromSchema(schema), /no mapping for u/);
  assert.deepEqual(mappingFromSchema(schema, { u: { type: 'keyword' } }).properties.u, { type: 'keyword' });
});

test('templates: pattern, alias and settings per kind', () => {
  const t = indexTemplate('mp', 'messages');
  assert.deepEqual(t.index_patterns, ['mp-messages-*']);
  assert.deepEqual(t.template.aliases, { 'mp-messages': {} });
  assert.equal(t.template.settings.number_of_shards, 1);
  assert.equal(t.template.mappings, MESSAGE_MAPPING);
});
