/** Deferrals: attempts and distinct messages, categories and reasons, relays, domains, per bucket. */
import type { EsClient } from '../../core/elasticsearch.js';
import type { DeferralsResponse } from '../schemas/reasons.js';
import { BUCKET_DISTINCT_PRECISION, COUNTED, distinctMessages } from './counting.js';
import { type Aggs, buckets, num, type SearchRequest, search } from './es.js';
import { eventsIndex, F, RECIPIENT_DOMAIN } from './fields.js';
import { eventScope, type Filters } from './filters.js';
import { dateHistogram, fillBuckets } from './histogram.js';
import { isoString, type TimeRange } from './range.js';
import { readCountRows, readReasons, reasonAggs, topTerms } from './reasons.js';

export function deferralsQuery(
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
    query: { bool: { filter: [eventScope(range, filters), COUNTED.deferral] } },
    aggs: {
      messages: distinctMessages(),
      ...reasonAggs(limit),
      relays: topTerms(F.relayHost, limit),
      domains: topTerms(RECIPIENT_DOMAIN, limit),
      over_time: dateHistogram(F.timestamp, range, intervalMs, {
        messages: distinctMessages(BUCKET_DISTINCT_PRECISION),
      }),
    },
  };
}

export function shapeDeferrals(
  aggs: Aggs | undefined,
  total: number,
  range: TimeRange,
  interval: string,
  intervalMs: number,
  limit: number,
): DeferralsResponse {
  return {
    period: { from: isoString(range.from), to: isoString(range.to) },
    interval,
    deferrals: total,
    deferred: num(aggs, 'messages', 'value'),
    ...readReasons(aggs, limit),
    relays: readCountRows(aggs, 'relays'),
    domains: readCountRows(aggs, 'domains'),
    buckets: fillBuckets(range, intervalMs, buckets(aggs, 'over_time'), (b) => ({
      deferrals: num(b, 'doc_count'),
      deferred: num(b, 'messages', 'value'),
    })),
  };
}

export async function deferrals(
  client: EsClient,
  prefix: string,
  range: TimeRange,
  filters: Filters,
  interval: { text: string; ms: number },
  limit = 20,
): Promise<DeferralsResponse> {
  const res = await search(client, {
    ...deferralsQuery(prefix, range, filters, interval.ms, limit),
    track_total_hits: true,
  });
  const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
  return shapeDeferrals(
    res.aggregations as Aggs | undefined,
    total,
    range,
    interval.text,
    interval.ms,
    limit,
  );
}
