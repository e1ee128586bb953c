/**
 * Message search (paged with `search_after` on first-seen time and key, so deep pages cost the
 * same as the first) and the whole lifecycle of one message: every hop of its trace with the
 * lines of each hop.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { EsClient } from '../../core/elasticsearch.js';
import { MailpulseError } from '../../core/errors.js';
import type { MessageSearchResponse, MessageTraceResponse } from '../schemas/messages.js';
import { type SearchRequest, search } from './es.js';
import { eventsIndex, F, M, messagesIndex } from './fields.js';
import { type Filters, messageFilterClauses, timeRangeQuery } from './filters.js';
import type { TimeRange } from './range.js';

type Query = estypes.QueryDslQueryContainer;
type Doc = Record<string, unknown>;

/** Sort values of the last message of a page: first-seen ms and key. */
export type Cursor = [number, string];

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** The cursor, or undefined for anything this API did not produce. */
export function decodeCursor(text: string): Cursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'number' &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === 'string' &&
      value[1].length <= 1000
    ) {
      return [value[0], value[1]];
    }
  } catch {
    // Not base64 JSON: falls through to "not a cursor".
  }
  return undefined;
}

export interface MessageSearch {
  range: TimeRange;
  queue_id?: string;
  message_id?: string;
  status?: string;
  limit: number;
  after?: Cursor;
}

/** `<id@host>` and `id@host` both find the message: Postfix logs the brackets. */
function messageIdValues(id: string): string[] {
  const bare = id.replace(/^<(.*)>$/, '$1');
  return [bare, `<${bare}>`];
}

export function messageSearchQuery(prefix: string, q: MessageSearch, filters: Filters): SearchRequest {
  const filter: Query[] = [timeRangeQuery(M.timestamp, q.range), ...messageFilterClauses(filters)];
  if (q.queue_id !== undefined) filter.push({ term: { [M.queueId]: q.queue_id } });
  if (q.message_id !== undefined) filter.push({ terms: { [M.messageId]: messageIdValues(q.message_id) } });
  if (q.status !== undefined) filter.push({ term: { [M.state]: q.status } });
  return {
    index: messagesIndex(prefix),
    size: q.limit,
    track_total_hits: 10_000,
    query: { bool: { filter } },
    sort: [{ [M.timestamp]: { order: 'desc' } }, { [M.key]: { order: 'asc' } }],
    ...(q.after ? { search_after: q.after } : {}),
  };
}

export function shapeMessageSearch(res: estypes.SearchResponse<Doc>, limit: number): MessageSearchResponse {
  const hits = res.hits.hits;
  const total = res.hits.total;
  const last = hits.at(-1);
  const sort = last?.sort;
  const next =
    hits.length === limit && Array.isArray(sort) && typeof sort[0] === 'number' && typeof sort[1] === 'string'
      ? encodeCursor([sort[0], sort[1]])
      : null;
  return {
    total: typeof total === 'number' ? total : (total?.value ?? hits.length),
    total_relation: typeof total === 'object' && total.relation === 'gte' ? 'gte' : 'eq',
    messages: hits.map((h) => h._source as MessageSearchResponse['messages'][number]),
    next,
  };
}

export async function searchMessages(
  client: EsClient,
  prefix: string,
  q: MessageSearch,
  filters: Filters,
): Promise<MessageSearchResponse> {
  const res = await search(client, messageSearchQuery(prefix, q, filters));
  return shapeMessageSearch(res, q.limit);
}

/** Lines returned per trace; a longer trace says `truncated`. */
export const TRACE_MAX_EVENTS = 2000;
const TRACE_MAX_HOPS = 100;

type MessageOut = MessageTraceResponse['message'];
type EventOut = MessageTraceResponse['hops'][number]['events'][number];

/** The messages an id names: its key, a queue ID or a Message-ID; newest first. */
export function findMessageQuery(prefix: string, id: string): SearchRequest {
  return {
    index: messagesIndex(prefix),
    size: 20,
    query: {
      bool: {
        should: [
          { term: { [M.key]: id } },
          { term: { [M.queueId]: id } },
          { terms: { [M.messageId]: messageIdValues(id) } },
        ],
        minimum_should_match: 1,
      },
    },
    sort: [{ [M.timestamp]: { order: 'desc' } }, { [M.key]: { order: 'asc' } }],
  };
}

function hopEventsQuery(prefix: string, hops: MessageOut[]): SearchRequest {
  return {
    index: eventsIndex(prefix),
    size: TRACE_MAX_EVENTS,
    track_total_hits: TRACE_MAX_EVENTS + 1,
    query: {
      bool: {
        should: hops.map((h) => ({
          bool: {
            filter: [
              { term: { [F.host]: h.host.name } },
              { term: { [F.queueId]: h.email.local_id } },
              { range: { [F.timestamp]: { gte: h['@timestamp'], lte: h.updated } } },
            ],
          },
        })),
        minimum_should_match: 1,
      },
    },
    sort: [{ [F.timestamp]: { order: 'asc' } }, { 'log.offset': { order: 'asc', unmapped_type: 'long' } }],
  };
}

/** Assigns each line to the hop it belongs to (same host and queue ID, inside its lifetime). */
export function groupTrace(hops: MessageOut[], events: EventOut[]): MessageTraceResponse['hops'] {
  const out = hops.map((message) => ({ message, events: [] as EventOut[] }));
  for (const ev of events) {
    const t = Date.parse(ev['@timestamp']);
    const hop = out.find(
      ({ message: m }) =>
        m.host.name === ev.host.name &&
        m.email.local_id === ev.email?.local_id &&
        t >= Date.parse(m['@timestamp']) &&
        t <= Date.parse(m.updated),
    );
    hop?.events.push(ev);
  }
  return out;
}

export async function messageTrace(
  client: EsClient,
  prefix: string,
  id: string,
): Promise<MessageTraceResponse> {
  const found = await search(client, findMessageQuery(prefix, id));
  const [first, ...rest] = found.hits.hits.map((h) => h._source as MessageOut);
  if (first === undefined)
    throw new MailpulseError('MP_ERR_API_NOT_FOUND', [`Message ${JSON.stringify(id)}`]);
  const trace = await search(client, {
    index: messagesIndex(prefix),
    size: TRACE_MAX_HOPS,
    query: { term: { [M.traceId]: first.trace_id } },
    sort: [{ [M.timestamp]: { order: 'asc' } }, { [M.key]: { order: 'asc' } }],
  });
  const hops = trace.hits.hits.map((h) => h._source as MessageOut);
  if (!hops.some((h) => h.key === first.key)) hops.unshift(first);
  const events = await search(client, hopEventsQuery(prefix, hops));
  const total = events.hits.total;
  const totalEvents = typeof total === 'number' ? total : (total?.value ?? 0);
  return {
    message: first,
    others: rest.map((m) => m.key),
    hops: groupTrace(
      hops,
      events.hits.hits.map((h) => h._source as EventOut),
    ),
    truncated: totalEvents > TRACE_MAX_EVENTS || hops.length >= TRACE_MAX_HOPS,
  };
}
