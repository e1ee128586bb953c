/**
 * The shared real-log corpus for the parser benchmark and coverage report. Read, never copied
 * into the repository: `../shared/corpus/` beside the checkout (xz-compressed, so `xz -dc`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoRoot } from '../core/paths.js';

export const DEFAULT_CORPUS = resolve(repoRoot, '..', 'shared', 'corpus', 'inbound-2023.mail.log.xz');

/** The corpus lines, or an exit with a one-line reason (these are scripts, not the product). */
export function readCorpus(path = DEFAULT_CORPUS): string[] {
  if (!existsSync(path)) {
    process.stderr.write(`corpus not found: ${path} (pass a path as the first argument)\n`);
    process.exit(2);
  }
  const bytes = path.endsWith('.xz')
    ? execFileSync('xz', ['-dc', path], { maxBuffer: 1 << 30 })
    : readFileSync(path);
  const lines = bytes.toString('utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
