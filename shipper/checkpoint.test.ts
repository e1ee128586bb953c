import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as cp from './checkpoint.js';
import { fileIdOf } from './identity.js';

const A = { dev: 1, ino: 10, fpLen: 256, fp: 'aaaa' };
const idA = fileIdOf(A);
const at = (offset: number) => ({ lineStart: offset, piece: 0 });

test('track, ack, setState, forget', () => {
  let c = cp.track(cp.emptyCheckpoint(), A, '/l/mail.log', at(100), 100, 1);
  assert.deepEqual(c.files[idA], {
    path: '/l/mail.log',
    ...A,
    offset: 100,
    lineStart: 100,
    piece: 0,
    state: 'live',
    updatedAt: 1,
  });
  c = cp.ack(c, idA, at(250), 250, 2);
  assert.equal(c.files[idA]?.offset, 250);
  // Inside a split line: the offset is past two pieces, the line start stays.
  c = cp.ack(c, idA, { lineStart: 250, piece: 2 }, 250 + 2 * 64, 3);
  assert.deepEqual([c.files[idA]?.offset, c.files[idA]?.lineStart, c.files[idA]?.piece], [378, 250, 2]);
  // Never backwards: an older ack changes nothing.
  const same = cp.ack(c, idA, at(200), 200, 4);
  assert.equal(same, c);
  // Unknown file: nothing.
  assert.equal(cp.ack(c, 'nope', at(5), 5, 5), c);
  c = cp.setState(c, idA, 'draining', 6, { path: '/l/mail.log.1', dev: 1, ino: 12 });
  assert.deepEqual(
    [c.files[idA]?.state, c.files[idA]?.path, c.files[idA]?.ino],
    ['draining', '/l/mail.log.1', 12],
  );
  assert.deepEqual(cp.forget(c, idA).files, {});
});

const entry = (over: Partial<cp.CheckpointEntry>): cp.CheckpointEntry => ({
  path: '/l/mail.log',
  ...A,
  offset: 50,
  lineStart: 50,
  piece: 0,
  state: 'live',
  updatedAt: 0,
  ...over,
});
const file = (
  path: string,
  ino: number,
  size: number,
  fp: string | undefined,
  watched: boolean,
): cp.Observed => ({
  path,
  dev: 1,
  ino,
  size,
  fps: new Map(fp ? [[256, fp]] : []),
  watched,
});
const names = (rs: { file: cp.Observed }[]) => rs.map((r) => r.file.path);

test('resumePlan: where each file continues after a restart', () => {
  const cases: {
    name: string;
    entries: Record<string, cp.CheckpointEntry>;
    files: cp.Observed[];
    want: { resume: string[]; fresh: string[]; drain: string[]; lost: string[]; done: string[] };
  }[] = [
    {
      name: 'same file, same name: resume',
      entries: { [idA]: entry({}) },
      files: [file('/l/mail.log', 10, 900, 'aaaa', true)],
      want: { resume: ['/l/mail.log'], fresh: [], drain: [], lost: [], done: [] },
    },
    {
      name: 'renamed while stopped: drain the old one under its new name, the new file is fresh',
      entries: { [idA]: entry({}) },
      files: [file('/l/mail.log', 11, 30, 'bbbb', true), file('/l/mail.log.1', 10, 900, 'aaaa', false)],
      want: { resume: [], fresh: ['/l/mail.log'], drain: ['/l/mail.log.1'], lost: [], done: [] },
    },
    {
      name: 'inode reused by a new file: the old one is lost, the new one is fresh',
      entries: { [idA]: entry({}) },
      files: [file('/l/mail.log', 10, 900, 'cccc', true)],
      want: { resume: [], fresh: ['/l/mail.log'], drain: [], lost: [idA], done: [] },
    },
    {
      name: 'copytruncate while stopped: the copy is drained under the old id',
      entries: { [idA]: entry({}) },
      files: [file('/l/mail.log', 10, 20, 'dddd', true), file('/l/mail.log.1', 12, 80, 'aaaa', false)],
      want: { resume: [], fresh: ['/l/mail.log'], drain: ['/l/mail.log.1'], lost: [], done: [] },
    },
    {
      name: 'a copy shorter than the acknowledged offset is not that file',
      entries: { [idA]: entry({ offset: 500, lineStart: 500 }) },
      files: [file('/l/mail.log.1', 12, 80, 'aaaa', false)],
      want: { resume: [], fresh: [], drain: [], lost: [idA], done: [] },
    },
    {
      name: 'finished file still there is kept; gone is forgotten silently',
      entries: { [idA]: entry({ state: 'done' }), other: entry({ ino: 99, fp: 'zzzz', state: 'done' }) },
      files: [file('/l/mail.log.1', 10, 900, 'aaaa', false)],
      want: { resume: [], fresh: [], drain: [], lost: [], done: ['/l/mail.log.1'] },
    },
    {
      name: 'no checkpoint: every watched file is fresh, neighbours are ignored',
      entries: {},
      files: [file('/l/mail.log', 10, 900, 'aaaa', true), file('/l/mail.log.1', 9, 900, 'eeee', false)],
      want: { resume: [], fresh: ['/l/mail.log'], drain: [], lost: [], done: [] },
    },
  ];
  for (const c of cases) {
    const plan = cp.resumePlan({ version: 1, files: c.entries }, c.files);
    assert.deepEqual(
      {
        resume: names(plan.resume),
        fresh: plan.fresh.map((f) => f.path),
        drain: names(plan.drain),
        lost: plan.lost.map((l) => l.fileId),
        done: names(plan.done),
      },
      c.want,
      c.name,
    );
    for (const r of [...plan.resume, ...plan.drain])
      assert.ok(r.fileId in c.entries, `${c.name}: keeps the entry's id`);
  }
});

test('writeCheckpoint replaces atomically and readCheckpoint validates', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mp-cp-'));
  try {
    assert.equal(await cp.readCheckpoint(dir), undefined);
    const c = cp.track(cp.emptyCheckpoint(), A, '/l/mail.log', at(7), 7, 1);
    await cp.writeCheckpoint(dir, c);
    await cp.writeCheckpoint(dir, cp.ack(c, idA, at(9), 9, 2));
    assert.equal((await cp.readCheckpoint(dir))?.files[idA]?.offset, 9);
    assert.deepEqual(await readdir(dir), [cp.CHECKPOINT_FILE]);
    await writeFile(join(dir, cp.CHECKPOINT_FILE), '{"version":2,"files":{}}');
    await assert.rejects(cp.readCheckpoint(dir));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
