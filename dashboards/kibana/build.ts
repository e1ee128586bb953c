/**
 * The saved objects of all dashboards, serialized as the NDJSON Kibana's import API reads.
 * Pure and deterministic: the same prefix gives the same bytes, so the committed
 * `mailpulse.ndjson` can be checked against a fresh build.
 */
import { dataViews } from './data-views.js';
import { deliveryOverview } from './delivery-overview.js';
import { queue } from './queue.js';
import { rejectionsAbuse } from './rejections-abuse.js';
import type { SavedObject } from './saved-object.js';

/** Where `mailpulse dashboards build` writes by default, relative to the repository root. */
export const NDJSON_PATH = 'dashboards/kibana/mailpulse.ndjson';

/** Data views first: Kibana imports in file order and a dashboard's references must resolve. */
export function buildSavedObjects(prefix: string): SavedObject[] {
  const dv = dataViews(prefix);
  return [...dv.objects, deliveryOverview(prefix, dv), rejectionsAbuse(prefix, dv), queue(prefix, dv)];
}

export function toNdjson(objects: readonly SavedObject[]): string {
  return objects.map((o) => `${JSON.stringify(o)}\n`).join('');
}
