/**
 * The one place the metric queries meet the Elasticsearch client: a search over our aliases
 * that tolerates missing indices (a fresh install has none; the answer is zeros) and turns
 * client failures into catalogued errors (unreachable or busy → 503, too many buckets → 400, a
 * refused query → 502).
 */
import { errors, type estypes } from '@elastic/elasticsearch';
import type { EsClient } from '../../core/elasticsearch.js';
import { MailpulseError } from '../../core/errors.js';

export type SearchRequest = estypes.SearchRequest;
export type SearchResponse = estypes.SearchResponse<Record<string, unknown>>;

/** Aggregation results are read loosely by the shapers, which check every number they use. */
export type Aggs = Record<string, unknown>;

export interface SearchOptions {
  /** Per-request timeout; the client's default otherwise. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export function toMailpulseError(err: unknown, url = 'Elasticsearch'): MailpulseError {
  if (err instanceof MailpulseError) return err;
  if (err instanceof errors.ResponseError) {
    const status = err.statusCode ?? 0;
    const type = (err.body as { error?: { type?: string; reason?: string } } | undefined)?.error;
    // The request asked for more buckets than the cluster allows (`search.max_buckets`): the
    // parameters' fault, whatever the schema let through, so a 400 and not a 5xx.
    if (JSON.stringify(err.body ?? '').includes('too_many_buckets_exception')) {
      return new MailpulseError(
        'MP_ERR_API_VALIDATION',
        [
          'the range holds more buckets than Elasticsearch answers at once (search.max_buckets): use a wider interval or a shorter range',
        ],
        { cause: err },
      );
    }
    if (status === 429 || status === 503 || status === 502 || status === 504) {
      return new MailpulseError(
        'MP_ERR_ES_UNREACHABLE',
        [url, `answered ${status} (${type?.type ?? 'busy'})`],
        { cause: err },
      );
    }
    return new MailpulseError(
      'MP_ERR_API_ES_QUERY',
      [`${status} ${type?.type ?? ''}: ${type?.reason ?? err.message}`],
      { cause: err },
    );
  }
  if (err instanceof errors.ElasticsearchClientError) {
    return new MailpulseError('MP_ERR_ES_UNREACHABLE', [url, err.message], { cause: err });
  }
  return new MailpulseError('MP_ERR_API_ES_QUERY', [err instanceof Error ? err.message : String(err)], {
    cause: err,
  });
}

export async function search(
  client: EsClient,
  request: SearchRequest,
  options: SearchOptions = {},
): Promise<SearchResponse> {
  try {
    return (await client.search(
      // No `request_cache` flag: the index setting (on by default) caches every `size: 0`
      // answer, and an operator who turned it off keeps it off. Ranges resolved against a
      // rounded `now` (range.ts) are what make repeated requests hit it.
      { ignore_unavailable: true, allow_no_indices: true, ...request },
      { requestTimeout: options.timeoutMs, signal: options.signal, maxRetries: 1 },
    )) as SearchResponse;
  } catch (err) {
    throw toMailpulseError(err);
  }
}

/** Reads `path` inside an aggregation result: a number or 0 when absent. */
export function num(aggs: unknown, ...path: string[]): number {
  let cur: unknown = aggs;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return 0;
    cur = (cur as Record<string, unknown>)[key];
  }
  return typeof cur === 'number' && Number.isFinite(cur) ? cur : 0;
}

/** A nullable number (`value` of a min/max/percentile agg over no documents is null). */
export function numOrNull(aggs: unknown, ...path: string[]): number | null {
  let cur: unknown = aggs;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return null;
    cur = (cur as Record<string, unknown>)[key];
  }
  return typeof cur === 'number' && Number.isFinite(cur) ? cur : null;
}

export interface Bucket {
  key: unknown;
  key_as_string?: string;
  doc_count: number;
  [sub: string]: unknown;
}

/** The `buckets` array of a terms / histogram aggregation at `path`, or []. */
export function buckets(aggs: unknown, ...path: string[]): Bucket[] {
  let cur: unknown = aggs;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return [];
    cur = (cur as Record<string, unknown>)[key];
  }
  const list = (cur as { buckets?: unknown } | undefined)?.buckets;
  return Array.isArray(list) ? (list as Bucket[]) : [];
}
