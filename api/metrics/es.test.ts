import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errors } from '@elastic/elasticsearch';
import { toMailpulseError } from './es.js';

function response(statusCode: number, body: unknown) {
  return new errors.ResponseError({ body, statusCode, headers: {}, warnings: null, meta: {} as never });
}

test('client failures become catalogued errors with the right status', () => {
  const cases: [unknown, string, number][] = [
    [new errors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9200'), 'MP_ERR_ES_UNREACHABLE', 503],
    [new errors.TimeoutError('Request timed out'), 'MP_ERR_ES_UNREACHABLE', 503],
    [response(429, { error: { type: 'es_rejected_execution_exception' } }), 'MP_ERR_ES_UNREACHABLE', 503],
    [response(503, { error: { type: 'search_phase_execution_exception' } }), 'MP_ERR_ES_UNREACHABLE', 503],
    [
      response(400, {
        error: {
          type: 'search_phase_execution_exception',
          caused_by: { type: 'too_many_buckets_exception' },
        },
      }),
      'MP_ERR_API_VALIDATION',
      400,
    ],
    [
      response(400, { error: { type: 'parsing_exception', reason: 'Unknown aggregation type' } }),
      'MP_ERR_API_ES_QUERY',
      502,
    ],
    [new Error('something else'), 'MP_ERR_API_ES_QUERY', 502],
  ];
  for (const [err, code, status] of cases) {
    const mapped = toMailpulseError(err);
    assert.equal(mapped.code, code, String(err));
    assert.equal(mapped.statusCode, status, String(err));
  }
});
