import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlertNotice, Notification } from '../notification.js';
import { alertmanagerPayload, fingerprint } from './webhook.js';

const notice = (group: string, kind: AlertNotice['notice']): AlertNotice => ({
  notice: kind,
  group,
  labels: { alertname: 'bounce-rate', severity: 'warning', domain: group },
  value: 0.5,
  summary: `bounce_rate 50.0% for ${group}`,
  examples: [],
  startsAt: Date.UTC(2026, 10, 27, 9, 0),
  endsAt: kind === 'resolved' ? Date.UTC(2026, 10, 27, 10, 0) : null,
});

const n = (alerts: AlertNotice[]): Notification => ({
  id: 'msg_1',
  rule: 'bounce-rate',
  description: undefined,
  severity: 'warning',
  at: Date.UTC(2026, 10, 27, 10, 0),
  alerts,
  link: 'http://mp.test/api/v1/alerts?rule=bounce-rate',
});

describe('Alertmanager webhook payload (version 4)', () => {
  it('has every field an Alertmanager receiver reads', () => {
    const p = alertmanagerPayload(n([notice('a.example', 'firing')]));
    assert.deepEqual(Object.keys(p).sort(), [
      'alerts',
      'commonAnnotations',
      'commonLabels',
      'externalURL',
      'groupKey',
      'groupLabels',
      'receiver',
      'status',
      'truncatedAlerts',
      'version',
    ]);
    assert.equal(p.version, '4');
    assert.equal(p.status, 'firing');
    assert.deepEqual(p.groupLabels, { alertname: 'bounce-rate' });
    const [a] = p.alerts;
    assert.deepEqual(Object.keys(a ?? {}).sort(), [
      'annotations',
      'endsAt',
      'fingerprint',
      'generatorURL',
      'labels',
      'startsAt',
      'status',
    ]);
    assert.equal(a?.startsAt, '2026-11-27T09:00:00.000Z');
    assert.equal(a?.endsAt, '0001-01-01T00:00:00Z');
    assert.match(a?.fingerprint ?? '', /^[0-9a-f]{16}$/);
  });

  it('status is firing while any alert fires; common labels are those all alerts share', () => {
    const p = alertmanagerPayload(n([notice('a.example', 'resolved'), notice('b.example', 'firing')]));
    assert.equal(p.status, 'firing');
    assert.deepEqual(p.commonLabels, { alertname: 'bounce-rate', severity: 'warning' });
    assert.deepEqual(
      p.alerts.map((a) => [a.status, a.endsAt]),
      [
        ['resolved', '2026-11-27T10:00:00.000Z'],
        ['firing', '0001-01-01T00:00:00Z'],
      ],
    );
    assert.equal(alertmanagerPayload(n([notice('a.example', 'resolved')])).status, 'resolved');
  });

  it('a fingerprint depends on the labels, not their order', () => {
    assert.equal(fingerprint({ a: '1', b: '2' }), fingerprint({ b: '2', a: '1' }));
    assert.notEqual(fingerprint({ a: '1', b: '2' }), fingerprint({ a: '1', b: '3' }));
    assert.notEqual(fingerprint({ ab: '' }), fingerprint({ a: 'b' }));
  });
});
