/**
 * Cutting bytes into line records, pure. Offsets are file offsets: a record's `offset` is the
 * file position of its line's first byte, so the indexer's event id (host, file id, offset,
 * piece) is the same every time the same line is read again.
 *
 * Invariant: the buffer handed to `splitLines` starts at `bufferStart(cursor, max)`, the first
 * byte of the current line not yet emitted. Non-final pieces of a split line are exactly
 * `maxLineBytes` long, which is what makes that position computable from the cursor alone.
 */

/** Where reading stands inside the current line. */
export interface LineCursor {
  /** File offset of the current line's first byte. */
  readonly lineStart: number;
  /** Pieces of that line already emitted (0 unless the line is longer than the limit). */
  readonly piece: number;
}

export interface LineRecord {
  /** File offset of the line's first byte (the same for every piece of a split line). */
  readonly offset: number;
  /** Set only for pieces of a line longer than the limit: 0, 1, 2, ... */
  readonly piece?: number;
  /** The bytes, without the newline, exactly as in the file. */
  readonly value: Buffer;
  /** Where reading resumes after this record (what the checkpoint stores once it is acked). */
  readonly next: LineCursor;
  /** File offset just past this record's bytes (and its newline). */
  readonly end: number;
}

export interface SplitResult {
  readonly records: LineRecord[];
  /** Bytes of the buffer turned into records; the rest is an unfinished line. */
  readonly consumed: number;
  readonly cursor: LineCursor;
}

const NEWLINE = 0x0a;

export function bufferStart(cursor: LineCursor, maxLineBytes: number): number {
  return cursor.lineStart + cursor.piece * maxLineBytes;
}

export function splitLines(buf: Buffer, cursor: LineCursor, maxLineBytes: number): SplitResult {
  const base = bufferStart(cursor, maxLineBytes);
  const records: LineRecord[] = [];
  let { lineStart, piece } = cursor;
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(NEWLINE, pos);
    if (nl !== -1 && nl - pos <= maxLineBytes) {
      const end = base + nl + 1;
      const next = { lineStart: end, piece: 0 };
      const value = buf.subarray(pos, nl);
      records.push(
        piece > 0 ? { offset: lineStart, piece, value, next, end } : { offset: lineStart, value, next, end },
      );
      pos = nl + 1;
      lineStart = end;
      piece = 0;
    } else if (buf.length - pos > maxLineBytes) {
      // More than the limit without a newline: the line is certainly too long, cut a full piece.
      const end = base + pos + maxLineBytes;
      const next = { lineStart, piece: piece + 1 };
      records.push({ offset: lineStart, piece, value: buf.subarray(pos, pos + maxLineBytes), next, end });
      pos += maxLineBytes;
      piece += 1;
    } else {
      break;
    }
  }
  return { records, consumed: pos, cursor: { lineStart, piece } };
}

/**
 * The unfinished rest of a line sent as it is (idle timeout, rotated file finished, truncation).
 * What arrives later in the same file starts a new line at the next offset.
 */
export function flushPartial(rest: Buffer, cursor: LineCursor, maxLineBytes: number): LineRecord | undefined {
  if (rest.length === 0) return undefined;
  const end = bufferStart(cursor, maxLineBytes) + rest.length;
  const next = { lineStart: end, piece: 0 };
  return cursor.piece > 0
    ? { offset: cursor.lineStart, piece: cursor.piece, value: rest, next, end }
    : { offset: cursor.lineStart, value: rest, next, end };
}
