import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileSilences, silencedBy } from './silences.js';
import type { Silence } from './state-store.js';

const silence = (matchers: Record<string, string>, starts: string, ends: string): Silence => ({
  id: 's',
  matchers,
  starts_at: starts,
  ends_at: ends,
  comment: '',
  created_by: 'test',
  created_at: starts,
});

describe('silences', () => {
  const labels = { alertname: 'bounce-rate', severity: 'warning', domain: 'a.example' };
  const at = Date.parse('2026-11-27T10:00:00Z');
  const cases: Array<[string, Silence, boolean]> = [
    [
      'every matcher matches',
      silence(
        { alertname: 'bounce-rate', domain: 'a.example' },
        '2026-11-27T09:00:00Z',
        '2026-11-27T11:00:00Z',
      ),
      true,
    ],
    [
      'one matcher differs',
      silence(
        { alertname: 'bounce-rate', domain: 'b.example' },
        '2026-11-27T09:00:00Z',
        '2026-11-27T11:00:00Z',
      ),
      false,
    ],
    [
      'a label the alert lacks',
      silence({ host: 'mx1' }, '2026-11-27T09:00:00Z', '2026-11-27T11:00:00Z'),
      false,
    ],
    [
      'not started yet',
      silence({ alertname: 'bounce-rate' }, '2026-11-27T10:00:01Z', '2026-11-27T11:00:00Z'),
      false,
    ],
    [
      'ended exactly now',
      silence({ alertname: 'bounce-rate' }, '2026-11-27T09:00:00Z', '2026-11-27T10:00:00Z'),
      false,
    ],
    [
      'starts exactly now',
      silence({ alertname: 'bounce-rate' }, '2026-11-27T10:00:00Z', '2026-11-27T10:00:01Z'),
      true,
    ],
  ];
  for (const [name, s, expected] of cases)
    it(name, () => assert.equal(silencedBy([s], labels, at) !== undefined, expected));

  it('file silences start at the epoch when no start is given, with stable ids', () => {
    const [s] = fileSilences([
      {
        matchers: { alertname: 'x' },
        ends_at: '2030-01-01T00:00:00Z',
        comment: '',
        created_by: 'rules file',
      },
    ]);
    assert.equal(s?.id, 'file-0');
    assert.equal(s?.starts_at, '1970-01-01T00:00:00.000Z');
  });
});
