/**
 * The alerts API (`/api/v1/alerts`, `/api/v1/silences`) on fastify's inject against the real
 * Elasticsearch, together with an engine writing the same index: an API silence stops the
 * notice, ending it lets the notice out at the next step, and the API shows state and history.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { Registry } from 'prom-client';
import { startAlerts } from '../../alerts/index.js';
import { installErrorHandlers } from '../../api/error-handler.js';
import { alertsRoutes } from '../../api/routes/alerts.js';
import {
  baseTime,
  engineConfig,
  line,
  MIN,
  manualClock,
  payloadAlerts,
  type Receiver,
  startReceiver,
  type TestIndex,
  testIndex,
  testLogger,
  writeRules,
} from './alerts-support.js';

describe('alerts API and silences', () => {
  let index: TestIndex;
  let receiver: Receiver;
  const t0 = baseTime();
  const app = Fastify().withTypeProvider<ZodTypeProvider>();

  before(async () => {
    index = await testIndex('alerts-api');
    receiver = await startReceiver();
    await index.write([line.fatal(t0 + 10_000, 'mx7'), line.fatal(t0 + 20_000, 'mx8')]);
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    installErrorHandlers(app);
    await app.register(alertsRoutes, {
      prefix: '/api/v1',
      es: index.client,
      indexPrefix: index.prefix,
      registry: new Registry(),
      logger: testLogger(),
    });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await receiver.close();
    await index.drop();
  });

  it('an API silence holds the notice back; ending it lets the firing notice out at the next step; the API shows state and history', async () => {
    const rules = `
rules:
  - name: fatal-by-host
    kind: pattern
    query: { action: [fatal] }
    group_by: host.name
    window: 10m
    every: 1m
    query_delay: 0s
    notify: [webhook]
`;
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/silences',
      payload: {
        matchers: { alertname: 'fatal-by-host', host_name: 'mx7' },
        duration: '2h',
        comment: 'maintenance',
        created_by: 'ops',
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const silence = created.json() as { id: string; ends_at: string };
    const endsIn = Date.parse(silence.ends_at) - Date.now();
    assert.ok(endsIn > 119 * MIN && endsIn <= 120 * MIN, `ends in ${endsIn} ms`);

    const listed = (await app.inject({ url: '/api/v1/silences' })).json() as {
      silences: Array<{ id: string }>;
    };
    assert.deepEqual(
      listed.silences.map((s) => s.id),
      [silence.id],
    );

    const clock = manualClock(t0 + MIN);
    const handle = await startAlerts(
      engineConfig(index.prefix, writeRules(rules), { webhook: receiver.url }),
      testLogger(),
      {
        now: clock.now,
        schedule: false,
        sighup: false,
        client: index.client,
      },
    );
    try {
      await handle.engine.evaluateDue();
      // mx8 is not silenced: its notice goes out alone.
      assert.deepEqual(receiver.received.map(payloadAlerts), [['firing:mx8']]);

      const state = (
        await app.inject({ url: `/api/v1/alerts?rule=fatal-by-host&since=${new Date(t0).toISOString()}` })
      ).json() as {
        active: Array<{ group: string; status: string; notified_at: string | null }>;
        history: Array<{ group: string; from: string; to: string; notice?: string }>;
      };
      assert.deepEqual(state.active.map((a) => [a.group, a.status, a.notified_at !== null]).sort(), [
        ['mx7', 'firing', false],
        ['mx8', 'firing', true],
      ]);
      assert.deepEqual(state.history.map((h) => [h.group, h.from, h.to, h.notice ?? '-']).sort(), [
        ['mx7', 'inactive', 'firing', '-'],
        ['mx8', 'inactive', 'firing', 'firing'],
      ]);

      const ended = await app.inject({ method: 'DELETE', url: `/api/v1/silences/${silence.id}` });
      assert.equal(ended.statusCode, 204);
      const active = (await app.inject({ url: '/api/v1/silences' })).json() as { silences: unknown[] };
      assert.equal(active.silences.length, 0);

      clock.set(t0 + 2 * MIN);
      await handle.engine.evaluateDue();
      assert.deepEqual(receiver.received.map(payloadAlerts), [['firing:mx8'], ['firing:mx7']]);
      const history = (
        (
          await app.inject({ url: `/api/v1/alerts?rule=fatal-by-host&since=${new Date(t0).toISOString()}` })
        ).json() as {
          history: Array<{ group: string; from: string; to: string; notice?: string }>;
        }
      ).history;
      assert.deepEqual(
        history.filter((h) => h.group === 'mx7').map((h) => [h.from, h.to, h.notice ?? '-']),
        [
          ['firing', 'firing', 'firing'],
          ['inactive', 'firing', '-'],
        ],
      );
    } finally {
      await handle.stop();
    }
  });

  it('a silence in the rules file holds notices back too', async () => {
    const rules = `
rules:
  - name: fatal-file-silenced
    kind: pattern
    query: { action: [fatal] }
    window: 10m
    every: 1m
    query_delay: 0s
    notify: [webhook]
silences:
  - matchers: { alertname: fatal-file-silenced }
    ends_at: "${new Date(Date.now() + 3_600_000).toISOString()}"
    comment: known problem
`;
    const before = receiver.received.length;
    const clock = manualClock(t0 + MIN);
    const handle = await startAlerts(
      engineConfig(index.prefix, writeRules(rules), { webhook: receiver.url }),
      testLogger(),
      {
        now: clock.now,
        schedule: false,
        sighup: false,
        client: index.client,
      },
    );
    await handle.engine.evaluateDue();
    await handle.stop();
    assert.equal(receiver.received.length, before);
    const state = (await app.inject({ url: '/api/v1/alerts?rule=fatal-file-silenced' })).json() as {
      active: Array<{ status: string }>;
    };
    assert.deepEqual(
      state.active.map((a) => a.status),
      ['firing'],
    );
  });

  it('refuses bad silences with 400 and names the field; an unknown silence is 404', async () => {
    const none = await app.inject({
      method: 'POST',
      url: '/api/v1/silences',
      payload: { matchers: {}, duration: '1h' },
    });
    assert.equal(none.statusCode, 400);
    assert.match(none.json().message, /matchers: give at least one matcher/);
    const noEnd = await app.inject({
      method: 'POST',
      url: '/api/v1/silences',
      payload: { matchers: { alertname: 'x' } },
    });
    assert.equal(noEnd.statusCode, 400);
    assert.match(noEnd.json().message, /ends_at: give ends_at or duration/);
    const past = await app.inject({
      method: 'POST',
      url: '/api/v1/silences',
      payload: { matchers: { alertname: 'x' }, ends_at: '2020-01-01T00:00:00Z' },
    });
    assert.equal(past.statusCode, 400);
    const missing = await app.inject({ method: 'DELETE', url: '/api/v1/silences/no-such-silence' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'MP_ERR_API_NOT_FOUND');
    const badQuery = await app.inject({ url: '/api/v1/alerts?limit=0' });
    assert.equal(badQuery.statusCode, 400);
  });
});
