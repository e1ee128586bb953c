/**
 * Offline checks of a saved-objects NDJSON, the ones Kibana would otherwise only reveal on
 * import or, worse, as an empty panel: every line parses, every stringified JSON attribute
 * parses, every reference resolves (dashboard → data view, panel → lifted dashboard reference,
 * Lens layer → data view), and every accessor, formula and ordering inside a Lens panel names a
 * column of its layer. Pure: text in, problems out.
 */
import { type LensPanel, LensPanelSchema, layerReferenceName } from './lens-schema.js';
import { type SavedObject, SavedObjectSchema } from './saved-object.js';

export interface Problem {
  /** `type/id` of the object, or `line N` when the line did not parse. */
  object: string;
  message: string;
}

/**
 * The attributes Kibana's dashboard schema accepts (`dashboardAttributesSchema`, model versions
 * 1–2, `unknowns: 'forbid'`): an import with any other attribute is refused.
 */
const DASHBOARD_ATTRIBUTES = new Set([
  'title',
  'description',
  'kibanaSavedObjectMeta',
  'timeRestore',
  'timeFrom',
  'timeTo',
  'refreshInterval',
  'controlGroupInput',
  'panelsJSON',
  'optionsJSON',
  'hits',
  'version',
]);

/** Attributes Kibana stores as JSON text even though their key does not end in `JSON`. */
const STRINGIFIED_ATTRIBUTES = new Set([
  'fields',
  'fieldFormatMap',
  'fieldAttrs',
  'runtimeFieldMap',
  'sourceFilters',
  'typeMeta',
]);

export function parseNdjson(text: string): { objects: SavedObject[]; problems: Problem[] } {
  const objects: SavedObject[] = [];
  const problems: Problem[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      problems.push({ object: `line ${i + 1}`, message: `not JSON: ${(err as Error).message}` });
      return;
    }
    const parsed = SavedObjectSchema.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ');
      problems.push({ object: `line ${i + 1}`, message: `not a saved object: ${issues}` });
      return;
    }
    objects.push(parsed.data);
  });
  return { objects, problems };
}

const label = (o: SavedObject) => `${o.type}/${o.id}`;

function checkStringifiedJson(o: SavedObject, value: unknown, path: string, problems: Problem[]): void {
  if (value === null || typeof value !== 'object') return;
  for (const [key, v] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    if (
      key.endsWith('JSON') ||
      (path === '' && o.type === 'index-pattern' && STRINGIFIED_ATTRIBUTES.has(key))
    ) {
      if (typeof v !== 'string') {
        problems.push({ object: label(o), message: `${here} must be a JSON string` });
        continue;
      }
      try {
        JSON.parse(v);
      } catch (err) {
        problems.push({ object: label(o), message: `${here} does not parse: ${(err as Error).message}` });
      }
    } else {
      checkStringifiedJson(o, v, here, problems);
    }
  }
}

/** The panels of a dashboard, parsed; problems for anything that is not a valid Lens panel. */
export function dashboardPanels(o: SavedObject, problems: Problem[] = []): LensPanel[] {
  const text = o.attributes.panelsJSON;
  if (typeof text !== 'string') {
    problems.push({ object: label(o), message: 'panelsJSON is missing' });
    return [];
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) {
    problems.push({ object: label(o), message: 'panelsJSON is not an array' });
    return [];
  }
  const panels: LensPanel[] = [];
  raw.forEach((p, i) => {
    const parsed = LensPanelSchema.safeParse(p);
    if (parsed.success) panels.push(parsed.data);
    else {
      const issues = parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ');
      problems.push({ object: label(o), message: `panel ${i} is not a by-value Lens panel: ${issues}` });
    }
  });
  return panels;
}

/** Every column id a visualization state points at, with where it was found. */
function accessors(vis: Record<string, unknown>): { layerId: unknown; ids: [string, unknown][] }[] {
  const out: { layerId: unknown; ids: [string, unknown][] }[] = [];
  const layers = Array.isArray(vis.layers) ? (vis.layers as Record<string, unknown>[]) : [vis];
  for (const l of layers) {
    const ids: [string, unknown][] = [];
    for (const key of [
      'xAccessor',
      'splitAccessor',
      'metricAccessor',
      'secondaryMetricAccessor',
      'maxAccessor',
    ]) {
      if (key in l) ids.push([key, l[key]]);
    }
    for (const key of ['accessors', 'primaryGroups', 'metrics']) {
      if (Array.isArray(l[key])) for (const v of l[key] as unknown[]) ids.push([key, v]);
    }
    if (Array.isArray(l.columns))
      for (const c of l.columns as { columnId?: unknown }[]) ids.push(['columns', c.columnId]);
    const sorting = l.sorting as { columnId?: unknown } | undefined;
    if (sorting) ids.push(['sorting', sorting.columnId]);
    out.push({ layerId: l.layerId, ids });
  }
  return out;
}

function checkPanel(o: SavedObject, p: LensPanel, problems: Problem[]): void {
  const where = `panel ${p.panelIndex}`;
  const add = (message: string) => problems.push({ object: label(o), message: `${where}: ${message}` });
  if (p.gridData.i !== p.panelIndex) add(`gridData.i ${p.gridData.i} differs from panelIndex`);
  if (p.gridData.x + p.gridData.w > 48) add('extends past the 48-column grid');
  const attrs = p.embeddableConfig.attributes;
  const layers = attrs.state.datasourceStates.formBased.layers;
  const inner = new Map(attrs.references.map((r) => [r.name, r]));
  const lifted = new Map(o.references.map((r) => [r.name, r]));
  for (const r of attrs.references) {
    const top = lifted.get(`${p.panelIndex}:${r.name}`);
    if (!top) add(`reference ${r.name} is not lifted to the dashboard's references`);
    else if (top.id !== r.id || top.type !== r.type)
      add(`reference ${r.name} differs from its dashboard copy`);
  }
  for (const [layerId, layer] of Object.entries(layers)) {
    if (!inner.has(layerReferenceName(layerId))) add(`layer ${layerId} has no data view reference`);
    const ids = Object.keys(layer.columns);
    const order = new Set(layer.columnOrder);
    if (order.size !== ids.length || ids.some((id) => !order.has(id)))
      add(`layer ${layerId}: columnOrder does not list exactly its columns`);
    for (const [colId, col] of Object.entries(layer.columns)) {
      for (const ref of col.references ?? []) {
        if (!(ref in layer.columns)) add(`column ${colId} references missing column ${ref}`);
      }
      const orderBy = col.params?.orderBy as { type?: string; columnId?: string } | undefined;
      if (orderBy?.type === 'column' && !(String(orderBy.columnId) in layer.columns)) {
        add(`column ${colId} is ordered by missing column ${orderBy.columnId}`);
      }
      if (col.operationType === 'formula') {
        const refs = col.references ?? [];
        if (refs.length !== 1 || layer.columns[refs[0] ?? '']?.operationType !== 'math')
          add(`formula ${colId} has no math column`);
        if (typeof col.params?.formula !== 'string' || col.params.formula === '')
          add(`formula ${colId} has no formula text`);
      }
    }
  }
  for (const { layerId, ids } of accessors(attrs.state.visualization)) {
    const layer = typeof layerId === 'string' ? layers[layerId] : undefined;
    if (!layer) {
      add(`visualization names missing layer ${String(layerId)}`);
      continue;
    }
    for (const [key, id] of ids) {
      if (typeof id !== 'string' || !(id in layer.columns))
        add(`visualization ${key} names missing column ${String(id)}`);
    }
  }
}

export function validateObjects(objects: readonly SavedObject[]): Problem[] {
  const problems: Problem[] = [];
  const byKey = new Map<string, SavedObject>();
  for (const o of objects) {
    if (byKey.has(label(o))) problems.push({ object: label(o), message: 'duplicate id' });
    byKey.set(label(o), o);
  }
  for (const o of objects) {
    checkStringifiedJson(o, o.attributes, '', problems);
    for (const r of o.references) {
      if (!byKey.has(`${r.type}/${r.id}`))
        problems.push({
          object: label(o),
          message: `reference ${r.name} → ${r.type}/${r.id} not in the file`,
        });
    }
    if (o.type !== 'dashboard') continue;
    for (const key of Object.keys(o.attributes)) {
      if (!DASHBOARD_ATTRIBUTES.has(key))
        problems.push({ object: label(o), message: `attribute ${key} is not in Kibana's dashboard schema` });
    }
    const panels = dashboardPanels(o, problems);
    const panelIds = new Set(panels.map((p) => p.panelIndex));
    if (panelIds.size !== panels.length) problems.push({ object: label(o), message: 'duplicate panelIndex' });
    for (const r of o.references) {
      const [panel] = r.name.split(':');
      if (!r.name.includes(':') || !panelIds.has(panel ?? ''))
        problems.push({ object: label(o), message: `reference ${r.name} belongs to no panel` });
    }
    for (const p of panels) checkPanel(o, p, problems);
  }
  return problems;
}

/** Parse and check an NDJSON text in one go. */
export function validateNdjson(text: string): { objects: SavedObject[]; problems: Problem[] } {
  const { objects, problems } = parseNdjson(text);
  return { objects, problems: [...problems, ...validateObjects(objects)] };
}
