import { mkdirSync, writeFileSync } from 'node:fs';
import { repoPath } from '../core/paths.js';

/** Every benchmark leaves its figures in bench/results/<name>.json for `bench/readme.ts`. */
export function writeResult(name: string, data: unknown): void {
  mkdirSync(repoPath('bench', 'results'), { recursive: true });
  writeFileSync(repoPath('bench', 'results', `${name}.json`), `${JSON.stringify(data, null, 2)}\n`);
}
