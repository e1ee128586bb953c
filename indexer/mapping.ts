/**
 * Elasticsearch mappings generated from the zod schemas, so a field added to `EventSchema` or
 * `MessageDocSchema` is mapped without a second list to keep in step. The schema gives the
 * shape and the base type (string → keyword, integer → long, number → double, boolean, enum →
 * keyword); an override table per index says where ECS wants something else (dates, IPs, the
 * raw line stored but not indexed, long texts). Every override must name a field the schema
 * has: a renamed field fails the unit test instead of silently losing its type.
 */
import type { z } from 'zod';

export type MappingProperty = Record<string, unknown>;
export interface Mapping {
  dynamic: false | 'strict';
  properties: Record<string, MappingProperty>;
  dynamic_templates?: Record<string, unknown>[];
}

/** Longest keyword value indexed; longer values stay in `_source` but are not searchable. */
export const KEYWORD_IGNORE_ABOVE = 1024;
const keyword = (ignoreAbove = KEYWORD_IGNORE_ABOVE): MappingProperty => ({
  type: 'keyword',
  ignore_above: ignoreAbove,
});

export const DATE: MappingProperty = { type: 'date' };
/**
 * Postfix writes `unknown` for a client without address and IPv6 with zones; such a value must
 * not cost the whole document, so a malformed IP is kept in `_source` and just not indexed.
 */
export const IP: MappingProperty = { type: 'ip', ignore_malformed: true };
/** Reply texts: exact value for "top reasons" aggregations, plus full-text search. */
export const LONG_TEXT: MappingProperty = { ...keyword(2048), fields: { text: { type: 'text' } } };
/** Kept retrievable in `_source`, never indexed: the raw line can be any size. */
export const STORED_ONLY: MappingProperty = { type: 'keyword', index: false, doc_values: false };

interface ZodDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
}

function defOf(schema: z.ZodType): ZodDef {
  return (schema as unknown as { _zod: { def: ZodDef } })._zod.def;
}

function baseProperty(
  schema: z.ZodType,
  path: string,
  overrides: Record<string, MappingProperty>,
  used: Set<string>,
): MappingProperty {
  const override = overrides[path];
  if (override) {
    used.add(path);
    return override;
  }
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return baseProperty(def.innerType as z.ZodType, path, overrides, used);
    case 'pipe':
      return baseProperty(def.out as z.ZodType, path, overrides, used);
    case 'array':
      // Elasticsearch has no array type: an array of X is mapped as X.
      return baseProperty(def.element as z.ZodType, path, overrides, used);
    case 'object':
      return { properties: objectProperties(def.shape ?? {}, path, overrides, used) };
    case 'string':
    case 'enum':
    case 'literal':
      return keyword();
    case 'number':
      return (schema as unknown as { isInt?: boolean }).isInt ? { type: 'long' } : { type: 'double' };
    case 'boolean':
      return { type: 'boolean' };
    default:
      throw new Error(`no mapping for ${path} (zod type ${def.type}); add an override`);
  }
}

function objectProperties(
  shape: Record<string, z.ZodType>,
  prefix: string,
  overrides: Record<string, MappingProperty>,
  used: Set<string>,
): Record<string, MappingProperty> {
  const out: Record<string, MappingProperty> = {};
  for (const [name, child] of Object.entries(shape)) {
    out[name] = baseProperty(child, prefix ? `${prefix}.${name}` : name, overrides, used);
  }
  return out;
}

/**
 * The mapping of an object schema. `dynamic: false` at the root: a field the schema does not
 * know is kept in `_source` but never added to the mapping, so junk cannot explode it.
 */
export function mappingFromSchema(
  schema: z.ZodObject,
  overrides: Record<string, MappingProperty> = {},
  extra: Partial<Omit<Mapping, 'properties'>> = {},
): Mapping {
  const used = new Set<string>();
  const properties = objectProperties(schema.shape as Record<string, z.ZodType>, '', overrides, used);
  const unused = Object.keys(overrides).filter((path) => !used.has(path));
  if (unused.length > 0)
    throw new Error(`mapping overrides name fields the schema lacks: ${unused.join(', ')}`);
  return { dynamic: false, ...extra, properties };
}

/** Leaf field paths of a mapping with their type, e.g. `['source.ip', 'ip']` (for checks and docs). */
export function mappedFields(
  mapping: { properties?: Record<string, MappingProperty> },
  prefix = '',
): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, prop] of Object.entries(mapping.properties ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (prop.properties)
      out.push(...mappedFields(prop as { properties: Record<string, MappingProperty> }, path));
    else out.push([path, String(prop.type ?? 'object')]);
  }
  return out;
}
