/**
 * Starting and reloading: a rules file with a mistake refuses to start and says which rule and
 * field; a reload (file change or SIGHUP) with a mistake keeps the old rules; a good one is taken.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startAlerts } from '../../alerts/index.js';
import { isMailpulseError } from '../../core/errors.js';
import { engineConfig, type TestIndex, testIndex, testLogger, writeRules } from './alerts-support.js';

const rule = (name: string) => `  - name: ${name}\n    kind: absence\n    window: 15m\n`;

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

describe('alert engine start and reload', () => {
  let index: TestIndex;
  before(async () => {
    index = await testIndex('alerts-life');
  });
  after(() => index.drop());

  it('a rules file with a mistake refuses to start, naming the rule and the field', async () => {
    const path = writeRules(
      `rules:\n${rule('fine')}  - name: broken-threshold\n    kind: threshold\n    metric: bounce_rate\n    op: ">"\n    value: high\n    window: 15m\n`,
    );
    await assert.rejects(
      startAlerts(engineConfig(index.prefix, path), testLogger(), {
        schedule: false,
        sighup: false,
        client: index.client,
      }),
      (err: unknown) => {
        assert.ok(isMailpulseError(err));
        assert.equal(err.code, 'MP_ERR_RULES_INVALID');
        assert.match(err.message, /rule "broken-threshold" \(rules\[1\]\) field value: /);
        assert.ok(err.message.includes(path));
        return true;
      },
    );
  });

  it('reload keeps the old rules when the new file is invalid, takes a valid one on change and on SIGHUP', async () => {
    const path = writeRules(`rules:\n${rule('first')}`);
    const handle = await startAlerts(engineConfig(index.prefix, path), testLogger(), {
      schedule: false,
      client: index.client,
    });
    const names = () => handle.engine.rules().map((r) => r.name);
    try {
      assert.deepEqual(names(), ['first']);
      writeFileSync(path, `rules:\n${rule('first')}  - name: second\n    kind: absence\n`);
      assert.equal(handle.reload(), false);
      assert.deepEqual(names(), ['first']);

      writeFileSync(path, `rules:\n${rule('first')}${rule('second')}`);
      assert.ok(await waitUntil(() => names().length === 2, 5000), 'the file watch reloads');
      assert.deepEqual(names(), ['first', 'second']);

      writeFileSync(path, `rules:\n${rule('third')}`);
      process.kill(process.pid, 'SIGHUP');
      assert.ok(await waitUntil(() => names()[0] === 'third', 5000), 'SIGHUP reloads');
      assert.deepEqual(names(), ['third']);
    } finally {
      await handle.stop();
    }
  });
});
