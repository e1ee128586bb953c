/**
 * Per destination domain delivery table. Expiry is a message-level event without a recipient,
 * so it has no domain and is not in this table (it is in /delivery and /summary).
 */
import type { EsClient } from '../../core/elasticsearch.js';
import type { DomainRow, DomainsResponse } from '../schemas/domains.js';
import { COUNTED } from './counting.js';
import { deliveryFigureAggs, readDeliveryFigures } from './delivery.js';
import { type Aggs, buckets, numOrNull, type SearchRequest, search } from './es.js';
import { eventsIndex, F, RECIPIENT_DOMAIN } from './fields.js';
import { eventScope, type Filters } from './filters.js';
import { isoString, type TimeRange } from './range.js';

export function domainsQuery(
  prefix: string,
  range: TimeRange,
  filters: Filters,
  limit: number,
): SearchRequest {
  return {
    index: eventsIndex(prefix),
    size: 0,
    track_total_hits: false,
    query: { bool: { filter: [eventScope(range, filters), { term: { [F.action]: 'delivery' } }] } },
    aggs: {
      domains: {
        terms: { field: RECIPIENT_DOMAIN, size: limit, order: [{ _count: 'desc' }, { _key: 'asc' }] },
        aggs: {
          ...deliveryFigureAggs(),
          delay: {
            filter: COUNTED.delivered,
            aggs: { p: { percentiles: { field: F.delay, percents: [95] } } },
          },
        },
      },
    },
  };
}

export function shapeDomains(aggs: Aggs | undefined, range: TimeRange): DomainsResponse {
  const domains: DomainRow[] = buckets(aggs, 'domains').map((b) => {
    const { expired: _e, ...figures } = readDeliveryFigures(b);
    return { domain: String(b.key), ...figures, delay_p95: numOrNull(b, 'delay', 'p', 'values', '95.0') };
  });
  return { period: { from: isoString(range.from), to: isoString(range.to) }, domains };
}

export async function domainTable(
  client: EsClient,
  prefix: string,
  range: TimeRange,
  filters: Filters,
  limit = 50,
): Promise<DomainsResponse> {
  const res = await search(client, domainsQuery(prefix, range, filters, limit));
  return shapeDomains(res.aggregations as Aggs | undefined, range);
}
