/**
 * The shipper's checkpoint: per file identity, the position up to which Kafka acknowledged
 * every line. Never the position merely read: a crash then resends at most the unacknowledged
 * tail. Keyed by file id (device + inode + fingerprint), never by path, so a renamed file keeps
 * its place (vector `checkpointer.rs`, beats `input-logfile/store.go`).
 *
 * On disk: `{version: 1, files: {...}}`, written to a temporary file, fsynced, renamed over the
 * old one, and the folder fsynced: a crash leaves either the old or the new checkpoint, never a
 * torn one. State changes are pure functions; `resumePlan` decides, from the checkpoint and what
 * is on disk now, where each file continues after a restart.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { MailpulseError } from '../core/errors.js';
import type { FileIdentity } from './identity.js';
import { fileIdOf } from './identity.js';
import type { LineCursor } from './lines.js';

const count = z.number().int().nonnegative();

export const CheckpointEntrySchema = z.object({
  /** Where the file was last seen (informative; identity is dev + ino + fingerprint). */
  path: z.string(),
  dev: count,
  ino: count,
  fpLen: z.number().int().positive(),
  fp: z.string().min(1),
  /** Next byte to read: everything before it is acknowledged by Kafka. */
  offset: count,
  /** First byte of the line `offset` is in; differs from offset only inside a split line. */
  lineStart: count,
  /** Pieces of that line already acknowledged. */
  piece: count,
  /** live: followed at its path; draining: rotated away, read to its end; done: fully read and closed. */
  state: z.enum(['live', 'draining', 'done']),
  /** Milliseconds since the epoch of the last change. */
  updatedAt: count,
});
export type CheckpointEntry = z.infer<typeof CheckpointEntrySchema>;

export const CheckpointSchema = z.object({
  version: z.literal(1),
  files: z.record(z.string(), CheckpointEntrySchema),
});
export type Checkpoint = z.infer<typeof CheckpointSchema>;

export const CHECKPOINT_FILE = 'shipper.json';

export function emptyCheckpoint(): Checkpoint {
  return { version: 1, files: {} };
}

export function track(
  cp: Checkpoint,
  id: FileIdentity,
  path: string,
  cursor: LineCursor,
  offset: number,
  now: number,
): Checkpoint {
  const entry: CheckpointEntry = { path, ...id, offset, ...cursor, state: 'live', updatedAt: now };
  return { version: 1, files: { ...cp.files, [fileIdOf(id)]: entry } };
}

/** Moves a file's acknowledged position; never backwards (acks of one file arrive in order). */
export function ack(
  cp: Checkpoint,
  fileId: string,
  cursor: LineCursor,
  offset: number,
  now: number,
): Checkpoint {
  const entry = cp.files[fileId];
  if (!entry || offset < entry.offset) return cp;
  return { version: 1, files: { ...cp.files, [fileId]: { ...entry, offset, ...cursor, updatedAt: now } } };
}

export function setState(
  cp: Checkpoint,
  fileId: string,
  state: CheckpointEntry['state'],
  now: number,
  where?: { path: string; dev: number; ino: number },
): Checkpoint {
  const entry = cp.files[fileId];
  if (!entry) return cp;
  return { version: 1, files: { ...cp.files, [fileId]: { ...entry, ...where, state, updatedAt: now } } };
}

export function forget(cp: Checkpoint, fileId: string): Checkpoint {
  if (!(fileId in cp.files)) return cp;
  const files = { ...cp.files };
  delete files[fileId];
  return { version: 1, files };
}

/** A file on disk as the restart sees it; `fps` maps a length to the fingerprint of that many first bytes. */
export interface Observed {
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly fps: ReadonlyMap<number, string>;
  /** Matches a configured path or glob (followed for new lines), as opposed to a rotated neighbour. */
  readonly watched: boolean;
}

export interface Resume {
  readonly fileId: string;
  readonly entry: CheckpointEntry;
  readonly file: Observed;
}

export interface ResumePlan {
  /** Watched files with a checkpoint entry: continue there. */
  readonly resume: Resume[];
  /** Watched files without one: new files. */
  readonly fresh: Observed[];
  /** Unfinished files found under another name (rotated) or as a copy (copytruncate): read to their end. */
  readonly drain: Resume[];
  /** Unfinished files that are gone: their unacknowledged tail cannot be read any more. */
  readonly lost: { fileId: string; entry: CheckpointEntry }[];
  /** Finished files that still exist (kept so a glob that matches them does not ship them again). */
  readonly done: Resume[];
}

/**
 * Matches checkpoint entries to files: first by device + inode with the same fingerprint (the
 * same file, perhaps renamed); then, for unfinished entries, by fingerprint alone on a file at
 * least as long as the acknowledged offset (the copy `copytruncate` left behind, which holds the
 * same bytes at the same offsets, so it keeps the entry's file id).
 */
export function resumePlan(cp: Checkpoint, files: readonly Observed[]): ResumePlan {
  const byInode = new Map<string, Observed>();
  for (const f of files) byInode.set(`${f.dev}:${f.ino}`, f);
  const claimed = new Set<Observed>();
  const matched = new Map<string, Observed>();
  for (const [fileId, e] of Object.entries(cp.files)) {
    const f = byInode.get(`${e.dev}:${e.ino}`);
    if (f && !claimed.has(f) && f.fps.get(e.fpLen) === e.fp) {
      claimed.add(f);
      matched.set(fileId, f);
    }
  }
  const resume: Resume[] = [];
  const drain: Resume[] = [];
  const done: Resume[] = [];
  const lost: { fileId: string; entry: CheckpointEntry }[] = [];
  for (const [fileId, entry] of Object.entries(cp.files)) {
    let file = matched.get(fileId);
    if (!file && entry.state !== 'done') {
      file = files.find(
        (f) => !claimed.has(f) && f.size >= entry.offset && f.fps.get(entry.fpLen) === entry.fp,
      );
      if (file) claimed.add(file);
    }
    if (!file) {
      if (entry.state !== 'done') lost.push({ fileId, entry });
      continue;
    }
    const r = { fileId, entry, file };
    if (file.watched) resume.push(r);
    else if (entry.state === 'done') done.push(r);
    else drain.push(r);
  }
  const fresh = files.filter((f) => f.watched && !claimed.has(f));
  return { resume, fresh, drain, lost, done };
}

export async function readCheckpoint(dir: string): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, CHECKPOINT_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new MailpulseError('MP_ERR_SHIP_CHECKPOINT', [join(dir, CHECKPOINT_FILE), (err as Error).message]);
  }
  const parsed = CheckpointSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MailpulseError('MP_ERR_SHIP_CHECKPOINT', [
      join(dir, CHECKPOINT_FILE),
      `${issue?.path.join('.')}: ${issue?.message}`,
    ]);
  }
  return parsed.data;
}

export async function writeCheckpoint(dir: string, cp: Checkpoint): Promise<void> {
  await mkdir(dir, { recursive: true });
  const target = join(dir, CHECKPOINT_FILE);
  const tmp = `${target}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(`${JSON.stringify(cp)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, target);
  // The rename itself is durable only once the folder's entry is on disk.
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
