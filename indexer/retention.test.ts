import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expiredIndices } from './retention.js';

const now = Date.parse('2026-11-27T10:00:00Z');

test('a day is deleted only once all of it lies beyond the retention period', () => {
  const names = [
    'mp-events-2026.10.27', // ended 2026-10-28T00:00, cutoff 2026-10-28T10:00: expired
    'mp-events-2026.10.28', // ends 2026-10-29T00:00: after the cutoff, kept
    'mp-messages-2026.09.01',
    'mp-deadletter-2025.01.01',
    'mp-events-2026.11.27',
  ];
  assert.deepEqual(expiredIndices('mp', names, now, 30), [
    'mp-events-2026.10.27',
    'mp-messages-2026.09.01',
    'mp-deadletter-2025.01.01',
  ]);
});

test('names that are not our daily indices are never candidates', () => {
  const names = [
    'mp-events', // the alias name, were it an index
    'mp-events-2020.13.01', // no such month
    'mp-events-2020.02.30', // no such day
    'mp-events-x-events-2020.01.01', // another prefix that starts with ours
    'mpx-events-2020.01.01',
    'mp-other-2020.01.01',
    'mp-events-2020.01.01-restored',
  ];
  assert.deepEqual(expiredIndices('mp', names, now, 1), []);
});

test('retention of one day keeps yesterday until today ends it', () => {
  assert.deepEqual(expiredIndices('mp', ['mp-events-2026.11.26', 'mp-events-2026.11.25'], now, 1), [
    'mp-events-2026.11.25',
  ]);
});
