import assert from 'node:assert/strict';
import { test } from 'node:test';
import { messageKey } from '../core/message.js';
import { dailyIndexDay, utcDay } from './index-names.js';
import { messageDay, messageDocId } from './state.js';

test('a message stays in the index of its first-seen day even when @timestamp moves earlier', () => {
  const key = messageKey('mx1', 'postfix', 'ABC123', '2026-11-27T00:00:01Z');
  assert.equal(messageDay({ key, '@timestamp': '2026-11-26T23:59:59Z' }), '2026.11.27');
});

test('message ids: the key itself, hashed only when too long', () => {
  assert.equal(messageDocId('mx1/postfix/ABC/1'), 'mx1/postfix/ABC/1');
  const long = `${'h'.repeat(300)}/postfix/ABC/1`;
  assert.equal(messageDocId(long).length, 27);
  assert.equal(messageDocId(long), messageDocId(long));
});

test('UTC days and daily names round-trip; bad times give no day', () => {
  assert.equal(utcDay('2026-01-02T23:30:00-02:00'), '2026.01.03');
  assert.equal(utcDay('not a date'), undefined);
  assert.equal(utcDay(Date.UTC(20000, 0, 1)), undefined);
  assert.deepEqual(dailyIndexDay('mp', 'mp-messages-2026.01.03'), {
    kind: 'messages',
    dayStart: Date.UTC(2026, 0, 3),
  });
});
