import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { messageKey, timestampMs } from './message-key.js';

describe('timestampMs', () => {
  const cases = [
    '2026-03-14T09:00:00.100Z',
    '1970-01-01T00:00:00.000Z',
    '2000-02-29T23:59:59.999Z',
    '2024-12-31T12:34:56.789Z',
    '2100-03-01T00:00:00.001Z',
    '1969-12-31T23:59:59.999Z',
    '2026-03-14T10:30:00+01:00',
    '2026-03-14T09:00:00Z',
  ];
  for (const iso of cases)
    it(`${iso} as Date.parse reads it`, () => assert.equal(timestampMs(iso), Date.parse(iso)));
  for (const bad of [
    '',
    'not a time',
    '2026-13-14T09:00:00.100Z',
    '2026-03-14T25:00:00.100Z',
    '2026-03-14T09:00:00.1x0Z',
  ]) {
    it(`${JSON.stringify(bad)} is NaN`, () => assert.ok(Number.isNaN(timestampMs(bad))));
  }
  it('agrees with Date.parse on random instants', () => {
    for (let i = 0; i < 2000; i++) {
      const iso = new Date(Math.floor(Math.random() * 8e12) - 1e12).toISOString();
      if (iso.length === 24) assert.equal(timestampMs(iso), Date.parse(iso), iso);
    }
  });
});

describe('messageKey', () => {
  it('host/instance/queue ID/first-seen ms, from a string or a number', () => {
    assert.equal(
      messageKey('mx1', 'postfix', 'ABC', '2026-03-14T09:00:00.100Z'),
      'mx1/postfix/ABC/1773478800100',
    );
    assert.equal(messageKey('mx1', 'postfix', 'ABC', 1773478800100), 'mx1/postfix/ABC/1773478800100');
  });
});
