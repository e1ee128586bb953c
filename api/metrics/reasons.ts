/**
 * "Top reasons" for rejections, deferrals and bounces: grouped by the parser's reason category
 * and its normalized reason text (variable parts removed), so a hundred client IPs blocked by
 * the same blocklist are one row.
 */
import type { estypes } from '@elastic/elasticsearch';
import { type ReasonCategory, ReasonCategorySchema } from '../../core/event.js';
import type { CountRow, ReasonRow } from '../schemas/common.js';
import type { CategoryRow } from '../schemas/reasons.js';
import { type Bucket, buckets, num } from './es.js';
import { F } from './fields.js';

/** Events without a category (older parsers, odd lines) are counted, under this name. */
export const UNCATEGORIZED: ReasonCategory = 'other';
/** Reason text of events that carry a category but no text. */
export const NO_REASON_TEXT = '';

export function reasonAggs(limit: number): Record<string, estypes.AggregationsAggregationContainer> {
  return {
    categories: {
      terms: {
        field: F.reasonCategory,
        size: 50,
        missing: UNCATEGORIZED,
        order: [{ _count: 'desc' }, { _key: 'asc' }],
      },
      aggs: {
        reasons: {
          terms: {
            field: F.reasonText,
            size: limit,
            missing: NO_REASON_TEXT,
            order: [{ _count: 'desc' }, { _key: 'asc' }],
          },
        },
      },
    },
  };
}

export function topTerms(
  field: string,
  limit: number,
  missing?: string,
): estypes.AggregationsAggregationContainer {
  return {
    terms: {
      field,
      size: limit,
      order: [{ _count: 'desc' }, { _key: 'asc' }],
      ...(missing === undefined ? {} : { missing }),
    },
  };
}

export function readCountRows(aggs: unknown, name: string): CountRow[] {
  return buckets(aggs, name).map((b) => ({ key: String(b.key), count: b.doc_count }));
}

/** Plain string order (as the report sorts), not the locale's. */
function codeUnitOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The category of a bucket: one of the parser's, or `other` for a value this version does not
 * know (documents written by another version), so an answer always fits its schema.
 */
export function knownCategory(value: unknown): ReasonCategory {
  const parsed = ReasonCategorySchema.safeParse(value);
  return parsed.success ? parsed.data : UNCATEGORIZED;
}

/** Categories with their top reasons, and the flat top list of (category, reason) pairs. */
export function readReasons(
  aggs: unknown,
  limit: number,
): { categories: CategoryRow[]; reasons: ReasonRow[] } {
  const categories: CategoryRow[] = buckets(aggs, 'categories').map((c: Bucket) => ({
    category: knownCategory(c.key),
    count: c.doc_count,
    reasons: buckets(c, 'reasons').map((r) => ({ reason: String(r.key), count: r.doc_count })),
  }));
  const reasons = categories
    .flatMap((c) => c.reasons.map((r) => ({ category: c.category, reason: r.reason, count: r.count })))
    .sort(
      (a, b) =>
        b.count - a.count || codeUnitOrder(a.category, b.category) || codeUnitOrder(a.reason, b.reason),
    )
    .slice(0, limit);
  return { categories, reasons };
}

/** `{rbl: 3, unknown_user: 1}` from a per-bucket category terms aggregation. */
export function readCategoryCounts(aggs: unknown, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const b of buckets(aggs, name)) out[String(b.key)] = num(b, 'doc_count');
  return out;
}
