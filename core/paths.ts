import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository (or installed package) root. Source files compile to `dist/<folder>/x.js`
 * (or another `dist-*` build folder), so the root is two levels above this file's compiled
 * location.
 */
const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = basename(resolve(here, '..')).startsWith('dist')
  ? resolve(here, '..', '..')
  : resolve(here, '..');

export function repoPath(...parts: string[]): string {
  return join(repoRoot, ...parts);
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Where mailpulse keeps state on this machine when no setting says otherwise. */
export function defaultDataDir(): string {
  if (isRoot()) return '/var/lib/mailpulse';
  return join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'mailpulse');
}
