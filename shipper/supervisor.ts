/**
 * The imperative shell: finds the files, opens tailers, reacts to rotation and truncation,
 * closes drained files, and writes the checkpoint from acknowledgements. One loop, one tick at a
 * time, so file state is never touched by two tasks at once.
 */
import { type FSWatcher, watch } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import type { Logger } from '../core/logger.js';
import type { Checkpoint, Observed } from './checkpoint.js';
import * as checkpoint from './checkpoint.js';
import type { ShipperOptions } from './config.js';
import { compilePattern, type FoundFile, type PathPattern, scanFiles, watchedPaths } from './discovery.js';
import type { RotationKind, ShipperMetrics } from './events.js';
import { readFingerprint } from './identity.js';
import type { LineCursor, LineRecord } from './lines.js';
import type { Outbox } from './producer.js';
import { mayClose, mayFlushPartial, pathChange } from './rotation.js';
import { Tailer } from './tailer.js';

const TAIL_WINDOW = 64 * 1024;

/** Start of the line after the last newline, so shipping from "the end" never starts mid-line. */
async function endOfLastLine(fh: FileHandle, size: number): Promise<number> {
  if (size === 0) return 0;
  const len = Math.min(size, TAIL_WINDOW);
  const buf = Buffer.alloc(len);
  await fh.read(buf, 0, len, size - len);
  const nl = buf.lastIndexOf(0x0a);
  return nl === -1 ? size : size - len + nl + 1;
}

async function observe(files: FoundFile[], lengths: Set<number>): Promise<Observed[]> {
  const out: Observed[] = [];
  for (const f of files) {
    const fps = new Map<number, string>();
    let fh: FileHandle | undefined;
    try {
      fh = await open(f.path, 'r');
      for (const len of lengths) {
        if (len > f.size) continue;
        const fp = await readFingerprint(fh, len);
        if (fp) fps.set(len, fp);
      }
    } catch {
      continue;
    } finally {
      await fh?.close();
    }
    out.push({ ...f, fps });
  }
  return out;
}

export class Supervisor {
  private readonly patterns: PathPattern[];
  private readonly live = new Map<string, Tailer>();
  private draining: Tailer[] = [];
  private cp: Checkpoint = checkpoint.emptyCheckpoint();
  private dirty = false;
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  private kicked = false;
  private watchers: FSWatcher[] = [];
  private checkpointTimer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private loopDone: Promise<void> = Promise.resolve();
  private readonly warned = new Set<string>();

  constructor(
    private readonly options: ShipperOptions,
    private readonly outbox: Outbox,
    private readonly metrics: ShipperMetrics,
    private readonly log: Logger,
  ) {
    this.patterns = options.paths.map(compilePattern);
  }

  /** Resumes from the checkpoint (or starts fresh) and begins following the files. */
  async start(): Promise<void> {
    const saved = await checkpoint.readCheckpoint(this.options.checkpointDir);
    const firstRun = saved === undefined;
    const fromEnd = firstRun && this.options.startAt === 'end';
    const found = await scanFiles(this.patterns);
    const lengths = new Set(Object.values(saved?.files ?? {}).map((e) => e.fpLen));
    const plan = checkpoint.resumePlan(saved ?? checkpoint.emptyCheckpoint(), await observe(found, lengths));
    const now = Date.now();
    for (const { fileId, entry } of plan.lost) {
      this.metrics.lostFiles.inc();
      this.log.warn(
        { fileId, path: entry.path, offset: entry.offset },
        'File with unshipped lines vanished while the shipper was stopped; its tail is lost.',
      );
    }
    for (const r of [...plan.resume, ...plan.drain, ...plan.done]) {
      const state = r.file.watched ? 'live' : r.entry.state === 'done' ? 'done' : 'draining';
      this.cp.files[r.fileId] = {
        ...r.entry,
        path: r.file.path,
        dev: r.file.dev,
        ino: r.file.ino,
        state,
        updatedAt: now,
      };
    }
    for (const r of plan.resume) {
      const t = await this.openTailer(r.file.path, this.resumeCursor(r.entry), r.fileId, r.entry);
      if (t) this.live.set(r.file.path, t);
    }
    for (const r of plan.drain) {
      const t = await this.openTailer(r.file.path, this.resumeCursor(r.entry), r.fileId, r.entry);
      if (!t) continue;
      t.draining = true;
      this.draining.push(t);
      this.log.info(
        { path: r.file.path, fileId: r.fileId, offset: r.entry.offset },
        'Rotated file resumed; reading it to its end.',
      );
    }
    for (const f of plan.fresh) {
      const t = await this.openTailer(f.path, { lineStart: 0, piece: 0 });
      if (!t) continue;
      if (fromEnd) {
        const end = await endOfLastLine(t.fh, f.size);
        await t.close();
        const moved = await this.openTailer(f.path, { lineStart: end, piece: 0 });
        if (moved) this.live.set(f.path, moved);
      } else {
        this.live.set(f.path, t);
      }
    }
    for (const t of this.tailers()) {
      if ((await t.look(now)) === 'truncated') await this.truncated(t, now);
      else this.trackNew(t, now);
    }
    // Written even when empty: its existence is what tells the next start it is not the first run.
    this.dirty = true;
    await this.persist();
    this.log.info(
      {
        files: [...this.live.keys()],
        draining: this.draining.length,
        firstRun,
        startAt: fromEnd ? 'end' : 'beginning',
      },
      'Shipper started.',
    );
    for (const dir of new Set(this.patterns.map((p) => p.dir))) {
      try {
        this.watchers.push(watch(dir, { persistent: false }, () => this.kick()));
      } catch {
        // Polling alone still finds every change; fs.watch only makes it sooner.
      }
    }
    this.checkpointTimer = setInterval(() => void this.persist(), this.options.checkpointMs);
    this.loopDone = this.loop();
  }

  /** Stops reading, waits (bounded) for Kafka to acknowledge what was read, writes the checkpoint. */
  async stop(timeoutMs: number): Promise<boolean> {
    this.stopping = true;
    this.kick();
    await this.loopDone;
    clearInterval(this.checkpointTimer);
    for (const w of this.watchers) w.close();
    const drained = await this.outbox.drained(timeoutMs);
    await this.outbox.close();
    await this.persist();
    for (const t of this.tailers()) await t.close();
    return drained;
  }

  /** Wakes the loop now (a file changed, or Kafka acknowledged and there may be room again). */
  kick(): void {
    this.kicked = true;
    this.wakeUp?.();
  }

  private tailers(): Tailer[] {
    return [...this.draining, ...this.live.values()];
  }

  private resumeCursor(e: checkpoint.CheckpointEntry): LineCursor {
    // Inside a split line the piece size is the limit; if the limit changed, resend that line.
    if (e.piece > 0 && e.lineStart + e.piece * this.options.maxLineBytes !== e.offset)
      return { lineStart: e.lineStart, piece: 0 };
    return { lineStart: e.lineStart, piece: e.piece };
  }

  private async openTailer(
    path: string,
    cursor: LineCursor,
    fileId?: string,
    entry?: checkpoint.CheckpointEntry,
  ): Promise<Tailer | undefined> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && !this.warned.has(path)) {
        this.warned.add(path);
        this.log.warn({ path, code }, 'Cannot open log file; will retry.');
      }
      return undefined;
    }
    this.warned.delete(path);
    const st = await fh.stat();
    const identity = entry ? { dev: entry.dev, ino: entry.ino, fpLen: entry.fpLen, fp: entry.fp } : undefined;
    const t = new Tailer(
      { path, fh, dev: st.dev, ino: st.ino, identity, fileId, cursor },
      { maxLineBytes: this.options.maxLineBytes, readChunkBytes: this.options.readChunkBytes },
      this.metrics,
    );
    t.onAck = (tailer, last) => this.acked(tailer, last);
    return t;
  }

  private acked(t: Tailer, last: LineRecord): void {
    if (t.fileId === undefined) return;
    this.cp = checkpoint.ack(this.cp, t.fileId, last.next, last.end, Date.now());
    this.dirty = true;
    this.kick();
  }

  private trackNew(t: Tailer, now: number): void {
    if (t.fileId === undefined || !t.identity || t.fileId in this.cp.files) return;
    this.cp = checkpoint.track(this.cp, t.identity, t.path, t.ackCursor, t.ackOffset, now);
    this.dirty = true;
  }

  /** Writes the checkpoint when something changed; writes never overlap. */
  private persist(): Promise<void> {
    this.writing = this.writing.then(() => this.writeNow());
    return this.writing;
  }

  private async writeNow(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      await checkpoint.writeCheckpoint(this.options.checkpointDir, this.cp);
      this.metrics.checkpointWrites.inc();
    } catch (err) {
      this.dirty = true;
      this.log.error(
        { err: (err as Error).message, dir: this.options.checkpointDir },
        'Cannot write checkpoint; will retry.',
      );
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let busy = false;
      try {
        busy = await this.tick();
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'Shipper tick failed; retrying.');
      }
      if (this.stopping) break;
      if (busy && this.outbox.hasRoom()) {
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      if (this.kicked) {
        this.kicked = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = undefined;
      this.kicked = false;
    }
  }

  /** One look at everything. True when it read bytes (more may be waiting). */
  private async tick(): Promise<boolean> {
    const now = Date.now();
    await this.followPaths(now);
    let read = 0;
    for (const t of this.tailers()) {
      if (this.stopping) break;
      const change = await t.look(now);
      if (change === 'truncated') {
        await this.truncated(t, now);
        continue;
      }
      this.trackNew(t, now);
      read += await t.read(this.outbox);
      if (
        t.atEnd &&
        mayFlushPartial({
          pendingBytes: t.pendingBytes,
          quietMs: now - t.changedAt,
          flushMs: this.options.partialFlushMs,
        })
      ) {
        t.flush(this.outbox);
      }
      this.metrics.lagBytes.set({ path: this.label(t) }, Math.max(0, t.size - t.ackOffset));
    }
    await this.closeDrained(now);
    this.metrics.filesOpen.set(this.live.size + this.draining.length);
    this.metrics.inflightBytes.set(this.outbox.inflightBytes);
    this.metrics.requestWait.set(this.outbox.waitingSeconds);
    return read > 0;
  }

  private label(t: Tailer): string {
    return t.draining ? `${t.path} (rotated)` : t.path;
  }

  private async followPaths(now: number): Promise<void> {
    const paths = new Set(await watchedPaths(this.patterns));
    for (const path of this.live.keys()) paths.add(path);
    for (const path of paths) {
      let seen: Parameters<typeof pathChange>[1];
      try {
        const st = await stat(path);
        seen = st.isFile() ? { kind: 'file', dev: st.dev, ino: st.ino } : { kind: 'missing' };
      } catch {
        seen = { kind: 'missing' };
      }
      const old = this.live.get(path);
      switch (pathChange(old, seen)) {
        case 'unchanged':
          break;
        case 'created':
          await this.follow(path, seen);
          break;
        case 'rotated':
          if (old) await this.drain(old, 'rename', now);
          await this.follow(path, seen);
          break;
        case 'removed':
          if (old) await this.drain(old, (await old.isDeleted()) ? 'delete' : 'rename', now);
          break;
      }
    }
  }

  /**
   * Follows a file that appeared at a watched path: from its checkpointed position when it is a
   * file shipped before (a glob that also matches rotated names), else from its beginning. A
   * file some tailer is still draining is left to that tailer.
   */
  private async follow(
    path: string,
    seen: { kind: 'file'; dev: number; ino: number } | { kind: 'missing' },
  ): Promise<void> {
    if (seen.kind === 'missing') return;
    if (this.tailers().some((t) => t.dev === seen.dev && t.ino === seen.ino)) return;
    for (const [fileId, e] of Object.entries(this.cp.files)) {
      if (e.dev !== seen.dev || e.ino !== seen.ino) continue;
      const t = await this.openTailer(path, this.resumeCursor(e), fileId, e);
      if (!t) return;
      if ((await readFingerprint(t.fh, e.fpLen)) === e.fp) {
        this.live.set(path, t);
        this.cp = checkpoint.setState(this.cp, fileId, 'live', Date.now(), { path, dev: e.dev, ino: e.ino });
        this.dirty = true;
        return;
      }
      await t.close();
    }
    const t = await this.openTailer(path, { lineStart: 0, piece: 0 });
    if (!t) return;
    this.live.set(path, t);
    this.log.info({ path }, 'New log file followed from its beginning.');
  }

  private async drain(t: Tailer, kind: RotationKind, now: number): Promise<void> {
    this.live.delete(t.path);
    this.metrics.lagBytes.remove({ path: this.label(t) });
    t.draining = true;
    this.draining.push(t);
    this.metrics.rotations.inc({ kind });
    if (t.fileId !== undefined) this.cp = checkpoint.setState(this.cp, t.fileId, 'draining', now);
    this.dirty = true;
    this.log.info(
      { path: t.path, kind, fileId: t.fileId, readPos: t.readPos },
      'Log file rotated; reading the old file to its end.',
    );
  }

  /**
   * The file was emptied in place (copytruncate). Its unread tail, if any, lives on in the copy,
   * which holds the same bytes at the same offsets: continue there under the same file id.
   */
  private async truncated(t: Tailer, now: number): Promise<void> {
    this.metrics.rotations.inc({ kind: 'truncate' });
    const wasLive = this.live.get(t.path) === t;
    if (wasLive) {
      this.live.delete(t.path);
      this.metrics.lagBytes.remove({ path: this.label(t) });
    }
    const copy = t.identity && !t.draining ? await this.findCopy(t) : undefined;
    if (copy) {
      const old = t.fh;
      t.moveTo(copy.fh, copy.dev, copy.ino);
      await old.close().catch(() => {});
      if (t.fileId !== undefined) {
        this.cp = checkpoint.setState(this.cp, t.fileId, 'draining', now, {
          path: copy.path,
          dev: copy.dev,
          ino: copy.ino,
        });
      }
      this.log.info(
        { path: t.path, copy: copy.path, readPos: t.readPos },
        'Log file truncated (copytruncate); reading the rest from its copy.',
      );
    } else {
      // Nothing holds the bytes after readPos any more; what was read is still sent.
      t.flush(this.outbox);
      t.ended = true;
      if (t.fileId !== undefined) this.cp = checkpoint.setState(this.cp, t.fileId, 'draining', now);
      this.log.info(
        { path: t.path, readPos: t.readPos },
        'Log file truncated; following it again from its beginning.',
      );
    }
    this.dirty = true;
    if (!this.draining.includes(t)) {
      t.draining = true;
      this.draining.push(t);
    }
    if (wasLive) {
      const fresh = await this.openTailer(t.path, { lineStart: 0, piece: 0 });
      if (fresh) this.live.set(t.path, fresh);
    }
  }

  private async findCopy(
    t: Tailer,
  ): Promise<{ fh: FileHandle; path: string; dev: number; ino: number } | undefined> {
    const id = t.identity;
    if (!id) return undefined;
    for (const f of await scanFiles(this.patterns)) {
      if ((f.dev === t.dev && f.ino === t.ino) || f.size < t.readPos || f.size < id.fpLen) continue;
      let fh: FileHandle | undefined;
      try {
        fh = await open(f.path, 'r');
        const st = await fh.stat();
        if ((await readFingerprint(fh, id.fpLen)) === id.fp)
          return { fh, path: f.path, dev: st.dev, ino: st.ino };
      } catch {
        // Vanished between readdir and open: not the copy.
      }
      await fh?.close().catch(() => {});
    }
    return undefined;
  }

  private async closeDrained(now: number): Promise<void> {
    const keep: Tailer[] = [];
    for (const t of this.draining) {
      const quiet = mayClose({
        atEnd: t.atEnd,
        quietMs: now - t.changedAt,
        idleMs: this.options.rotatedIdleMs,
      });
      if (!(t.ended || quiet)) {
        keep.push(t);
        continue;
      }
      t.flush(this.outbox);
      if (t.unacked > 0) {
        keep.push(t);
        continue;
      }
      await t.close();
      this.metrics.lagBytes.remove({ path: this.label(t) });
      if (t.fileId !== undefined) this.cp = checkpoint.setState(this.cp, t.fileId, 'done', now);
      this.dirty = true;
      this.log.info(
        { path: t.path, fileId: t.fileId, offset: t.ackOffset },
        'Rotated log file fully shipped and closed.',
      );
    }
    this.draining = keep;
  }
}
