/**
 * Retention against a real Elasticsearch: daily indices past RETENTION_DAYS are deleted by the
 * date in their name; younger ones, other prefixes and names that are not daily indices stay.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { loadConfig } from '../../core/config.js';
import { createEsClient } from '../../core/elasticsearch.js';
import { applyRetention, dailyIndexName, utcDay } from '../../indexer/index.js';
import { uniqueName } from './indexer-support.js';

const es = createEsClient(loadConfig().elasticsearch);
const prefix = uniqueName('mptest-idx-ret');

after(async () => {
  await es.indices.delete({ index: `${prefix}*` }, { ignore: [404] });
  await es.close();
});

test('indices older than the retention period are deleted, the rest stay', async () => {
  const day = (daysAgo: number) => utcDay(Date.now() - daysAgo * 86_400_000) as string;
  const old = [
    dailyIndexName(prefix, 'events', day(40)),
    dailyIndexName(prefix, 'messages', day(31)),
    dailyIndexName(prefix, 'deadletter', day(400)),
  ];
  const kept = [
    dailyIndexName(prefix, 'events', day(0)),
    dailyIndexName(prefix, 'events', day(29)),
    `${prefix}-events-archive`,
    `${prefix}x-events-${day(40)}`,
  ];
  for (const index of [...old, ...kept]) await es.indices.create({ index });

  const deleted = await applyRetention(es, prefix, 30);
  assert.deepEqual([...deleted].sort(), [...old].sort());
  const left = (await es.cat.indices({ index: `${prefix}*`, format: 'json', h: 'index' }))
    .map((r) => r.index)
    .sort();
  assert.deepEqual(left, [...kept].sort());
});
