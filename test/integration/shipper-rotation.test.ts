/**
 * The shipper's promise under the two worst things that happen to a log shipper at once: the
 * log rotates (rename + create, and copytruncate) while the shipper is killed with SIGKILL at
 * random moments. Every line must reach the topic, byte for byte; a line may arrive twice only
 * when it lies after the checkpoint the killed process left on disk, and then under the same
 * (file id, offset), so the indexer stores it once.
 */
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, existsSync, readFileSync, renameSync, truncateSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../core/config.js';
import { createKafka } from '../../core/kafka.js';
import { type Checkpoint, CheckpointSchema } from '../../shipper/checkpoint.js';
import {
  numberedLine,
  readTopic,
  type ShipperProcess,
  seqOf,
  sleep,
  spawnShipper,
  started,
} from './shipper-support.js';

const TOTAL = 200_000;
const CHUNK = 1000;
const CHUNKS = TOTAL / CHUNK;

test('200k lines, three rotations, two kill -9: none missing, duplicates only after the checkpoint', {
  timeout: 240_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mp-ship-rot-'));
  const topic = `mp-test-ship-rot-${Math.random().toString(36).slice(2, 8)}`;
  const log = join(dir, 'mail.log');
  const env = {
    MAIL_LOGS: log,
    CHECKPOINT_DIR: join(dir, 'cp'),
    KAFKA_TOPIC_RAW: topic,
    KAFKA_PARTITIONS: '1',
    SHIP_HOST_NAME: 'mx1',
    SHIP_POLL_MS: '50',
    SHIP_CHECKPOINT_MS: '200',
    SHIP_ROTATED_IDLE_MS: '1000',
    SHIP_STATS_INTERVAL_S: '0',
  };
  const kafka = createKafka(loadConfig().kafka);
  const readCheckpoint = (): Checkpoint =>
    CheckpointSchema.parse(JSON.parse(readFileSync(join(dir, 'cp', 'shipper.json'), 'utf8')));
  const writeChunk = (i: number) => {
    let text = '';
    for (let s = i * CHUNK; s < (i + 1) * CHUNK; s++) text += `${numberedLine(s)}\n`;
    appendFileSync(log, text);
  };
  const shift = () => {
    for (let i = 3; i >= 1; i--) if (existsSync(`${log}.${i}`)) renameSync(`${log}.${i}`, `${log}.${i + 1}`);
  };
  const rotations: Record<number, () => void> = {
    50: () => {
      shift();
      renameSync(log, `${log}.1`);
    },
    100: () => {
      shift();
      copyFileSync(log, `${log}.1`);
      truncateSync(log, 0);
    },
    150: () => {
      shift();
      renameSync(log, `${log}.1`);
    },
  };
  const killAt = new Set<number>();
  while (killAt.size < 2) {
    const k = 20 + Math.floor(Math.random() * 150);
    if (!(k in rotations) && !killAt.has(k - 1) && !killAt.has(k + 1)) killAt.add(k);
  }
  const checkpointsAtKill: Checkpoint[] = [];
  let checked = 0;
  let shipper: ShipperProcess | undefined;
  const logs: string[] = [];
  const ranges = (xs: number[]) => {
    const out: string[] = [];
    for (let i = 0; i < xs.length; ) {
      let j = i;
      while (j + 1 < xs.length && (xs[j + 1] as number) === (xs[j] as number) + 1) j++;
      out.push(`${xs[i]}-${xs[j]}`);
      i = j + 1;
    }
    return out.join(' ');
  };
  try {
    writeChunk(0);
    shipper = spawnShipper(env, ['--from-beginning']);
    await started(shipper);
    for (let i = 1; i < CHUNKS; i++) {
      rotations[i]?.();
      writeChunk(i);
      await sleep(60);
      if (killAt.has(i)) {
        // The writer does not wait for a restarted shipper, but a kill is only a test once it runs.
        await started(shipper);
        await sleep(Math.random() * 200);
        shipper.child.kill('SIGKILL');
        assert.equal(await shipper.exited, 'SIGKILL');
        checkpointsAtKill.push(readCheckpoint());
        logs.push(shipper.log());
        shipper = spawnShipper(env);
      }
    }
    const seen = new Set<number>();
    const records = await readTopic(
      kafka,
      topic,
      (rs) => {
        for (let i = checked; i < rs.length; i++) seen.add(seqOf((rs[i] as { value: Buffer }).value));
        checked = rs.length;
        return seen.size >= TOTAL;
      },
      { timeoutMs: 90_000, settleMs: 2000 },
    );
    const bySeq = new Map<number, Set<string>>();
    logs.push(shipper.log());
    shipper.child.kill('SIGTERM');
    assert.equal(await shipper.exited, 0, 'SIGTERM stops the shipper with exit code 0');
    shipper = undefined;

    const counts = new Map<number, number>();
    for (const r of records) {
      const seq = seqOf(r.value);
      assert.ok(seq >= 0 && seq < TOTAL, `unexpected record ${r.value.toString().slice(0, 80)}`);
      assert.equal(r.value.toString('latin1'), numberedLine(seq), 'the value is the line, byte for byte');
      assert.equal(r.key, 'mx1');
      const ids = bySeq.get(seq) ?? new Set<string>();
      ids.add(`${r.fileId}@${r.offset}`);
      bySeq.set(seq, ids);
      counts.set(seq, (counts.get(seq) ?? 0) + 1);
    }
    const missing = [];
    for (let s = 0; s < TOTAL; s++) if (!bySeq.has(s)) missing.push(s);
    const story = logs
      .map((l) =>
        l
          .split('\n')
          .filter((x) => x.includes('"role":"shipper"') && !x.includes('kafkajs'))
          .join('\n'),
      )
      .join('\n-- restart --\n');
    assert.equal(
      missing.length,
      0,
      `lines missing: ${ranges(missing)}; kills after chunks ${[...killAt]}; shipper logs:\n${story}`,
    );
    let duplicates = 0;
    for (const [seq, n] of counts) {
      if (n === 1) continue;
      duplicates += 1;
      const ids = bySeq.get(seq) as Set<string>;
      assert.equal(ids.size, 1, `line ${seq} was sent under two identities: ${[...ids].join(' ')}`);
      const [fileId, offset] = ([...ids][0] as string).split('@') as [string, string];
      const afterSomeCheckpoint = checkpointsAtKill.some((cp) => {
        const e = cp.files[fileId];
        return e === undefined || Number(offset) >= e.offset;
      });
      assert.ok(
        afterSomeCheckpoint,
        `line ${seq} (${fileId}@${offset}) was resent although a checkpoint covered it`,
      );
    }
    assert.equal(checkpointsAtKill.length, 2);
    // The test can only fail the duplicate rule if the kills left something to resend; report it.
    process.stdout.write(
      `# ${records.length} records, ${duplicates} lines twice, kills after chunks ${[...killAt].join(', ')}\n`,
    );
  } finally {
    shipper?.child.kill('SIGKILL');
    await kafka.deleteTopics([topic]).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
});
