import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSavedObjects } from './build.js';
import {
  checkFields,
  type DataViewFields,
  dataViewsOf,
  fieldsOfMappingResponse,
  kqlFields,
} from './field-check.js';

test('KQL field names, ignoring colons inside quoted values', () => {
  assert.deepEqual(kqlFields('postfix.status : "sent" and not postfix.hop : "internal"'), [
    'postfix.status',
    'postfix.hop',
  ]);
  assert.deepEqual(kqlFields('event.action : "a:b" or @timestamp >= "x"'), ['event.action']);
  assert.deepEqual(kqlFields('state : ("active" or "deferred")'), ['state']);
  assert.deepEqual(kqlFields(''), []);
});

test('a mapping answer flattens to dotted fields with Kibana types; text is not aggregatable', () => {
  const fields = fieldsOfMappingResponse({
    'x-events-2026.11.27': {
      mappings: {
        properties: {
          '@timestamp': { type: 'date' },
          event: {
            properties: {
              original: { type: 'keyword', index: false, doc_values: false },
              action: { type: 'keyword' },
            },
          },
          postfix: {
            properties: {
              response: { type: 'keyword', fields: { text: { type: 'text' } } },
              delay: { type: 'double' },
            },
          },
          source: { properties: { ip: { type: 'ip' } } },
        },
      },
    },
  });
  assert.deepEqual(
    Object.fromEntries([...fields].map(([k, v]) => [k, `${v.kibanaType}/${v.aggregatable}/${v.searchable}`])),
    {
      '@timestamp': 'date/true/true',
      'event.original': 'string/false/false',
      'event.action': 'string/true/true',
      'postfix.response': 'string/true/true',
      'postfix.response.text': 'string/false/true',
      'postfix.delay': 'number/true/true',
      'source.ip': 'ip/true/true',
    },
  );
});

test('a field typed differently in two daily indices is a conflict', () => {
  const fields = fieldsOfMappingResponse({
    a: { mappings: { properties: { n: { type: 'long' } } } },
    b: { mappings: { properties: { n: { type: 'keyword' } } } },
  });
  assert.equal(fields.get('n')?.kibanaType, 'unsupported');
  assert.equal(fields.get('n')?.esType, 'conflict(long,keyword)');
});

test('against a hand-written mapping that lacks fields and mistypes others, each panel use is reported', () => {
  const objects = buildSavedObjects('m');
  const prop = (type: string) => ({ type });
  const events = fieldsOfMappingResponse({
    i: {
      mappings: {
        properties: {
          '@timestamp': prop('date'),
          event: { properties: { action: prop('keyword') } },
          process: { properties: { name: prop('keyword') } },
          email: { properties: { to: { properties: { address: prop('keyword') } } } },
          // delay mapped as keyword: percentiles cannot use it.
          postfix: {
            properties: {
              status: prop('keyword'),
              hop: prop('keyword'),
              delay: prop('keyword'),
              reason: { properties: { category: prop('text') } },
            },
          },
          source: { properties: { ip: prop('keyword') } },
        },
      },
    },
  });
  const views = new Map<string, DataViewFields>();
  for (const dv of dataViewsOf(objects)) {
    views.set(dv.id, {
      ...dv,
      mapped:
        dv.id === 'm-events'
          ? events
          : fieldsOfMappingResponse({ i: { mappings: { properties: { updated: prop('date') } } } }),
    });
  }
  const found = checkFields(objects, views).map((p) => `${p.object}: ${p.message}`);
  const expect = [
    'index-pattern/m-messages: time field @timestamp is not mapped, not a date',
    'dashboard/m-delivery-overview: panel delays: column p50: percentile cannot use postfix.delay (keyword)',
    'dashboard/m-rejections-abuse: panel top-categories: column category: field postfix.reason.category (text) cannot be aggregated',
    "dashboard/m-rejections-abuse: panel top-rbls: column rbl: field postfix.reason.rbl is not in m-events's mapping",
    "dashboard/m-rejections-abuse: panel top-rbls: panel query: KQL field postfix.reason.rbl is not in m-events's mapping",
    'dashboard/m-rejections-abuse: panel sasl-by-ip: column client: dataType ip but source.ip is string (keyword)',
    "dashboard/m-queue: panel in-queue: column in-queue filter: KQL field state is not in m-messages's mapping",
  ];
  for (const e of expect) assert.ok(found.includes(e), `missing: ${e}\n${found.join('\n')}`);
});

test('a runtime field on a data view is reported, since the mapping cannot vouch for it', () => {
  const objects = buildSavedObjects('m');
  objects[0]!.attributes.runtimeFieldMap = JSON.stringify({
    domain: { type: 'keyword', script: { source: 'emit(1)' } },
  });
  const [events] = dataViewsOf(objects);
  const mapped = fieldsOfMappingResponse({
    i: { mappings: { properties: { '@timestamp': { type: 'date' } } } },
  });
  const found = checkFields(objects.slice(0, 1), new Map([[events!.id, { ...events!, mapped }]])).map(
    (p) => p.message,
  );
  assert.deepEqual(found, ['runtime fields domain are not checked against the mapping']);
});
