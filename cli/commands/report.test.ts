import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { repoPath } from '../../core/paths.js';

const cli = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'index.js');
const fixture = repoPath('fixtures', 'logs', 'small-mx.maillog');

function mailpulse(args: string[], input?: string) {
  const r = spawnSync(
    process.execPath,
    [
      '-e',
      `import(${JSON.stringify(cli)}).then(async m => { process.exitCode = await m.main(process.argv.slice(1)); })`,
      '--',
      ...args,
    ],
    { encoding: 'utf8', ...(input !== undefined ? { input } : {}) },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('mailpulse report', () => {
  it('--json on a file prints the contract shape', () => {
    const r = mailpulse(['report', '--json', '--tz', 'UTC', fixture]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.messages.delivered, 4);
    assert.equal(report.queue.backlog_at_end, 1);
  });

  it('reads stdin when no file is given, and prints text by default', () => {
    const r = mailpulse(['report', '--tz', 'UTC'], readFileSync(fixture, 'utf8'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Grand totals/);
    assert.match(r.stdout, /delivered \(recipients\)\s+4/);
  });

  for (const [args, code, pattern] of [
    [['report', '--year', 'soon', fixture], 2, /--year expects a year/],
    [['report', '--tz', 'Mars/Olympus', fixture], 1, /time zone/],
    [['report', '--bogus'], 2, /bogus/],
    [['report', '/nonexistent/mail.log'], 1, /MP_ERR_INPUT_FILE.*\/nonexistent\/mail\.log/],
  ] as const) {
    it(`${args.slice(1).join(' ')} fails with one line and exit ${code}`, () => {
      const r = mailpulse([...args]);
      assert.equal(r.code, code);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.equal(r.stdout, '');
    });
  }
});
