import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { repoPath } from '../../core/paths.js';
import { buildSavedObjects, NDJSON_PATH, toNdjson } from './build.js';
import type { SavedObject } from './saved-object.js';
import { validateNdjson, validateObjects } from './validate.js';

const fresh = () => structuredClone(buildSavedObjects('mailpulse'));
const messages = (objects: SavedObject[]) => validateObjects(objects).map((p) => `${p.object}: ${p.message}`);

// biome-ignore lint/suspicious/noExplicitAny: the tests reach into arbitrary nested panel JSON to break it.
function editPanels(o: SavedObject, edit: (panels: Record<string, any>[]) => void): void {
  const panels = JSON.parse(String(o.attributes.panelsJSON));
  edit(panels);
  o.attributes.panelsJSON = JSON.stringify(panels);
}

test('the built objects validate: three dashboards over two data views, all references resolved', () => {
  const objects = buildSavedObjects('mailpulse');
  assert.deepEqual(messages(objects), []);
  assert.deepEqual(
    objects.map((o) => `${o.type}/${o.id}`),
    [
      'index-pattern/mailpulse-events',
      'index-pattern/mailpulse-messages',
      'dashboard/mailpulse-delivery-overview',
      'dashboard/mailpulse-rejections-abuse',
      'dashboard/mailpulse-queue',
    ],
  );
});

test('builds are byte-identical, and the committed NDJSON is the current build', () => {
  const a = toNdjson(buildSavedObjects('mailpulse'));
  assert.equal(toNdjson(buildSavedObjects('mailpulse')), a);
  const committed = readFileSync(repoPath(NDJSON_PATH), 'utf8');
  assert.equal(committed, a, 'dashboards/kibana/mailpulse.ndjson is stale: run `npm run build:dashboards`');
  assert.deepEqual(validateNdjson(committed).problems, []);
});

test('another prefix changes ids and titles, and only those', () => {
  const objects = buildSavedObjects('acme');
  assert.deepEqual(messages(objects), []);
  assert.equal(objects[0]?.attributes.title, 'acme-events');
  const dash = objects[2]!;
  assert.ok(dash.references.every((r) => r.id === 'acme-events'));
});

test('a line that is not JSON, or not a saved object, is reported by line number', () => {
  const text = `${toNdjson(buildSavedObjects('mailpulse'))}{oops\n{"id":"x","type":"visualization"}\n`;
  const { problems } = validateNdjson(text);
  assert.equal(problems.length, 2);
  assert.match(problems[0]!.object, /^line 6$/);
  assert.match(problems[0]!.message, /not JSON/);
  assert.match(problems[1]!.message, /not a saved object/);
});

test('a dashboard reference to a data view not in the file is reported', () => {
  const objects = fresh().filter((o) => o.id !== 'mailpulse-messages');
  const found = messages(objects);
  assert.ok(
    found.some((m) =>
      /dashboard\/mailpulse-queue: reference .* → index-pattern\/mailpulse-messages not in the file/.test(m),
    ),
    found.join('\n'),
  );
});

test("a dashboard attribute Kibana's schema would refuse is reported", () => {
  const objects = fresh();
  objects[3]!.attributes.panels = [];
  assert.deepEqual(messages(objects), [
    "dashboard/mailpulse-rejections-abuse: attribute panels is not in Kibana's dashboard schema",
  ]);
});

test('a stringified attribute that does not parse is reported', () => {
  const objects = fresh();
  objects[0]!.attributes.fieldFormatMap = '{"postfix.delay":';
  objects[2]!.attributes.optionsJSON = 'nope';
  const found = messages(objects);
  assert.ok(found.some((m) => m.startsWith('index-pattern/mailpulse-events: fieldFormatMap does not parse')));
  assert.ok(
    found.some((m) => m.startsWith('dashboard/mailpulse-delivery-overview: optionsJSON does not parse')),
  );
});

test('a panel reference missing from the dashboard references, or a stray one, is reported', () => {
  const objects = fresh();
  const dash = objects[2]!;
  dash.references = dash.references.filter((r) => !r.name.startsWith('delays:'));
  dash.references.push({
    type: 'index-pattern',
    id: 'mailpulse-events',
    name: 'ghost:indexpattern-datasource-layer-x',
  });
  const found = messages(objects);
  assert.ok(
    found.includes(
      "dashboard/mailpulse-delivery-overview: panel delays: reference indexpattern-datasource-layer-delays-layer is not lifted to the dashboard's references",
    ),
    found.join('\n'),
  );
  assert.ok(
    found.includes(
      'dashboard/mailpulse-delivery-overview: reference ghost:indexpattern-datasource-layer-x belongs to no panel',
    ),
  );
});

test('accessors, orderings and formulas naming missing columns are reported', () => {
  const objects = fresh();
  editPanels(objects[2]!, (panels) => {
    const outcomes = panels.find((p) => p.panelIndex === 'outcomes-over-time')!;
    outcomes.embeddableConfig.attributes.state.visualization.layers[0].accessors.push('nope');
    const domains = panels.find((p) => p.panelIndex === 'top-domains')!;
    const layer =
      domains.embeddableConfig.attributes.state.datasourceStates.formBased.layers['domains-layer'];
    layer.columns.domain.params.orderBy.columnId = 'gone';
    delete layer.columns['bounce-rateX4'];
    layer.columnOrder = layer.columnOrder.filter((c: string) => c !== 'bounce-rateX4');
  });
  const found = messages(objects);
  const expect = [
    'panel outcomes-over-time: visualization accessors names missing column nope',
    'panel top-domains: column domain is ordered by missing column gone',
    'panel top-domains: column bounce-rate references missing column bounce-rateX4',
    'panel top-domains: formula bounce-rate has no math column',
  ];
  for (const e of expect)
    assert.ok(found.includes(`dashboard/mailpulse-delivery-overview: ${e}`), `${e}\n${found.join('\n')}`);
});

test('a panel past the 48-column grid or with a mismatched grid id is reported', () => {
  const objects = fresh();
  editPanels(objects[4]!, (panels) => {
    panels[0]!.gridData.x = 40;
    panels[1]!.gridData.i = 'other';
  });
  const found = messages(objects);
  assert.ok(found.includes('dashboard/mailpulse-queue: panel in-queue: extends past the 48-column grid'));
  assert.ok(
    found.includes('dashboard/mailpulse-queue: panel deferred-now: gridData.i other differs from panelIndex'),
  );
});
