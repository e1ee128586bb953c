/**
 * Correlator state that survives restarts and rebalances. Every message document carries an
 * `indexer` stamp: the topic, partition and offset of the last line applied to it. Before a
 * partition's first batch (and after any batch that failed), the indexer rebuilds that
 * partition's correlator from the messages index:
 *
 * - open messages (not yet removed), so lines that straddle the restart join them;
 * - messages closed within the correlator's late-line grace before the newest one, so late lines
 *   still find them;
 * - messages touched by offsets at or after the batch's first offset: those lines were applied
 *   and written but not committed, and are coming again. Replayed lines up to each message's
 *   stamp are skipped for correlation (the event itself is rewritten idempotently), so counters
 *   such as `deferrals` and recipient `attempts` are not counted twice.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { EsClient } from '../core/elasticsearch.js';
import { type MessageDoc, MessageDocSchema } from '../core/message.js';
import { aliasName, utcDay } from './index-names.js';

export const IndexerStampSchema = z.object({
  topic: z.string(),
  partition: z.number().int(),
  offset: z.number().int(),
});
export type IndexerStamp = z.infer<typeof IndexerStampSchema>;

/** A message document as stored: the correlator's document plus the indexer's stamp. */
export const StoredMessageSchema = MessageDocSchema.extend({ indexer: IndexerStampSchema.optional() });
export type StoredMessage = z.infer<typeof StoredMessageSchema>;

/** The correlator's slot name for a message (host/instance/queue ID). */
export function messageSlot(host: string, instance: string | undefined, queueId: string): string {
  return `${host}/${instance ?? 'postfix'}/${queueId}`;
}

/**
 * The UTC day of a message's first-seen time, read from its key (`messageKey` ends with it in
 * ms). The key never changes while `@timestamp` may move earlier for an out-of-order line, so
 * the index a message lives in is stable.
 */
export function messageDay(doc: Pick<MessageDoc, 'key' | '@timestamp'>): string {
  const tail = Number(doc.key.slice(doc.key.lastIndexOf('/') + 1));
  return utcDay(Number.isFinite(tail) ? tail : doc['@timestamp']) ?? utcDay(Date.now()) ?? '1970.01.01';
}

/** `_id` of a message document: its key, hashed when too long for an id. */
export function messageDocId(key: string): string {
  return Buffer.byteLength(key) <= 256 ? key : createHash('sha1').update(key).digest('base64url');
}

export interface RestoredPartition {
  docs: MessageDoc[];
  /** Slot → stamp offset, for messages whose stamp is at or after the replay start. */
  replayUntil: Map<string, number>;
}

const PAGE = 5000;

/** Loads what the correlator of one partition needs before consuming from `fromOffset`. */
export async function loadPartitionState(
  client: EsClient,
  prefix: string,
  topic: string,
  partition: number,
  fromOffset: number,
  lateGraceMs: number,
): Promise<RestoredPartition> {
  const index = aliasName(prefix, 'messages');
  const docs: MessageDoc[] = [];
  const replayUntil = new Map<string, number>();
  // Writes acknowledged before a crash are durable but only searchable after a refresh.
  await client.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
  const partitionFilter = [
    { term: { 'indexer.topic': topic } },
    { term: { 'indexer.partition': partition } },
  ];
  const newest = await client.search({
    index,
    ignore_unavailable: true,
    allow_no_indices: true,
    size: 0,
    query: { bool: { filter: partitionFilter } },
    aggs: { updated: { max: { field: 'updated' } } },
  });
  const newestMs = (newest.aggregations?.updated as { value?: number | null } | undefined)?.value;
  if (newestMs === undefined || newestMs === null) return { docs, replayUntil };
  const query = {
    bool: {
      filter: partitionFilter,
      should: [
        {
          bool: {
            must_not: [{ exists: { field: 'removed_at' } }, { terms: { state: ['rejected', 'discarded'] } }],
          },
        },
        { range: { 'indexer.offset': { gte: fromOffset } } },
        { range: { updated: { gte: new Date(newestMs - lateGraceMs).toISOString() } } },
      ],
      minimum_should_match: 1,
    },
  };
  let after: (string | number)[] | undefined;
  for (;;) {
    const page = await client.search<StoredMessage>({
      index,
      ignore_unavailable: true,
      allow_no_indices: true,
      size: PAGE,
      query,
      sort: [{ '@timestamp': 'asc' }, { key: 'asc' }],
      ...(after ? { search_after: after } : {}),
    });
    const hits = page.hits.hits;
    for (const hit of hits) {
      const source = hit._source;
      if (!source) continue;
      const { indexer, ...doc } = source;
      docs.push(doc);
      if (indexer && indexer.offset >= fromOffset) {
        const slot = messageSlot(doc.host.name, doc.postfix.instance, doc.email.local_id);
        replayUntil.set(slot, Math.max(replayUntil.get(slot) ?? -1, indexer.offset));
      }
    }
    if (hits.length < PAGE) break;
    after = hits.at(-1)?.sort as (string | number)[];
  }
  return { docs, replayUntil };
}
