/**
 * The saved-object envelope Kibana's import API reads, one JSON object per NDJSON line.
 *
 * Migration versions are those Kibana 8.17–8.19 write on export: `coreMigrationVersion`
 * 8.8.0 (the last core migration), data views (`index-pattern`) at type migration 8.0.0,
 * dashboards at model version 2 (`10.2.0`; model versions N are written as `10.N.0`). An
 * import runs every migration newer than the stated one, so objects stated at these versions
 * are brought up to whatever the receiving 8.19 (or 9.x) uses; stating a newer version than
 * the receiving Kibana knows makes it refuse the object, which is why we do not state 10.3.0.
 */
import { z } from 'zod';

export const KIBANA_TARGET = '8.19';
export const CORE_MIGRATION_VERSION = '8.8.0';
export const TYPE_MIGRATION_VERSIONS = {
  'index-pattern': '8.0.0',
  dashboard: '10.2.0',
} as const;

export const SAVED_OBJECT_TYPES = ['index-pattern', 'dashboard'] as const;
export type SavedObjectType = (typeof SAVED_OBJECT_TYPES)[number];

export const ReferenceSchema = z.object({
  type: z.string().min(1),
  id: z.string().min(1),
  name: z.string().min(1),
});
export type Reference = z.infer<typeof ReferenceSchema>;

export const SavedObjectSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a stable lowercase id'),
  type: z.enum(SAVED_OBJECT_TYPES),
  attributes: z.record(z.string(), z.unknown()),
  references: z.array(ReferenceSchema),
  managed: z.boolean(),
  coreMigrationVersion: z.string(),
  typeMigrationVersion: z.string(),
});
export type SavedObject = z.infer<typeof SavedObjectSchema>;

export function savedObject(
  type: SavedObjectType,
  id: string,
  attributes: Record<string, unknown>,
  references: Reference[],
): SavedObject {
  return {
    id,
    type,
    attributes,
    references,
    managed: false,
    coreMigrationVersion: CORE_MIGRATION_VERSION,
    typeMigrationVersion: TYPE_MIGRATION_VERSIONS[type],
  };
}
