import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const entry = fileURLToPath(new URL('./index.js', import.meta.url));

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `import(${JSON.stringify(entry)}).then(async (m) => { process.exitCode = await m.main(process.argv.slice(1)); })`, '--', ...args],
    { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } },
  );
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

test('--help lists every subcommand of the contract', () => {
  const { code, stdout } = cli(['--help']);
  assert.equal(code, 0);
  for (const name of ['parse', 'report', 'ship', 'index', 'api', 'alerts', 'run', 'import', 'stack']) {
    assert.match(stdout, new RegExp(`^  ${name} `, 'm'));
  }
});

test('an unknown command exits 2 with one line', () => {
  const { code, stderr } = cli(['frobnicate']);
  assert.equal(code, 2);
  assert.equal(stderr.trim().split('\n').length, 1);
  assert.match(stderr, /unknown command "frobnicate"/);
});

test('bad config: one line naming the setting, no stack trace, non-zero exit', () => {
  const { code, stderr } = cli(['stack', 'status'], { KAFKA_BROKERS: 'not a url' });
  assert.equal(code, 1);
  assert.equal(stderr.trim().split('\n').length, 1, stderr);
  assert.match(stderr, /MP_ERR_CONFIG_INVALID: Invalid configuration: KAFKA_BROKERS: expected host:port/);
  assert.doesNotMatch(stderr, /\n\s+at /);
});

test('an unknown option is a usage error (exit 2) that names it', () => {
  const { code, stderr } = cli(['stack', 'up', '--bogus']);
  assert.equal(code, 2);
  assert.match(stderr, /--bogus/);
});

test('every subcommand answers --help with a usage text', () => {
  for (const name of ['stack', 'parse', 'report']) {
    const { code, stdout } = cli([name, '--help']);
    assert.equal(code, 0, name);
    assert.match(stdout, /Usage: mailpulse/);
  }
});
