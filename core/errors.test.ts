import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { repoPath } from './paths.js';
import { ERRORS, MailpulseError, describeError } from './errors.js';

test('every error code is documented in docs/errors.md', () => {
  const doc = readFileSync(repoPath('docs/errors.md'), 'utf8');
  const missing = Object.keys(ERRORS).filter((code) => !doc.includes(`\`${code}\``));
  assert.deepEqual(missing, []);
});

test('every code follows MP_ERR_<STAGE>_<WHAT>', () => {
  for (const code of Object.keys(ERRORS)) assert.match(code, /^MP_ERR_[A-Z]+_[A-Z_]+$/);
});

test('message templates are filled in order and described on one line', () => {
  const err = new MailpulseError('MP_ERR_KAFKA_UNREACHABLE', ['127.0.0.1:9092', 'ECONNREFUSED']);
  assert.equal(err.message, 'Kafka is not reachable at 127.0.0.1:9092: ECONNREFUSED');
  assert.equal(err.retryable, true);
  assert.equal(err.statusCode, 503);
  assert.equal(
    describeError(err),
    'MP_ERR_KAFKA_UNREACHABLE: Kafka is not reachable at 127.0.0.1:9092: ECONNREFUSED',
  );
});
