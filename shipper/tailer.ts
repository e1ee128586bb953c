/**
 * One followed file: reads from its handle at exact byte offsets, cuts lines, hands records to
 * the outbox, and remembers two positions. `readPos` is how far it read; `ackCursor` is how far
 * Kafka acknowledged, which is all the checkpoint ever stores. The handle stays open across a
 * rename or a deletion, so a rotated file is read to its end through it.
 */
import type { FileHandle } from 'node:fs/promises';
import type { ShipperMetrics } from './events.js';
import { type FileIdentity, fileIdOf, identify, readFingerprint } from './identity.js';
import { bufferStart, flushPartial, type LineCursor, type LineRecord, splitLines } from './lines.js';
import type { AckTarget, Outbox } from './producer.js';
import { type ContentChange, contentChange } from './rotation.js';

export interface TailerOptions {
  readonly maxLineBytes: number;
  readonly readChunkBytes: number;
}

export interface TailerInit {
  readonly path: string;
  readonly fh: FileHandle;
  readonly dev: number;
  readonly ino: number;
  /** Known identity (resumed from the checkpoint); otherwise fixed when the file has bytes. */
  readonly identity?: FileIdentity;
  /** Keeps an existing id when the bytes now live in another file (a copytruncate copy). */
  readonly fileId?: string;
  /** Where to start: everything before it counts as acknowledged. */
  readonly cursor: LineCursor;
}

const EMPTY = Buffer.alloc(0);

export class Tailer implements AckTarget {
  readonly path: string;
  fh: FileHandle;
  dev: number;
  ino: number;
  identity: FileIdentity | undefined;
  fileId: string | undefined;
  /** Next byte to read from the file. */
  readPos: number;
  /** Bytes read but not yet cut into records (an unfinished line). */
  private rest: Buffer = EMPTY;
  private cursor: LineCursor;
  ackCursor: LineCursor;
  ackOffset: number;
  /** Records handed to the outbox and not yet acknowledged. */
  unacked = 0;
  size = 0;
  /** Size at the last fingerprint comparison. */
  private fpCheckedSize = -1;
  /** When the size last changed (ms). */
  changedAt: number;
  /** Rotated away, deleted or truncated: read to the end, then close. */
  draining = false;
  /** No more bytes will come from this file (truncated without a copy): only acks remain. */
  ended = false;
  onAck: (t: Tailer, last: LineRecord) => void = () => {};

  constructor(
    init: TailerInit,
    private readonly options: TailerOptions,
    private readonly metrics: ShipperMetrics,
  ) {
    this.path = init.path;
    this.fh = init.fh;
    this.dev = init.dev;
    this.ino = init.ino;
    this.identity = init.identity;
    this.fileId = init.fileId ?? (init.identity ? fileIdOf(init.identity) : undefined);
    this.cursor = init.cursor;
    this.ackCursor = init.cursor;
    this.readPos = bufferStart(init.cursor, options.maxLineBytes);
    this.ackOffset = this.readPos;
    this.changedAt = Date.now();
  }

  get pendingBytes(): number {
    return this.rest.length;
  }

  get atEnd(): boolean {
    return this.ended || this.readPos >= this.size;
  }

  /** Continue in another file holding the same bytes at the same offsets (copytruncate's copy). */
  moveTo(fh: FileHandle, dev: number, ino: number): void {
    this.fh = fh;
    this.dev = dev;
    this.ino = ino;
  }

  /** Looks at the file: its size, its identity once it has bytes, and whether it was truncated. */
  async look(now: number): Promise<ContentChange> {
    if (this.ended) return 'none';
    const st = await this.fh.stat();
    if (st.size !== this.size) {
      this.size = st.size;
      this.changedAt = now;
    }
    if (!this.identity && this.fileId === undefined && st.size > 0) {
      this.identity = await identify(this.fh, this.dev, this.ino, st.size);
      if (this.identity) this.fileId = fileIdOf(this.identity);
    }
    if (this.identity && !this.draining && st.size < this.identity.fpLen) return 'truncated';
    // The first bytes are compared again whenever the size moved since they were last compared
    // (a file emptied and refilled past readPos between two looks has the same inode, other
    // first bytes). A file being drained is no longer at its name: nobody truncates it there.
    let fpNow: string | undefined;
    if (this.identity && !this.draining && st.size !== this.fpCheckedSize) {
      fpNow = (await readFingerprint(this.fh, this.identity.fpLen)) ?? '';
      this.fpCheckedSize = st.size;
    }
    return contentChange({
      readPos: this.readPos,
      size: st.size,
      fpThen: fpNow === undefined ? undefined : this.identity?.fp,
      fpNow,
    });
  }

  /** The file has no name left (deleted while open); its bytes are still readable here. */
  async isDeleted(): Promise<boolean> {
    return (await this.fh.stat()).nlink === 0;
  }

  /** Reads up to the size last seen while the outbox has room. Returns the bytes read. */
  async read(outbox: Outbox): Promise<number> {
    const fileId = this.fileId;
    if (this.ended || fileId === undefined) return 0;
    let total = 0;
    while (this.readPos < this.size && outbox.hasRoom()) {
      const want = Math.min(this.options.readChunkBytes, this.size - this.readPos);
      const buf = Buffer.allocUnsafe(this.rest.length + want);
      this.rest.copy(buf, 0);
      const { bytesRead } = await this.fh.read(buf, this.rest.length, want, this.readPos);
      if (bytesRead === 0) {
        // Shorter than stat said: truncated between the two calls; the next look sees it.
        this.size = this.readPos;
        break;
      }
      this.readPos += bytesRead;
      total += bytesRead;
      const data = buf.subarray(0, this.rest.length + bytesRead);
      const split = splitLines(data, this.cursor, this.options.maxLineBytes);
      this.cursor = split.cursor;
      this.rest = data.subarray(split.consumed);
      this.emit(outbox, fileId, split.records);
    }
    return total;
  }

  /** Sends the unfinished last line as it is. */
  flush(outbox: Outbox): boolean {
    const fileId = this.fileId;
    if (fileId === undefined) return false;
    const record = flushPartial(this.rest, this.cursor, this.options.maxLineBytes);
    if (!record) return false;
    this.metrics.partialFlushes.inc();
    this.rest = EMPTY;
    this.cursor = record.next;
    this.emit(outbox, fileId, [record]);
    return true;
  }

  private emit(outbox: Outbox, fileId: string, records: LineRecord[]): void {
    this.unacked += records.length;
    outbox.push({ target: this, fileId, records, bytes: this.count(records) });
  }

  /** Counts the records in the metrics; returns the bytes of their values. */
  private count(records: readonly LineRecord[]): number {
    let bytes = 0;
    let pieces = 0;
    for (const r of records) {
      bytes += r.value.length;
      if (r.piece !== undefined) pieces += 1;
    }
    this.metrics.linesRead.inc(records.length);
    this.metrics.bytesRead.inc(bytes);
    if (pieces > 0) this.metrics.linesSplit.inc(pieces);
    return bytes;
  }

  acked(last: LineRecord, count: number): void {
    this.unacked -= count;
    this.ackCursor = last.next;
    this.ackOffset = last.end;
    this.onAck(this, last);
  }

  async close(): Promise<void> {
    await this.fh.close().catch(() => {});
  }
}
