/**
 * File identity that survives rename: device + inode, plus a fingerprint of the file's first
 * bytes so that a reused inode (old file deleted, new one created) is not mistaken for the
 * old file, and a copy made by `copytruncate` can be recognised as the same content.
 *
 * The fingerprint covers the first FINGERPRINT_BYTES bytes. A file shorter than that when its
 * identity is first needed (the moment its first bytes are shipped) is fingerprinted over the
 * bytes it has then; that length is part of the identity and kept in the checkpoint, so the
 * id never changes as the file grows. Waiting for 256 bytes instead would hold back the first
 * line of a quiet log for as long as nothing else is written. The price: a file identified
 * over few bytes has a weaker guard against inode reuse. An empty file has no identity yet.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

export const FINGERPRINT_BYTES = 256;

export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  /** Bytes the fingerprint covers (1..FINGERPRINT_BYTES). */
  readonly fpLen: number;
  /** sha1 of the first fpLen bytes, hex, first 16 characters. */
  readonly fp: string;
}

export function fingerprintOf(bytes: Buffer): string {
  return createHash('sha1').update(bytes).digest('hex').slice(0, 16);
}

/** The id that travels in the `mp-file-id` header and keys the checkpoint. */
export function fileIdOf(id: FileIdentity): string {
  return `${id.dev.toString(36)}.${id.ino.toString(36)}.${id.fpLen.toString(36)}.${id.fp}`;
}

/** The fingerprint of the first `len` bytes, or undefined when the file is shorter than that. */
export async function readFingerprint(fh: FileHandle, len: number): Promise<string | undefined> {
  const buf = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(buf, got, len - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === len ? fingerprintOf(buf) : undefined;
}

/** Fixes the identity of a file that now has `size` bytes (size > 0). */
export async function identify(
  fh: FileHandle,
  dev: number,
  ino: number,
  size: number,
): Promise<FileIdentity | undefined> {
  const fpLen = Math.min(size, FINGERPRINT_BYTES);
  if (fpLen === 0) return undefined;
  const fp = await readFingerprint(fh, fpLen);
  return fp === undefined ? undefined : { dev, ino, fpLen, fp };
}
