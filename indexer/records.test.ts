import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventId, rawHeaders } from '../core/raw-record.js';
import { createParseContext } from '../parser/index.js';
import { prepareRecord, tagWithMessage } from './records.js';

const source = { host: 'mx1', path: '/var/log/mail.log', fileId: 'f1', offset: 120 };
const line = '2026-11-27T10:00:00.000000+00:00 mx1 postfix/smtpd[1]: connect from a.example[192.0.2.1]';

function record(value: Buffer | string | null, headers: Record<string, string> = rawHeaders(source)) {
  return {
    topic: 'raw',
    partition: 2,
    offset: '77',
    key: null,
    value: typeof value === 'string' ? Buffer.from(value) : value,
    headers,
    timestamp: String(Date.parse('2026-11-27T12:00:00Z')),
  };
}

const ctx = () => createParseContext({ timeZone: 'UTC' });

test('a shipped line: id from its source, day of its timestamp, file position kept', () => {
  const p = prepareRecord(record(line), ctx(), 1000);
  assert.equal(p.kind, 'event');
  if (p.kind !== 'event') return;
  assert.equal(p.id, eventId(source));
  assert.equal(p.day, '2026.11.27');
  assert.equal(p.hasSource, true);
  assert.equal(p.event.event.original, line);
  assert.deepEqual(p.event.log, { file: { path: '/var/log/mail.log', id: 'f1' }, offset: 120 });
});

test('the same line twice gets the same id; another offset another id', () => {
  const a = prepareRecord(record(line), ctx(), 1000);
  const b = prepareRecord(record(line), ctx(), 1000);
  const c = prepareRecord(record(line, rawHeaders({ ...source, offset: 121 })), ctx(), 1000);
  assert.ok(a.kind === 'event' && b.kind === 'event' && c.kind === 'event');
  assert.equal(a.id, b.id);
  assert.notEqual(a.id, c.id);
});

test('without shipper headers the record is still an event, id from its Kafka position', () => {
  const p = prepareRecord(record(line, {}), ctx(), 1000);
  assert.equal(p.kind, 'event');
  if (p.kind !== 'event') return;
  assert.equal(p.hasSource, false);
  assert.notEqual(p.id, eventId(source));
  assert.equal(p.event.log, undefined);
});

test('binary garbage and oversize lines become dead letters with the exact bytes', () => {
  const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
  const garbage = prepareRecord(record(bytes), ctx(), 1000);
  assert.equal(garbage.kind, 'dead');
  if (garbage.kind !== 'dead') return;
  assert.equal(garbage.letter.error.code, 'MP_ERR_INDEX_NOT_TEXT');
  assert.equal(Buffer.from(garbage.letter.raw_base64 ?? '', 'base64').compare(bytes), 0);
  assert.deepEqual(garbage.letter.kafka, { topic: 'raw', partition: 2, offset: '77', key: undefined });
  assert.equal(garbage.letter.log?.file?.id, 'f1');

  const long = prepareRecord(record('x'.repeat(1001)), ctx(), 1000);
  assert.equal(long.kind === 'dead' && long.letter.error.code, 'MP_ERR_INDEX_LINE_TOO_LONG');
  assert.equal(long.kind === 'dead' && long.letter.raw_bytes, 1001);

  const empty = prepareRecord(record(null), ctx(), 1000);
  assert.equal(empty.kind === 'dead' && empty.letter.error.code, 'MP_ERR_INDEX_EMPTY_RECORD');
});

test('a Postfix line with Latin-1 bytes is still an event; plain text that is not a log line too', () => {
  const latin1 = Buffer.from(
    `${line.replace('connect from', 'warning: header Subject: Gr\xfc\xdfe from')}`,
    'latin1',
  );
  const p = prepareRecord(record(latin1), ctx(), 1000);
  assert.equal(p.kind, 'event');
  const other = prepareRecord(record('hello world'), ctx(), 1000);
  assert.equal(other.kind, 'event');
  assert.equal(other.kind === 'event' && other.event.event.action, 'unparsed');
  const empty = prepareRecord(record(''), ctx(), 1000);
  assert.equal(empty.kind, 'event', 'an empty line of the file is a line');
});

test('event ids stay what they were: SHA-1 of host, file id, offset and piece (checked with openssl)', () => {
  // printf 'mx1.example.test\0dev1-ino2-ab\0%s\0%s' 4096 0 | openssl dgst -sha1 -binary | basenc --base64url
  const r = { host: 'mx1.example.test', path: '/var/log/mail.log', fileId: 'dev1-ino2-ab', offset: 4096 };
  assert.equal(eventId(r), 'i8dVVTmHrpgzwIDCnYHLoLJF1ro');
  assert.equal(eventId({ ...r, piece: 3 }), 'lDXUFvoG4x9GyUOqmqMCdPjMUC8');
});

test('tagWithMessage sets the key in place, with or without postfix fields already there', () => {
  const p = prepareRecord(record(line), ctx(), 1000);
  assert.equal(p.kind, 'event');
  if (p.kind !== 'event') return;
  const postfix = p.event.postfix;
  assert.ok(postfix !== undefined && postfix.message_key === undefined);
  const before = { ...postfix };
  tagWithMessage(p.event, 'k1');
  assert.equal(p.event.postfix, postfix);
  assert.deepEqual(p.event.postfix, { ...before, message_key: 'k1' });
  const bare = { ...p.event, postfix: undefined };
  tagWithMessage(bare, 'k2');
  assert.deepEqual(bare.postfix, { message_key: 'k2' });
});
