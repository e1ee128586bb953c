/**
 * The part of Kibana's Lens saved state (`formBased` datasource) our panels use, as zod
 * schemas: the builders produce these shapes and the validator parses panels back with them.
 * Field names and nesting follow what Kibana 8.17+ writes on export (`embeddableConfig.attributes`
 * of a by-value Lens panel).
 */
import { z } from 'zod';
import { ReferenceSchema } from './saved-object.js';

/** Kibana's field types as Lens names them (`dataType`). */
export const KIBANA_TYPES = ['number', 'string', 'date', 'ip', 'boolean'] as const;
export const KibanaTypeSchema = z.enum(KIBANA_TYPES);
export type KibanaType = z.infer<typeof KibanaTypeSchema>;

export const KqlSchema = z.object({ query: z.string(), language: z.literal('kuery') });
export type Kql = z.infer<typeof KqlSchema>;

/** Lens' pseudo-field of a plain document count. */
export const RECORDS_FIELD = '___records___';

export const LensColumnSchema = z.object({
  label: z.string(),
  customLabel: z.boolean().optional(),
  dataType: KibanaTypeSchema,
  operationType: z.enum([
    'date_histogram',
    'terms',
    'count',
    'unique_count',
    'percentile',
    'min',
    'max',
    'last_value',
    'cumulative_sum',
    'formula',
    'math',
  ]),
  isBucketed: z.boolean(),
  scale: z.enum(['ratio', 'ordinal', 'interval']),
  sourceField: z.string().optional(),
  filter: KqlSchema.optional(),
  references: z.array(z.string()).optional(),
  params: z.record(z.string(), z.unknown()).optional(),
});
export type LensColumn = z.infer<typeof LensColumnSchema>;

export const LensLayerSchema = z.object({
  columns: z.record(z.string(), LensColumnSchema),
  columnOrder: z.array(z.string()),
  incompleteColumns: z.record(z.string(), z.unknown()),
});
export type LensLayer = z.infer<typeof LensLayerSchema>;

export const VISUALIZATION_TYPES = ['lnsXY', 'lnsMetric', 'lnsDatatable', 'lnsPie'] as const;

export const LensAttributesSchema = z.object({
  title: z.string(),
  description: z.string(),
  visualizationType: z.enum(VISUALIZATION_TYPES),
  type: z.literal('lens'),
  references: z.array(ReferenceSchema),
  state: z.object({
    visualization: z.record(z.string(), z.unknown()),
    query: KqlSchema,
    filters: z.array(z.unknown()),
    datasourceStates: z.object({
      formBased: z.object({ layers: z.record(z.string(), LensLayerSchema) }),
    }),
    internalReferences: z.array(ReferenceSchema),
    adHocDataViews: z.record(z.string(), z.unknown()),
  }),
});
export type LensAttributes = z.infer<typeof LensAttributesSchema>;

export const GridDataSchema = z.object({
  x: z.number().int().min(0).max(47),
  y: z.number().int().min(0),
  w: z.number().int().min(1).max(48),
  h: z.number().int().min(1),
  i: z.string(),
});

export const LensPanelSchema = z.object({
  type: z.literal('lens'),
  panelIndex: z.string(),
  title: z.string(),
  gridData: GridDataSchema,
  embeddableConfig: z.object({
    attributes: LensAttributesSchema,
    enhancements: z.record(z.string(), z.unknown()),
  }),
});
export type LensPanel = z.infer<typeof LensPanelSchema>;

/** The reference name Lens gives the data view of one layer. */
export function layerReferenceName(layerId: string): string {
  return `indexpattern-datasource-layer-${layerId}`;
}
