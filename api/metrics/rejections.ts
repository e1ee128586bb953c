/** Rejections: totals, categories and reasons, blocklists, stages, clients, and per bucket. */
import type { EsClient } from '../../core/elasticsearch.js';
import type { RejectionsResponse } from '../schemas/reasons.js';
import { COUNTED } from './counting.js';
import { type Aggs, buckets, num, type SearchRequest, search } from './es.js';
import { eventsIndex, F } from './fields.js';
import { eventScope, type Filters } from './filters.js';
import { dateHistogram, fillBuckets } from './histogram.js';
import { isoString, type TimeRange } from './range.js';
import {
  readCategoryCounts,
  readCountRows,
  readReasons,
  reasonAggs,
  topTerms,
  UNCATEGORIZED,
} from './reasons.js';

export function rejectionsQuery(
  prefix: string,
  range: TimeRange,
  filters: Filters,
  intervalMs: number,
  limit: number,
): SearchRequest {
  return {
    index: eventsIndex(prefix),
    size: 0,
    track_total_hits: false,
    query: {
      bool: {
        filter: [
          eventScope(range, filters),
          { bool: { should: [COUNTED.rejected, COUNTED.reject_warning], minimum_should_match: 1 } },
        ],
      },
    },
    aggs: {
      reject_warnings: { filter: COUNTED.reject_warning },
      rejected: {
        filter: COUNTED.rejected,
        aggs: {
          ...reasonAggs(limit),
          rbls: topTerms(F.reasonRbl, limit),
          stages: topTerms('postfix.reject.stage', 20),
          clients: topTerms(F.clientIp, limit),
          over_time: dateHistogram(F.timestamp, range, intervalMs, {
            categories: topTerms(F.reasonCategory, 50, UNCATEGORIZED),
          }),
        },
      },
    },
  };
}

export function shapeRejections(
  aggs: Aggs | undefined,
  range: TimeRange,
  interval: string,
  intervalMs: number,
  limit: number,
): RejectionsResponse {
  const rejected = (aggs?.rejected ?? {}) as Aggs;
  return {
    period: { from: isoString(range.from), to: isoString(range.to) },
    interval,
    rejected: num(rejected, 'doc_count'),
    reject_warnings: num(aggs, 'reject_warnings', 'doc_count'),
    ...readReasons(rejected, limit),
    rbls: readCountRows(rejected, 'rbls'),
    stages: readCountRows(rejected, 'stages'),
    clients: readCountRows(rejected, 'clients'),
    buckets: fillBuckets(range, intervalMs, buckets(rejected, 'over_time'), (b) => ({
      rejected: num(b, 'doc_count'),
      by_category: readCategoryCounts(b, 'categories'),
    })),
  };
}

export async function rejections(
  client: EsClient,
  prefix: string,
  range: TimeRange,
  filters: Filters,
  interval: { text: string; ms: number },
  limit = 20,
): Promise<RejectionsResponse> {
  const res = await search(client, rejectionsQuery(prefix, range, filters, interval.ms, limit));
  return shapeRejections(res.aggregations as Aggs | undefined, range, interval.text, interval.ms, limit);
}
