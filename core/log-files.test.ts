import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isMailpulseError } from './errors.js';
import { orderLogFiles, readLogFile, readLogFiles } from './log-files.js';

describe('orderLogFiles', () => {
  const cases: Array<[string[], string[]]> = [
    [
      ['/v/mail.log', '/v/mail.log.1', '/v/mail.log.2.gz', '/v/mail.log.3.gz'],
      ['/v/mail.log.3.gz', '/v/mail.log.2.gz', '/v/mail.log.1', '/v/mail.log'],
    ],
    [
      ['/v/mail.log.10.gz', '/v/mail.log.9.gz', '/v/mail.log'],
      ['/v/mail.log.10.gz', '/v/mail.log.9.gz', '/v/mail.log'],
    ],
    [
      ['/v/mail.log', '/v/mail.log-20230313', '/v/mail.log-20230312.gz'],
      ['/v/mail.log-20230312.gz', '/v/mail.log-20230313', '/v/mail.log'],
    ],
    // Two sets keep the order they were given in; each set is put in time order.
    [
      ['/b/mail.log', '/a/maillog', '/b/mail.log.1', '/a/maillog.1'],
      ['/b/mail.log.1', '/b/mail.log', '/a/maillog.1', '/a/maillog'],
    ],
    [['x.log'], ['x.log']],
  ];
  for (const [given, want] of cases) it(given.join(' '), () => assert.deepEqual(orderLogFiles(given), want));
});

describe('readLogFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mp-logfiles-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  async function all(path: string, chunkBytes?: number): Promise<string[]> {
    const out: string[] = [];
    for await (const batch of readLogFile(path, chunkBytes === undefined ? {} : { chunkBytes }))
      out.push(...batch);
    return out;
  }

  it('plain text, CRLF, a missing last newline, tiny chunks splitting UTF-8 and CRLF', async () => {
    const p = join(dir, 'plain');
    writeFileSync(p, 'one\r\nzwei ü\r\nthree');
    for (const size of [1, 2, 3, 5, 1024]) assert.deepEqual(await all(p, size), ['one', 'zwei ü', 'three']);
  });

  it('gzip found by its magic bytes, whatever the name', async () => {
    const p = join(dir, 'rotated.1');
    writeFileSync(p, gzipSync(Buffer.from('a\nb\n')));
    assert.deepEqual(await all(p), ['a', 'b']);
  });

  it('invalid UTF-8 becomes U+FFFD, a NUL stays', async () => {
    const p = join(dir, 'bad');
    writeFileSync(p, Buffer.from([0x61, 0xff, 0x00, 0x62, 0x0a]));
    assert.deepEqual(await all(p), ['a\ufffd\u0000b']);
  });

  it('an over-long line is cut into pieces instead of held whole', async () => {
    const p = join(dir, 'long');
    writeFileSync(p, `${'x'.repeat(25)}\nend\n`);
    const out: string[] = [];
    for await (const batch of readLogFile(p, { chunkBytes: 4, maxLineBytes: 10 })) out.push(...batch);
    assert.deepEqual(out.join(''), `${'x'.repeat(25)}end`);
    assert.ok(out.every((l) => l.length <= 10));
  });

  it('xz, a missing file and a directory are clear errors', async () => {
    const xz = join(dir, 'f.xz');
    writeFileSync(xz, Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2]));
    for (const path of [xz, join(dir, 'missing'), dir]) {
      await assert.rejects(all(path), (err) => isMailpulseError(err) && err.code === 'MP_ERR_INPUT_FILE');
    }
  });

  it('readLogFiles reads a rotated set oldest first', async () => {
    writeFileSync(join(dir, 'mail.log'), 'new\n');
    writeFileSync(join(dir, 'mail.log.1'), 'mid\n');
    writeFileSync(join(dir, 'mail.log.2.gz'), gzipSync(Buffer.from('old\n')));
    const out: string[] = [];
    for await (const b of readLogFiles([
      join(dir, 'mail.log'),
      join(dir, 'mail.log.1'),
      join(dir, 'mail.log.2.gz'),
    ]))
      out.push(...b);
    assert.deepEqual(out, ['old', 'mid', 'new']);
  });
});
