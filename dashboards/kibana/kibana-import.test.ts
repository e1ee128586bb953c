import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeFailure, ImportResponseSchema, importRequest } from './kibana-import.js';

test('the import URL keeps a base path, adds the space, and moves URL credentials to a header', () => {
  const cases: [Parameters<typeof importRequest>[0], string, string | undefined][] = [
    [
      { kibanaUrl: 'http://localhost:5601' },
      'http://localhost:5601/api/saved_objects/_import?overwrite=true',
      undefined,
    ],
    [
      { kibanaUrl: 'https://k.example/kibana/', space: 'ops' },
      'https://k.example/kibana/s/ops/api/saved_objects/_import?overwrite=true',
      undefined,
    ],
    [
      { kibanaUrl: 'http://elastic:p%40ss@k:5601', space: 'default' },
      'http://k:5601/api/saved_objects/_import?overwrite=true',
      `Basic ${Buffer.from('elastic:p@ss').toString('base64')}`,
    ],
    [
      { kibanaUrl: 'http://u:p@k:5601', apiKey: 'abc==' },
      'http://k:5601/api/saved_objects/_import?overwrite=true',
      'ApiKey abc==',
    ],
  ];
  for (const [input, url, auth] of cases) {
    const r = importRequest(input);
    assert.equal(r.url, url);
    assert.equal(r.headers.authorization, auth);
    assert.ok(r.headers['kbn-xsrf']);
  }
});

test('each kind of import failure reads as one line with its reason', () => {
  const body = ImportResponseSchema.parse({
    success: false,
    successCount: 2,
    errors: [
      {
        id: 'd1',
        type: 'dashboard',
        title: 'Queue',
        meta: {},
        error: { type: 'missing_references', references: [{ type: 'index-pattern', id: 'x-events' }] },
      },
      { id: 'v1', type: 'index-pattern', meta: { title: 'x-events' }, error: { type: 'conflict' } },
      { id: 'l1', type: 'lens', meta: {}, error: { type: 'unsupported_type' } },
      {
        id: 'd2',
        type: 'dashboard',
        meta: {},
        error: {
          type: 'unknown',
          message:
            'Document "d2" has property "dashboard" which belongs to a more recent version of Kibana [10.9.0]',
          statusCode: 400,
        },
      },
    ],
  });
  assert.deepEqual(body.errors.map(describeFailure), [
    'dashboard d1 ("Queue"): missing references index-pattern/x-events',
    'index-pattern v1 ("x-events"): conflict with an existing object (import with overwrite)',
    'lens l1: this Kibana does not support the type lens',
    'dashboard d2: unknown (HTTP 400): Document "d2" has property "dashboard" which belongs to a more recent version of Kibana [10.9.0]',
  ]);
});
