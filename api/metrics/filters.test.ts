import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeWildcard, eventFilterClauses, FiltersSchema, messageFilterClauses } from './filters.js';

test('filters become term and wildcard values, never query syntax', () => {
  const f = FiltersSchema.parse({
    host: 'mx1',
    domain: '@Example.ORG',
    sender: 'A@b.c',
    recipient: 'x" OR 1:1',
  });
  assert.deepEqual(f, { host: 'mx1', domain: 'example.org', sender: 'A@b.c', recipient: 'x" OR 1:1' });
  assert.deepEqual(eventFilterClauses(f), [
    { term: { 'host.name': { value: 'mx1' } } },
    { term: { 'email.to.domain': { value: 'example.org' } } },
    { term: { 'email.from.address': { value: 'A@b.c', case_insensitive: true } } },
    { term: { 'email.to.address': { value: 'x" OR 1:1', case_insensitive: true } } },
  ]);
  assert.deepEqual(messageFilterClauses({ domain: 'ex*am?ple.org' })[0], {
    wildcard: { 'recipients.address': { value: '*@ex\\*am\\?ple.org', case_insensitive: true } },
  });
  assert.deepEqual(eventFilterClauses({}), []);
});

test('bad filter values are refused with a reason', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ host: '' }, /must not be empty/],
    [{ host: '   ' }, /must not be empty/],
    [{ domain: 'a@b.org' }, /not an address/],
    [{ sender: 'a\u0000b' }, /control characters/],
    [{ recipient: 'x'.repeat(321) }, /longer than an address/],
  ];
  for (const [input, message] of cases) {
    const r = FiltersSchema.safeParse(input);
    assert.ok(!r.success, JSON.stringify(input));
    assert.match(r.error.issues[0]?.message ?? '', message);
  }
});

test('wildcard escaping', () => {
  assert.equal(escapeWildcard('a*b?c\\d'), 'a\\*b\\?c\\\\d');
  assert.equal(escapeWildcard('plain.example'), 'plain.example');
});
