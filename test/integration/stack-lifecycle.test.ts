/**
 * `stack up` is idempotent and `stack down` leaves no process behind, checked on private
 * servers (other ports, a temporary folder) so the shared stack is not disturbed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startElasticsearchServer, startKafkaServer } from '../../stack/index.js';

/** Pids of processes whose command line mentions `needle`. */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

for (const [name, start, port] of [
  ['Kafka', startKafkaServer, 19392],
  ['Elasticsearch', startElasticsearchServer, 19392],
] as const) {
  test(`${name}: start twice keeps one server; stop leaves no process`, async () => {
    const dir = mkdtempSync(join(tmpdir(), `mp-stack-${name.toLowerCase()}-`));
    try {
      const first = await start({ port, dir });
      const pids = processesMentioning(dir);
      assert.ok(pids.length > 0, 'the server runs');
      assert.equal(await first.ready(), true);

      const second = await start({ port, dir });
      assert.deepEqual(processesMentioning(dir), pids, 'a second start starts nothing new');

      await second.stop();
      assert.deepEqual(processesMentioning(dir), []);
      assert.equal(await first.ready(), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
