/**
 * Versioned message documents against the real Elasticsearch: whatever order the copies of a
 * document land in, the one with the highest version stays, and a refused older copy is not
 * a rejection (the batch that sent it is done).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { loadConfig } from '../../core/config.js';
import { createEsClient } from '../../core/elasticsearch.js';
import { type BulkAction, BulkBody, writeBulk } from '../../indexer/bulk.js';
import { uniqueName } from './indexer-support.js';

const es = createEsClient(loadConfig().elasticsearch);
const index = uniqueName('mptest-bulk');
const options = { isRunning: () => true, retryMaxMs: 1000 };

after(async () => {
  await es.indices.delete({ index, ignore_unavailable: true });
  await es.close();
});

function copy(n: number, version: number | undefined): BulkAction {
  return { op: 'index', kind: 'message', index, id: 'm1', version, source: JSON.stringify({ n }) };
}

async function stored(): Promise<number> {
  const doc = await es.get<{ n: number }>({ index, id: 'm1' });
  return doc._source?.n ?? Number.NaN;
}

test('the highest version stays whatever the arrival order; older copies are not rejections', async () => {
  assert.deepEqual(await writeBulk(es, BulkBody.of([copy(10, 10)]), options), []);
  assert.deepEqual(
    await writeBulk(es, BulkBody.of([copy(5, 5)]), options),
    [],
    'an older copy is done, not refused',
  );
  assert.equal(await stored(), 10);
  // The same version again (a replay of the same batch) replaces it: external_gte.
  assert.deepEqual(await writeBulk(es, BulkBody.of([copy(11, 10)]), options), []);
  assert.equal(await stored(), 11);
  // Both copies in one request, newest first: the older one still loses.
  assert.deepEqual(await writeBulk(es, BulkBody.of([copy(30, 30), copy(20, 20)]), options), []);
  assert.equal(await stored(), 30);
});

test('without a version the document is replaced as before', async () => {
  assert.deepEqual(await writeBulk(es, BulkBody.of([{ ...copy(1, undefined), id: 'm2' }]), options), []);
  assert.deepEqual(await writeBulk(es, BulkBody.of([{ ...copy(2, undefined), id: 'm2' }]), options), []);
  const doc = await es.get<{ n: number }>({ index, id: 'm2' });
  assert.equal(doc._source?.n, 2);
});
