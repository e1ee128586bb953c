import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const cliIndex = fileURLToPath(new URL('../index.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mailpulse-parse-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function mailpulse(args: string[], input?: string) {
  const script = `import(${JSON.stringify(cliIndex)}).then(async (m) => { process.exitCode = await m.main(process.argv.slice(1)); })`;
  const r = spawnSync(process.execPath, ['-e', script, '--', ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, TZ_DEFAULT: 'UTC' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const LINES = [
  'Dec 31 23:59:50 mx1 postfix/smtpd[1]: connect from a.example[192.0.2.1]',
  'Dec 31 23:59:59 mx1 postfix/qmgr[2]: 7E1AEC2C388: removed',
  'Jan  1 00:00:05 mx1 postfix/qmgr[2]: 7E1AEC2C388: something the parser does not know',
  'Jan  1 00:00:06 mx1 dovecot: imap-login: Login: user=<a@example.org>',
];

test('parse: plain and .gz files, one event per line, Dec → Jan rollover across files, unparsed counted on stderr', () => {
  const plain = join(dir, 'a.log');
  const gz = join(dir, 'b.log.gz');
  writeFileSync(plain, `${LINES.slice(0, 2).join('\n')}\n`);
  writeFileSync(gz, gzipSync(`${LINES.slice(2).join('\n')}\n`));
  const r = mailpulse(['parse', '--year', '2022', plain, gz]);
  assert.equal(r.code, 0, r.stderr);
  const events = r.stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    events.map((e) => [e.event.original, e.event.action, e['@timestamp']]),
    [
      [LINES[0], 'connect', '2022-12-31T23:59:50.000Z'],
      [LINES[1], 'removed', '2022-12-31T23:59:59.000Z'],
      [LINES[2], 'unparsed', '2023-01-01T00:00:05.000Z'],
      [LINES[3], 'other', '2023-01-01T00:00:06.000Z'],
    ],
  );
  assert.match(r.stderr, /1 of 4 lines not understood/);
});

test('parse: stdin when no file, --tz applies to zone-less timestamps', () => {
  const r = mailpulse(
    ['parse', '--year', '2023', '--tz', 'Asia/Tokyo'],
    'Mar 14 09:00:00 mx1 postfix/qmgr[2]: 7E1AEC2C388: removed\n',
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout)['@timestamp'], '2023-03-14T00:00:00.000Z');
  assert.equal(r.stderr, '');
});

test('parse: user errors are one line with a code and a non-zero exit, never a stack trace', () => {
  for (const [args, code, pattern] of [
    [['parse', '--year', 'soon'], 2, /MP_ERR_CLI_USAGE: --year expects a year/],
    [['parse', '--tz', 'Mars/Olympus'], 1, /MP_ERR_CONFIG_INVALID: .*TZ_DEFAULT/],
    [['parse', join(dir, 'missing.log')], 1, /MP_ERR_INPUT_FILE: Cannot read .*missing\.log: ENOENT/],
    [['parse', '--colour'], 2, /MP_ERR_CLI_USAGE/],
  ] as const) {
    const r = mailpulse([...args]);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test('parse --help', () => {
  const r = mailpulse(['parse', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Usage: mailpulse parse/);
});
