/**
 * The shipper on awkward files, in one run against the shared broker: a last line without
 * newline (held, then sent after the idle time), a 1 MB line (split into pieces, nothing lost),
 * invalid UTF-8 (the same bytes arrive), an empty file that fills later, a file deleted while
 * the shipper has it open (read to its end through the open handle, then closed). Every record's
 * offset is checked against the file itself. Then the first-run rule: start at the end.
 */
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { appendFile, mkdtemp, rm, unlink, writeFile as writeFileP } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../core/config.js';
import { createKafka } from '../../core/kafka.js';
import { createLogger } from '../../core/logger.js';
import { CheckpointSchema } from '../../shipper/checkpoint.js';
import { startShipper } from '../../shipper/index.js';
import { readTopic, type Shipped, sleep } from './shipper-support.js';

const MAX_LINE = 64 * 1024;

function settings(dir: string, topic: string, extra: Record<string, string> = {}) {
  return loadConfig({
    env: {
      ...process.env,
      MAIL_LOGS: join(dir, '*.log'),
      CHECKPOINT_DIR: join(dir, 'cp'),
      KAFKA_TOPIC_RAW: topic,
      KAFKA_PARTITIONS: '1',
      SHIP_HOST_NAME: 'edge1',
      SHIP_POLL_MS: '50',
      SHIP_PARTIAL_FLUSH_MS: '1500',
      SHIP_ROTATED_IDLE_MS: '300',
      SHIP_CHECKPOINT_MS: '100',
      SHIP_MAX_LINE_BYTES: String(MAX_LINE),
      ...extra,
    },
  });
}

const byFile = (rs: Shipped[], name: string) =>
  rs
    .filter((r) => r.path.endsWith(`/${name}`))
    .sort((a, b) => a.offset - b.offset || (a.piece ?? 0) - (b.piece ?? 0));

test('partial line, 1 MB line, invalid UTF-8, empty file, file deleted while open', {
  timeout: 90_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mp-ship-edge-'));
  const topic = `mp-test-ship-edge-${Math.random().toString(36).slice(2, 8)}`;
  const config = settings(dir, topic);
  const kafka = createKafka(config.kafka);
  const big = Buffer.alloc(1024 * 1024, 'x');
  big.write('BEGIN', 0);
  big.write('END', big.length - 3);
  const invalid = Buffer.from([
    0x4e, 0x6f, 0x76, 0x20, 0xff, 0xfe, 0xc3, 0x28, 0x20, 0xe2, 0x82, 0x0a, 0x6f, 0x6b, 0x0a,
  ]);
  writeFileSync(join(dir, 'partial.log'), 'first\npart');
  writeFileSync(join(dir, 'held.log'), 'one\n');
  writeFileSync(join(dir, 'big.log'), Buffer.concat([big, Buffer.from('\nafter\n')]));
  writeFileSync(join(dir, 'invalid.log'), invalid);
  writeFileSync(join(dir, 'empty.log'), '');
  const deletedText = Array.from({ length: 2000 }, (_, i) => `deleted line ${i}`).join('\n');
  writeFileSync(join(dir, 'deleted.log'), `${deletedText}\n`);
  const shipper = await startShipper(config, createLogger('warn'), { fromBeginning: true });
  try {
    // A daemon keeps writing to its log after the file was deleted: the shipper must read on.
    const writer = openSync(join(dir, 'deleted.log'), 'a');
    await unlink(join(dir, 'deleted.log'));
    writeSync(writer, 'written after unlink\n');
    closeSync(writer);
    // The second half of a line arrives before the idle time: one record.
    await appendFile(join(dir, 'held.log'), 'hold');
    await sleep(300);
    await appendFile(join(dir, 'held.log'), 'ing\n');
    await sleep(300);
    await appendFile(join(dir, 'empty.log'), 'late\n');

    const expected = 2 + 2 + (16 + 1) + 2 + 1 + 2001;
    const records = await readTopic(kafka, topic, (rs) => rs.length >= expected, {
      timeoutMs: 30_000,
      settleMs: 1000,
    });
    const text = (rs: Shipped[]) => rs.map((r) => r.value.toString('latin1'));

    // Held until its newline or the idle time; then sent as it is, at its own offset.
    assert.deepEqual(
      byFile(records, 'partial.log').map((r) => [r.offset, r.value.toString()]),
      [
        [0, 'first'],
        [6, 'part'],
      ],
    );
    assert.deepEqual(
      byFile(records, 'held.log').map((r) => [r.offset, r.value.toString()]),
      [
        [0, 'one'],
        [4, 'holding'],
      ],
    );

    const pieces = byFile(records, 'big.log');
    assert.deepEqual(text(pieces.slice(-1)), ['after']);
    assert.equal(pieces.at(-1)?.offset, big.length + 1);
    const bigPieces = pieces.slice(0, -1);
    assert.deepEqual(
      bigPieces.map((r) => [r.offset, r.piece]),
      Array.from({ length: 16 }, (_, i) => [0, i]),
    );
    assert.ok(bigPieces.every((r) => r.value.length === MAX_LINE));
    assert.ok(Buffer.concat(bigPieces.map((r) => r.value)).equals(big), 'the pieces rebuild the 1 MB line');

    const inv = byFile(records, 'invalid.log');
    assert.deepEqual(
      inv.map((r) => [...r.value]),
      [[...invalid.subarray(0, 11)], [0x6f, 0x6b]],
    );
    assert.deepEqual(
      inv.map((r) => r.offset),
      [0, 12],
    );

    assert.deepEqual(
      byFile(records, 'empty.log').map((r) => [r.offset, r.value.toString()]),
      [[0, 'late']],
    );

    const del = byFile(records, 'deleted.log');
    assert.equal(del.length, 2001);
    assert.deepEqual(text(del.slice(-2)), ['deleted line 1999', 'written after unlink']);

    // Offsets are exact byte positions in the files that still exist.
    for (const name of ['partial.log', 'held.log', 'big.log', 'invalid.log', 'empty.log']) {
      const bytes = readFileSync(join(dir, name));
      for (const r of byFile(records, name)) {
        const at = r.offset + (r.piece ?? 0) * MAX_LINE;
        assert.ok(bytes.subarray(at, at + r.value.length).equals(r.value), `${name}@${r.offset}`);
      }
    }
    assert.ok(records.every((r) => r.key === 'edge1'));
    const ids = new Set(records.map((r) => `${r.fileId}@${r.offset}@${r.piece}`));
    assert.equal(ids.size, records.length, 'each record has its own identity (no duplicates in a clean run)');

    // The deleted file is closed once read and quiet; the checkpoint says so.
    await sleep(800);
    const stats = await shipper.stats();
    assert.equal(stats.rotations, 1);
    assert.equal(stats.linesAcked, expected);
  } finally {
    assert.equal(await shipper.stop(), true);
    const cp = CheckpointSchema.parse(JSON.parse(readFileSync(join(dir, 'cp', 'shipper.json'), 'utf8')));
    const states = Object.values(cp.files)
      .map((e) => `${e.path.split('/').pop()}:${e.state}`)
      .sort();
    await kafka.deleteTopics([topic]).catch(() => {});
    await rm(dir, { recursive: true, force: true });
    assert.deepEqual(states, [
      'big.log:live',
      'deleted.log:done',
      'empty.log:live',
      'held.log:live',
      'invalid.log:live',
      'partial.log:live',
    ]);
  }
});

test('first run starts at the end of existing files; a restart resumes exactly', {
  timeout: 60_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mp-ship-end-'));
  const topic = `mp-test-ship-end-${Math.random().toString(36).slice(2, 8)}`;
  const config = settings(dir, topic);
  const kafka = createKafka(config.kafka);
  const log = join(dir, 'mail.log');
  try {
    // The old content ends in a line still being written: "the end" is that line's start, so
    // the line is shipped whole once complete, never from its middle.
    await writeFileP(log, 'old 1\nold 2\nold-partial');
    let shipper = await startShipper(config, createLogger('warn'));
    await appendFile(log, ' completed\nnew 1\n');
    await sleep(500);
    assert.equal(await shipper.stop(), true);
    await appendFile(log, 'new 2\n');
    shipper = await startShipper(config, createLogger('warn'));
    await appendFile(log, 'new 3\n');
    const records = await readTopic(kafka, topic, (rs) => rs.length >= 4, {
      timeoutMs: 20_000,
      settleMs: 1000,
    });
    assert.equal(await shipper.stop(), true);
    assert.deepEqual(
      records.map((r) => [r.offset, r.value.toString()]),
      [
        [12, 'old-partial completed'],
        [34, 'new 1'],
        [40, 'new 2'],
        [46, 'new 3'],
      ],
    );
  } finally {
    await kafka.deleteTopics([topic]).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
});

test('a topic whose size limit is below the batch size: requests shrink, every line arrives once, in order', {
  timeout: 90_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mp-ship-small-'));
  const topic = `mp-test-ship-small-${Math.random().toString(36).slice(2, 8)}`;
  // Uncompressed, the default 900 KB batches are 14 times the 64 KB this topic accepts.
  const config = settings(dir, topic, { SHIP_COMPRESSION: 'none' });
  const kafka = createKafka(config.kafka);
  await kafka.ensureTopics([{ topic, partitions: 1, configs: { 'max.message.bytes': String(64 * 1024) } }]);
  const lines = 40_000;
  await writeFileP(
    join(dir, 'mail.log'),
    `${Array.from({ length: lines }, (_, i) => `Nov 27 10:00:00 edge1 postfix/smtp[${i}]: line ${i} ${'x'.repeat(100)}`).join('\n')}\n`,
  );
  const started = Date.now();
  const shipper = await startShipper(config, createLogger('error'), { fromBeginning: true });
  try {
    const records = await readTopic(kafka, topic, (rs) => rs.length >= lines, {
      timeoutMs: 60_000,
      settleMs: 500,
    });
    const seconds = (Date.now() - started) / 1000;
    assert.equal(records.length, lines);
    assert.ok(
      records.every((r, i) => r.value.toString().endsWith(`line ${i} ${'x'.repeat(100)}`)),
      'in file order, once each',
    );
    // Shrinking to one line per request (the failure this guards against) takes minutes here.
    assert.ok(seconds < 30, `took ${seconds} s`);
  } finally {
    await shipper.stop();
    await kafka.deleteTopics([topic]).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
});
