/**
 * What travels on the raw topic: the value is the log line exactly as read (no newline), the key
 * is the host name (so one host's lines stay ordered in one partition), and these headers say
 * where the line came from. (host, file id, offset, piece) is a line's stable identity: the
 * indexer derives the event `_id` from it, so a line shipped twice is stored once.
 *
 * Written by the shipper and by `mailpulse import`; read by the indexer.
 */
import { hash } from 'node:crypto';
import { z } from 'zod';

export const RAW_HEADERS = {
  host: 'mp-host',
  path: 'mp-path',
  fileId: 'mp-file-id',
  offset: 'mp-offset',
  /** Present when a line longer than the shipper's limit was split: 0, 1, 2, ... */
  piece: 'mp-piece',
} as const;

export const RawRecordSchema = z.object({
  host: z.string().min(1),
  path: z.string(),
  /** File identity that survives rename: device + inode + fingerprint of the first bytes. */
  fileId: z.string().min(1),
  /** Byte offset of the line's first byte in that file. */
  offset: z.coerce.number().int().nonnegative(),
  piece: z.coerce.number().int().nonnegative().optional(),
});
export type RawRecord = z.infer<typeof RawRecordSchema>;

/** A line as the shipper holds it: where it starts in its file, and its bytes (no newline). */
export interface RawLine {
  readonly offset: number;
  readonly piece?: number;
  readonly value: Buffer;
}

/**
 * `lines[from, to)`: consecutive lines of one file. The shipper hands its lines to the producer
 * in these, so that the producer can write the records straight from the read buffers without
 * building a message and a header object per line.
 */
export interface RawLineSegment {
  readonly path: string;
  readonly fileId: string;
  readonly lines: readonly RawLine[];
  readonly from: number;
  readonly to: number;
}

export function rawHeaders(r: RawRecord): Record<string, string> {
  const h: Record<string, string> = {
    [RAW_HEADERS.host]: r.host,
    [RAW_HEADERS.path]: r.path,
    [RAW_HEADERS.fileId]: r.fileId,
    [RAW_HEADERS.offset]: String(r.offset),
  };
  if (r.piece !== undefined) h[RAW_HEADERS.piece] = String(r.piece);
  return h;
}

/** Up to 15 digits: a safe integer, read the same by `Number` as by the schema's coercion. */
const PLAIN_INT = /^\d{1,15}$/;

export function readRawHeaders(headers: Record<string, string | undefined>) {
  const host = headers[RAW_HEADERS.host];
  const path = headers[RAW_HEADERS.path];
  const fileId = headers[RAW_HEADERS.fileId];
  const offset = headers[RAW_HEADERS.offset];
  const piece = headers[RAW_HEADERS.piece];
  // Every indexed record comes here: the shipper's well-formed headers are checked by hand and
  // give what the schema would; anything else goes through the schema for its error.
  if (
    host &&
    path !== undefined &&
    fileId &&
    offset !== undefined &&
    PLAIN_INT.test(offset) &&
    (piece === undefined || PLAIN_INT.test(piece))
  ) {
    const data: RawRecord = { host, path, fileId, offset: Number(offset) };
    if (piece !== undefined) data.piece = Number(piece);
    return { success: true as const, data };
  }
  return RawRecordSchema.safeParse({ host, path, fileId, offset, piece });
}

/** The event `_id`: short, stable, and equal for every copy of the same line. */
export function eventId(r: RawRecord): string {
  // One-shot hash: computed for every indexed line, and a Hash object per call costs 4x as much.
  return hash('sha1', `${r.host}\0${r.fileId}\0${r.offset}\0${r.piece ?? 0}`, 'base64url');
}
