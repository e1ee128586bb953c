/**
 * `writeBulk` against the real Elasticsearch. Versioned message documents: whatever order the
 * copies of a document land in, the one with the highest version stays, and a refused older
 * copy is not a rejection (the batch that sent it is done). Answers are read from their text:
 * every outcome (acknowledged, already there, refused, the whole request refused) comes out as
 * it would from the parsed answer.
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

test('answers read from their text: acknowledged, already there, refused, the request refused', async () => {
  const event = (id: string, source: string): BulkAction => ({
    op: 'create',
    kind: 'event',
    index,
    id,
    source,
  });
  assert.deepEqual(
    await writeBulk(es, BulkBody.of([event('e1', '{"n":1}'), event('e2', '{"n":2}')]), options),
    [],
  );
  // A replay: every item is a 409 with an error object, which is success for `create`.
  assert.deepEqual(
    await writeBulk(es, BulkBody.of([event('e1', '{"n":1}'), event('e3', '{"n":3}')]), options),
    [],
  );
  const refused = await writeBulk(
    es,
    BulkBody.of([event('e4', '{"n":4}'), event('e5', '{"n":"five"}')]),
    options,
  );
  assert.deepEqual(
    refused.map((r) => [r.action.id, r.status, r.type, r.source]),
    [['e5', 400, 'document_parsing_exception', '{"n":"five"}']],
  );
  // A document with a newline breaks the request itself: an error with the status, not a retry.
  await assert.rejects(
    writeBulk(es, BulkBody.of([event('e6', '{"n":6}\n{"create":')]), options),
    (err: Error & { meta?: { statusCode?: number } }) =>
      err.name === 'ResponseError' && err.meta?.statusCode === 400 && /x_content/.test(err.message),
  );
  const found = await es.mget<{ n: number }>({ index, ids: ['e1', 'e2', 'e3', 'e4', 'e5', 'e6'] });
  assert.deepEqual(
    found.docs.map((d) => ('found' in d && d.found ? d._id : null)),
    ['e1', 'e2', 'e3', 'e4', null, null],
  );
});
