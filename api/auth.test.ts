import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bearerMatches } from './auth.js';

test('bearer token compare', () => {
  const token = 's3cret-token-0123456789';
  const cases: [string | undefined, boolean][] = [
    [`Bearer ${token}`, true],
    [`bearer ${token}`, true],
    [`Bearer  ${token} `, true],
    [`Bearer ${token}x`, false],
    [`Bearer ${token.slice(1)}`, false],
    [token, false],
    [`Basic ${token}`, false],
    [`Bearer ${token} ${token}`, false],
    ['Bearer', false],
    ['', false],
    [undefined, false],
  ];
  for (const [header, want] of cases) assert.equal(bearerMatches(header, token), want, String(header));
});
