/**
 * Dashboards: what operators look at.
 *
 * - `kibana/`: Kibana 8.19 saved objects kept as TypeScript source (one file per dashboard,
 *   readable ids), built into one NDJSON (`buildSavedObjects` → `toNdjson`) that
 *   `mailpulse dashboards import` posts to Kibana's import API. The build is pure and
 *   deterministic: the same index prefix gives the same bytes. `validateNdjson` and
 *   `checkFields` are the offline checks (structure, references, and every field against the
 *   mapping Elasticsearch reports) that stand in for a Kibana we do not run in tests.
 * - `page/`: the built-in page the API serves at `/`, plain HTML + ES modules + SVG charts
 *   with no build step, reading only the public `/api/v1` endpoints.
 */
export { buildSavedObjects, NDJSON_PATH, toNdjson } from './kibana/build.js';
export {
  checkFields,
  dataViewsOf,
  type DataViewFields,
  fieldsOfMappingResponse,
  kqlFields,
} from './kibana/field-check.js';
export { KIBANA_TARGET, type SavedObject } from './kibana/saved-object.js';
export {
  dashboardPanels,
  type Problem,
  parseNdjson,
  validateNdjson,
  validateObjects,
} from './kibana/validate.js';
export {
  describeFailure,
  type ImportResponse,
  importRequest,
  importToKibana,
} from './kibana/kibana-import.js';
