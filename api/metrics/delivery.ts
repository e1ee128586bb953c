/**
 * Delivery figures (delivered, deferred, deferrals, bounced, expired, delivery rate) in total
 * and per time bucket, from delivery and expiry events only.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { EsClient } from '../../core/elasticsearch.js';
import type { DeliveryFigures, DeliveryResponse } from '../schemas/delivery.js';
import {
  BUCKET_DISTINCT_PRECISION,
  COUNTED,
  DISTINCT_PRECISION,
  deliveryRate,
  distinctMessages,
} from './counting.js';
import { type Aggs, buckets, num, type SearchRequest, search } from './es.js';
import { eventsIndex, F } from './fields.js';
import { eventScope, type Filters } from './filters.js';
import { dateHistogram, fillBuckets } from './histogram.js';
import { isoString, type TimeRange } from './range.js';

type AggMap = Record<string, estypes.AggregationsAggregationContainer>;

/**
 * Sub-aggregations that yield one DeliveryFigures; reused per bucket and per group (pass
 * `BUCKET_DISTINCT_PRECISION` for many small buckets).
 */
export function deliveryFigureAggs(precision = DISTINCT_PRECISION): AggMap {
  return {
    delivered: { filter: COUNTED.delivered },
    deferrals: { filter: COUNTED.deferral, aggs: { messages: distinctMessages(precision) } },
    bounced: { filter: COUNTED.bounced },
    expired: { filter: COUNTED.expired },
  };
}

export function readDeliveryFigures(aggs: unknown): DeliveryFigures {
  const delivered = num(aggs, 'delivered', 'doc_count');
  const bounced = num(aggs, 'bounced', 'doc_count');
  const expired = num(aggs, 'expired', 'doc_count');
  return {
    delivered,
    deferred: num(aggs, 'deferrals', 'messages', 'value'),
    deferrals: num(aggs, 'deferrals', 'doc_count'),
    bounced,
    expired,
    delivery_rate: deliveryRate(delivered, bounced, expired),
  };
}

/** Only the events these figures can come from, so the aggregations scan fewer documents. */
export const DELIVERY_EVENTS: estypes.QueryDslQueryContainer = {
  bool: {
    should: [{ term: { [F.action]: 'delivery' } }, COUNTED.expired],
    minimum_should_match: 1,
  },
};

export function deliveryQuery(
  prefix: string,
  range: TimeRange,
  filters: Filters,
  intervalMs: number,
): SearchRequest {
  const scope = eventScope(range, filters);
  return {
    index: eventsIndex(prefix),
    size: 0,
    track_total_hits: false,
    query: { bool: { filter: [scope, DELIVERY_EVENTS] } },
    aggs: {
      ...deliveryFigureAggs(),
      over_time: dateHistogram(F.timestamp, range, intervalMs, deliveryFigureAggs(BUCKET_DISTINCT_PRECISION)),
    },
  };
}

export function shapeDelivery(
  aggs: Aggs | undefined,
  range: TimeRange,
  interval: string,
  intervalMs: number,
): DeliveryResponse {
  return {
    period: { from: isoString(range.from), to: isoString(range.to) },
    interval,
    totals: readDeliveryFigures(aggs),
    buckets: fillBuckets(range, intervalMs, buckets(aggs, 'over_time'), (b) => readDeliveryFigures(b)),
  };
}

export async function deliveryOverTime(
  client: EsClient,
  prefix: string,
  range: TimeRange,
  filters: Filters,
  interval: { text: string; ms: number },
): Promise<DeliveryResponse> {
  const res = await search(client, deliveryQuery(prefix, range, filters, interval.ms));
  return shapeDelivery(res.aggregations as Aggs | undefined, range, interval.text, interval.ms);
}

/** The delivery figures for a range, without buckets (what a threshold rule reads). */
export async function deliveryStats(
  client: EsClient,
  prefix: string,
  range: TimeRange,
  filters: Filters,
): Promise<DeliveryFigures> {
  const res = await search(client, {
    index: eventsIndex(prefix),
    size: 0,
    track_total_hits: false,
    query: { bool: { filter: [eventScope(range, filters), DELIVERY_EVENTS] } },
    aggs: deliveryFigureAggs(),
  });
  return readDeliveryFigures(res.aggregations);
}
