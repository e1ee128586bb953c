/**
 * The file driver's errors: a file that cannot be read stops the report with the same error,
 * code and message, whichever thread reads it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isMailpulseError } from '../core/errors.js';
import { repoPath } from '../core/paths.js';
import { reportOfFiles } from './run.js';

describe('reportOfFiles, unreadable input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mp-run-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const good = repoPath('fixtures', 'logs', 'small-mx.maillog');
  // A gzip stream cut short after a full first block of lines: the error comes mid-file.
  const whole = gzipSync(Buffer.concat(Array.from({ length: 50 }, () => readFileSync(good))));
  const truncated = join(dir, 'mail.log.1.gz');
  writeFileSync(truncated, whole.subarray(0, whole.length - 100));

  const cases: Array<[string, string[], RegExp]> = [
    [
      'a missing file after a good one',
      [good, join(dir, 'missing.log')],
      /^Cannot read .*missing\.log: ENOENT$/,
    ],
    ['a directory', [dir], /^Cannot read .*mp-run-\w+: is a directory$/],
    ['a truncated gzip file', [truncated], /^Cannot read .*mail\.log\.1\.gz: unexpected end of file$/],
  ];
  for (const [name, paths, message] of cases) {
    it(`${name}: the same error from either thread`, async () => {
      const seen: string[] = [];
      for (const readOnWorker of [false, true]) {
        await assert.rejects(
          reportOfFiles(paths, { timeZone: 'UTC', parallelAfter: 0, readOnWorker }),
          (err: unknown) => {
            assert.ok(isMailpulseError(err), String(err));
            assert.equal(err.code, 'MP_ERR_INPUT_FILE');
            assert.match(err.message, message);
            seen.push(err.message);
            return true;
          },
        );
      }
      assert.equal(seen[0], seen[1]);
    });
  }
});
