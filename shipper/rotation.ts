/**
 * Decisions about followed files, pure: what a path's new stat means (beats `fswatch.go`
 * operations), whether a file's content was truncated, when a rotated file may be closed.
 */

export type PathSeen =
  | { readonly kind: 'missing' }
  | { readonly kind: 'file'; readonly dev: number; readonly ino: number };

export type PathChange =
  /** Same file as before (or still nothing there). */
  | 'unchanged'
  /** A file appeared where none was followed. */
  | 'created'
  /** Another file now has the name (rename + create rotation): drain the old one, follow the new. */
  | 'rotated'
  /** The name is gone (deleted, or renamed without a successor yet): drain the old file. */
  | 'removed';

export function pathChange(followed: { dev: number; ino: number } | undefined, seen: PathSeen): PathChange {
  if (seen.kind === 'missing') return followed ? 'removed' : 'unchanged';
  if (!followed) return 'created';
  return followed.dev === seen.dev && followed.ino === seen.ino ? 'unchanged' : 'rotated';
}

export interface ContentSeen {
  /** Bytes read so far (next read position). */
  readonly readPos: number;
  readonly size: number;
  /** Fingerprint recorded for the identity, and the one the first fpLen bytes have now. */
  readonly fpThen?: string;
  readonly fpNow?: string;
}

export type ContentChange = 'none' | 'grown' | 'truncated';

/**
 * `copytruncate` empties the file in place. Seen as a size below what was read, or, when the
 * writer refilled it past that point between two looks, as different first bytes.
 */
export function contentChange(c: ContentSeen): ContentChange {
  if (c.size < c.readPos) return 'truncated';
  if (c.fpThen !== undefined && c.fpNow !== undefined && c.fpThen !== c.fpNow) return 'truncated';
  return c.size > c.readPos ? 'grown' : 'none';
}

export interface DrainSeen {
  readonly atEnd: boolean;
  /** Milliseconds since the size last changed. */
  readonly quietMs: number;
  readonly idleMs: number;
}

/**
 * A rotated or deleted file is closed once read to its end and quiet for a while: the writer
 * keeps appending to the renamed file until it reopens its log (postfix/syslog on HUP).
 */
export function mayClose(d: DrainSeen): boolean {
  return d.atEnd && d.quietMs >= d.idleMs;
}

/** A last line without newline is sent as it is once the file has been quiet long enough. */
export function mayFlushPartial(p: { pendingBytes: number; quietMs: number; flushMs: number }): boolean {
  return p.pendingBytes > 0 && p.quietMs >= p.flushMs;
}
