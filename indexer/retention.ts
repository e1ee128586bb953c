/**
 * Retention without ILM: a daily index is deleted once its whole UTC day lies more than
 * `retentionDays` before now. Only names that parse as `<prefix>-<kind>-YYYY.MM.DD` are ever
 * candidates, so another prefix that starts the same way, or a hand-made index, is left alone.
 */
import type { EsClient } from '../core/elasticsearch.js';
import type { Logger } from '../core/logger.js';
import { INDEX_KINDS, dailyIndexDay, indexPattern } from './index-names.js';

const DAY_MS = 86_400_000;

/** The indices among `names` whose day ended more than `retentionDays` days before `now`. */
export function expiredIndices(
  prefix: string,
  names: readonly string[],
  now: number,
  retentionDays: number,
): string[] {
  const cutoff = now - retentionDays * DAY_MS;
  return names.filter((name) => {
    const parsed = dailyIndexDay(prefix, name);
    return parsed !== undefined && parsed.dayStart + DAY_MS <= cutoff;
  });
}

/** Deletes the expired daily indices of every kind; returns their names. */
export async function applyRetention(
  client: EsClient,
  prefix: string,
  retentionDays: number,
  logger?: Logger,
  now = Date.now(),
): Promise<string[]> {
  const names = await client.cat.indices({
    index: INDEX_KINDS.map((kind) => indexPattern(prefix, kind)),
    format: 'json',
    h: 'index',
    expand_wildcards: ['open', 'closed'],
  });
  const expired = expiredIndices(
    prefix,
    names.map((row) => row.index ?? ''),
    now,
    retentionDays,
  );
  // One request per index: a failure names the index and does not keep the others alive.
  for (const index of expired) {
    await client.indices.delete({ index });
    logger?.info({ index, retentionDays }, 'Deleted an index older than the retention period.');
  }
  return expired;
}
