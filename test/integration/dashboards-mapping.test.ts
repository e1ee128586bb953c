/**
 * The Kibana objects against the real thing: our index templates installed in the real local
 * Elasticsearch under a test prefix, a few fixture lines parsed and indexed through the
 * indexer's own write path, then every field of every panel checked against the mapping
 * Elasticsearch reports for the aliases the data views name.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../core/config.js';
import { createEsClient } from '../../core/elasticsearch.js';
import {
  buildSavedObjects,
  checkFields,
  type DataViewFields,
  dataViewsOf,
  fieldsOfMappingResponse,
  validateObjects,
} from '../../dashboards/index.js';
import { EVENT_FIELDS, MESSAGE_FIELDS } from '../../dashboards/kibana/fields.js';
import { deleteTemplates, indexLines, installTemplates } from '../../indexer/index.js';
import { fixtureLines } from './dashboards-fixture.js';

const config = loadConfig();
const prefix = `mp-test-dash-${randomUUID().slice(0, 8)}`;
const client = createEsClient(config.elasticsearch);
const objects = buildSavedObjects(prefix);
const views = new Map<string, DataViewFields>();

before(async () => {
  await installTemplates(client, prefix);
  const result = await indexLines(client, prefix, fixtureLines(), { timeZone: 'UTC' });
  assert.equal(result.events, fixtureLines().length);
  for (const dv of dataViewsOf(objects)) {
    const body = await client.indices.getMapping({ index: dv.title });
    views.set(dv.id, { ...dv, mapped: fieldsOfMappingResponse(body as never) });
  }
});

after(async () => {
  await client.indices.delete({ index: `${prefix}-*`, expand_wildcards: 'all' }, { ignore: [404] });
  await deleteTemplates(client, prefix);
  await client.close();
});

test('the saved objects for a test prefix validate', () => {
  assert.deepEqual(validateObjects(objects), []);
});

test('every field a panel uses is in the real mapping with a type its operation accepts', () => {
  const problems = checkFields(objects, views).map((p) => `${p.object}: ${p.message}`);
  assert.deepEqual(problems, []);
});

test('every field in the dashboards catalog has the Kibana type the catalog states', () => {
  const events = views.get(`${prefix}-events`)!;
  const messages = views.get(`${prefix}-messages`)!;
  const wrong: string[] = [];
  for (const [field, type] of Object.entries(EVENT_FIELDS)) {
    const f = events.mapped.get(field);
    if (f?.kibanaType !== type)
      wrong.push(`events ${field}: want ${type}, mapping has ${f?.esType ?? 'nothing'}`);
  }
  for (const [field, type] of Object.entries(MESSAGE_FIELDS)) {
    const f = messages.mapped.get(field);
    if (f?.kibanaType !== type)
      wrong.push(`messages ${field}: want ${type}, mapping has ${f?.esType ?? 'nothing'}`);
  }
  assert.deepEqual(wrong, []);
});

test('the check fails on the real mapping when a panel names a text field or a missing one', () => {
  const broken = structuredClone(objects);
  const dash = broken.find((o) => o.id === `${prefix}-rejections-abuse`)!;
  const panels = JSON.parse(String(dash.attributes.panelsJSON));
  const layer = panels.find((p: { panelIndex: string }) => p.panelIndex === 'top-categories').embeddableConfig
    .attributes.state.datasourceStates.formBased.layers['categories-layer'];
  layer.columns.category.sourceField = 'postfix.response.text';
  layer.columns.count.filter = { query: 'postfix.no_such_field : "x"', language: 'kuery' };
  dash.attributes.panelsJSON = JSON.stringify(panels);
  const problems = checkFields(broken, views).map((p) => p.message);
  assert.deepEqual(problems.sort(), [
    'panel top-categories: column category: field postfix.response.text (text) cannot be aggregated',
    `panel top-categories: column count filter: KQL field postfix.no_such_field is not in ${prefix}-events's mapping`,
  ]);
});
