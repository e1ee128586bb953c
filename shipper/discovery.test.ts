import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePattern } from './discovery.js';

test('compilePattern: globs in the file name, literal prefix for rotated neighbours', () => {
  const lit = compilePattern('/var/log/mail.log');
  assert.deepEqual([lit.dir, lit.match, lit.prefix], ['/var/log', null, 'mail.log']);
  const g = compilePattern('/var/log/mail*.log');
  assert.equal(g.prefix, 'mail');
  assert.ok(g.match?.test('mail.log'));
  assert.ok(g.match?.test('mail-out.log'));
  assert.ok(!g.match?.test('mail.log.1'));
  assert.ok(!g.match?.test('xmail.log'));
  const q = compilePattern('/l/mail.lo?');
  assert.ok(q.match?.test('mail.log'));
  assert.ok(!q.match?.test('mailxlog'), 'the dot is literal');
});
