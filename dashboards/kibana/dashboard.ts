/**
 * A dashboard saved object from by-value Lens panels. Kibana keeps the data-view references of
 * by-value panels twice: inside each panel's attributes, and lifted to the dashboard's own
 * `references` as `<panelIndex>:<name>` (that copy is what import checks and what space
 * copying rewrites), so both are written.
 */
import type { LensPanel } from './lens-schema.js';
import { type SavedObject, savedObject } from './saved-object.js';

export interface DashboardSpec {
  id: string;
  title: string;
  description: string;
  /** Default time range when the dashboard opens (Kibana date math). */
  timeFrom: string;
  panels: LensPanel[];
}

export function dashboard(spec: DashboardSpec): SavedObject {
  const keys = new Set<string>();
  for (const p of spec.panels) {
    if (keys.has(p.panelIndex)) throw new Error(`duplicate panel ${p.panelIndex} in ${spec.id}`);
    keys.add(p.panelIndex);
  }
  const references = spec.panels.flatMap((p) =>
    p.embeddableConfig.attributes.references.map((r) => ({ ...r, name: `${p.panelIndex}:${r.name}` })),
  );
  return savedObject(
    'dashboard',
    spec.id,
    {
      title: spec.title,
      description: spec.description,
      version: 1,
      timeRestore: true,
      timeFrom: spec.timeFrom,
      timeTo: 'now',
      refreshInterval: { pause: false, value: 60_000 },
      optionsJSON: JSON.stringify({
        useMargins: true,
        syncColors: false,
        syncCursor: true,
        syncTooltips: false,
        hidePanelTitles: false,
      }),
      panelsJSON: JSON.stringify(spec.panels),
      kibanaSavedObjectMeta: {
        searchSourceJSON: JSON.stringify({ query: { query: '', language: 'kuery' }, filter: [] }),
      },
    },
    references,
  );
}
