/**
 * Does every field a panel reads exist, with a type its operation accepts, in the mapping
 * Elasticsearch reports? Kibana's answer to a wrong field is an empty or broken panel at 3 a.m.;
 * this answers before import. Input is the `GET <alias>/_mapping` body per data view title.
 */
import { dashboardPanels } from './validate.js';
import type { KibanaType, LensColumn } from './lens-schema.js';
import { RECORDS_FIELD } from './lens-schema.js';
import type { Problem } from './validate.js';
import type { SavedObject } from './saved-object.js';

export interface MappedField {
  esType: string;
  kibanaType: KibanaType | 'unsupported';
  searchable: boolean;
  aggregatable: boolean;
}

const KIBANA_TYPE_OF: Record<string, KibanaType> = {
  keyword: 'string',
  constant_keyword: 'string',
  wildcard: 'string',
  text: 'string',
  match_only_text: 'string',
  long: 'number',
  integer: 'number',
  short: 'number',
  byte: 'number',
  double: 'number',
  float: 'number',
  half_float: 'number',
  scaled_float: 'number',
  unsigned_long: 'number',
  date: 'date',
  date_nanos: 'date',
  ip: 'ip',
  boolean: 'boolean',
};

function mappedField(prop: Record<string, unknown>): MappedField {
  const esType = String(prop.type ?? 'object');
  const kibanaType = KIBANA_TYPE_OF[esType] ?? 'unsupported';
  const textLike = esType === 'text' || esType === 'match_only_text';
  return {
    esType,
    kibanaType,
    searchable: prop.index !== false,
    aggregatable: kibanaType !== 'unsupported' && !textLike && prop.doc_values !== false,
  };
}

function flatten(
  properties: Record<string, Record<string, unknown>>,
  prefix: string,
  out: Map<string, MappedField>,
): void {
  for (const [name, prop] of Object.entries(properties)) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (prop.properties && prop.type !== 'nested') {
      flatten(prop.properties as Record<string, Record<string, unknown>>, path, out);
    } else {
      out.set(path, mappedField(prop));
    }
    if (prop.fields) flatten(prop.fields as Record<string, Record<string, unknown>>, path, out);
  }
}

/**
 * Fields of a `GET <alias>/_mapping` answer (one entry per concrete index). A field typed
 * differently in two indices is a conflict Kibana cannot aggregate on; it is reported as
 * `unsupported`.
 */
export function fieldsOfMappingResponse(
  body: Record<string, { mappings?: { properties?: Record<string, Record<string, unknown>> } }>,
): Map<string, MappedField> {
  const merged = new Map<string, MappedField>();
  for (const index of Object.values(body)) {
    const fields = new Map<string, MappedField>();
    flatten(index.mappings?.properties ?? {}, '', fields);
    for (const [path, f] of fields) {
      const seen = merged.get(path);
      if (seen && seen.esType !== f.esType)
        merged.set(path, {
          ...f,
          esType: `conflict(${seen.esType},${f.esType})`,
          kibanaType: 'unsupported',
          aggregatable: false,
        });
      else if (!seen) merged.set(path, f);
    }
  }
  return merged;
}

/** Field names a KQL query tests (`field : value`), quoted values removed first. */
export function kqlFields(kql: string): string[] {
  const unquoted = kql.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...unquoted.matchAll(/([A-Za-z_@][\w.@-]*)\s*:/g)].map((m) => m[1] as string);
}

const OPERATION_TYPES: Partial<Record<LensColumn['operationType'], readonly KibanaType[]>> = {
  date_histogram: ['date'],
  terms: ['string', 'number', 'ip', 'boolean'],
  unique_count: ['string', 'number', 'ip', 'boolean', 'date'],
  percentile: ['number'],
  min: ['number', 'date'],
  max: ['number', 'date'],
  count: ['string', 'number', 'ip', 'boolean', 'date'],
};

export interface DataViewFields {
  title: string;
  timeFieldName: string;
  /** Names in the data view's `runtimeFieldMap`: our dashboards use none, so any is reported. */
  runtimeFields: string[];
  mapped: Map<string, MappedField>;
}

const lookup = (dv: DataViewFields, field: string) => dv.mapped.get(field);

function checkColumn(dv: DataViewFields, colId: string, col: LensColumn, add: (m: string) => void): void {
  if (col.sourceField !== undefined && col.sourceField !== RECORDS_FIELD) {
    const f = lookup(dv, col.sourceField);
    const allowed = OPERATION_TYPES[col.operationType];
    if (!f) add(`column ${colId}: field ${col.sourceField} is not in ${dv.title}'s mapping`);
    else if (!f.aggregatable)
      add(`column ${colId}: field ${col.sourceField} (${f.esType}) cannot be aggregated`);
    else if (allowed && !allowed.includes(f.kibanaType as KibanaType)) {
      add(`column ${colId}: ${col.operationType} cannot use ${col.sourceField} (${f.esType})`);
    } else if (
      ['terms', 'min', 'max', 'date_histogram'].includes(col.operationType) &&
      col.dataType !== f.kibanaType
    ) {
      add(
        `column ${colId}: dataType ${col.dataType} but ${col.sourceField} is ${f.kibanaType} (${f.esType})`,
      );
    }
  }
  if (col.filter) checkKql(dv, col.filter.query, `column ${colId} filter`, add);
}

function checkKql(dv: DataViewFields, kql: string, where: string, add: (m: string) => void): void {
  for (const field of kqlFields(kql)) {
    const f = lookup(dv, field);
    if (!f) add(`${where}: KQL field ${field} is not in ${dv.title}'s mapping`);
    else if (!f.searchable) add(`${where}: KQL field ${field} is not indexed`);
  }
}

/** Field problems of every data view and every panel of `objects`; `views` keyed by data view id. */
export function checkFields(
  objects: readonly SavedObject[],
  views: ReadonlyMap<string, DataViewFields>,
): Problem[] {
  const problems: Problem[] = [];
  for (const [id, dv] of views) {
    const add = (message: string) => problems.push({ object: `index-pattern/${id}`, message });
    const time = dv.mapped.get(dv.timeFieldName);
    if (time?.kibanaType !== 'date')
      add(`time field ${dv.timeFieldName} is ${time?.esType ?? 'not mapped'}, not a date`);
    if (dv.runtimeFields.length > 0)
      add(`runtime fields ${dv.runtimeFields.join(', ')} are not checked against the mapping`);
  }
  for (const o of objects) {
    if (o.type !== 'dashboard') continue;
    for (const p of dashboardPanels(o)) {
      const attrs = p.embeddableConfig.attributes;
      const refs = new Map(attrs.references.map((r) => [r.name, r.id]));
      for (const [layerId, layer] of Object.entries(attrs.state.datasourceStates.formBased.layers)) {
        const add = (message: string) =>
          problems.push({ object: `dashboard/${o.id}`, message: `panel ${p.panelIndex}: ${message}` });
        const dvId = refs.get(`indexpattern-datasource-layer-${layerId}`);
        const dv = dvId === undefined ? undefined : views.get(dvId);
        if (!dv) {
          add(`layer ${layerId} uses data view ${dvId ?? '(none)'}, which has no mapping to check`);
          continue;
        }
        checkKql(dv, attrs.state.query.query, 'panel query', add);
        for (const [colId, col] of Object.entries(layer.columns)) checkColumn(dv, colId, col, add);
      }
    }
  }
  return problems;
}

/** The data view objects of a file, ready to be paired with their mappings. */
export function dataViewsOf(
  objects: readonly SavedObject[],
): ({ id: string } & Omit<DataViewFields, 'mapped'>)[] {
  return objects
    .filter((o) => o.type === 'index-pattern')
    .map((o) => ({
      id: o.id,
      title: String(o.attributes.title),
      timeFieldName: String(o.attributes.timeFieldName),
      runtimeFields: Object.keys(JSON.parse(String(o.attributes.runtimeFieldMap ?? '{}'))),
    }));
}
