/**
 * Which files the configured paths name now, and their rotated neighbours. Globs are allowed in
 * the file name part only (`/var/log/mail*.log`, `?` and `*`); the folder is literal, which
 * keeps a scan to one `readdir` per folder. Neighbours are files in the same folder whose name
 * starts with the pattern's literal prefix (`mail.log.1`, `mail.log-20240101`), where a rotated
 * file or a copytruncate copy is looked for. Compressed files are never read.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface PathPattern {
  readonly dir: string;
  /** Null for a literal path. */
  readonly match: RegExp | null;
  readonly name: string;
  /** Literal beginning of the name: rotated neighbours start with it. */
  readonly prefix: string;
}

const COMPRESSED = /\.(gz|xz|bz2|zst|lz4|zip)$/;

export function compilePattern(path: string): PathPattern {
  const dir = dirname(path);
  const name = basename(path);
  const wild = /[*?]/.exec(name);
  if (!wild) return { dir, match: null, name, prefix: name };
  const source = name
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return { dir, match: new RegExp(`^${source}$`), name, prefix: name.slice(0, wild.index) };
}

export interface FoundFile {
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly watched: boolean;
}

async function regular(path: string): Promise<{ dev: number; ino: number; size: number } | undefined> {
  try {
    const st = await stat(path);
    return st.isFile() ? { dev: st.dev, ino: st.ino, size: st.size } : undefined;
  } catch {
    return undefined;
  }
}

/** The paths the patterns name now (a literal path is listed even when missing). */
export async function watchedPaths(patterns: readonly PathPattern[]): Promise<string[]> {
  const out = new Set<string>();
  for (const p of patterns) {
    if (!p.match) {
      out.add(join(p.dir, p.name));
      continue;
    }
    let names: string[];
    try {
      names = await readdir(p.dir);
    } catch {
      continue;
    }
    for (const n of names.sort()) if (p.match.test(n) && !COMPRESSED.test(n)) out.add(join(p.dir, n));
  }
  return [...out];
}

/** Watched files and rotated neighbours that exist, each once. */
export async function scanFiles(patterns: readonly PathPattern[]): Promise<FoundFile[]> {
  const watched = new Set(await watchedPaths(patterns));
  const seen = new Map<string, FoundFile>();
  for (const p of patterns) {
    let names: string[];
    try {
      names = await readdir(p.dir);
    } catch {
      continue;
    }
    for (const n of names.sort()) {
      const path = join(p.dir, n);
      if (seen.has(path) || !n.startsWith(p.prefix) || COMPRESSED.test(n)) continue;
      const st = await regular(path);
      if (st) seen.set(path, { path, ...st, watched: watched.has(path) });
    }
  }
  return [...seen.values()];
}
