import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RAW_HEADERS, RawRecordSchema, rawHeaders, readRawHeaders } from './raw-record.js';

const good = rawHeaders({ host: 'mx1', path: '/var/log/mail.log', fileId: '2049:131:ab12', offset: 4096 });

const cases: Array<[string, Record<string, string | undefined>]> = [
  ['shipper headers', good],
  ['with a piece', { ...good, [RAW_HEADERS.piece]: '2' }],
  ['leading zeros', { ...good, [RAW_HEADERS.offset]: '007' }],
  ['empty path', { ...good, [RAW_HEADERS.path]: '' }],
  ['empty offset', { ...good, [RAW_HEADERS.offset]: '' }],
  ['negative offset', { ...good, [RAW_HEADERS.offset]: '-1' }],
  ['fractional offset', { ...good, [RAW_HEADERS.offset]: '1.5' }],
  ['offset with a space', { ...good, [RAW_HEADERS.offset]: ' 5' }],
  ['offset in exponent form', { ...good, [RAW_HEADERS.offset]: '1e3' }],
  ['16-digit offset', { ...good, [RAW_HEADERS.offset]: '1234567890123456' }],
  ['missing host', { ...good, [RAW_HEADERS.host]: undefined }],
  ['empty host', { ...good, [RAW_HEADERS.host]: '' }],
  ['empty file id', { ...good, [RAW_HEADERS.fileId]: '' }],
  ['missing path', { ...good, [RAW_HEADERS.path]: undefined }],
  ['bad piece', { ...good, [RAW_HEADERS.piece]: 'x' }],
  ['empty piece', { ...good, [RAW_HEADERS.piece]: '' }],
  ['no headers', {}],
];

for (const [name, headers] of cases) {
  test(`readRawHeaders agrees with the schema: ${name}`, () => {
    const fast = readRawHeaders(headers);
    const schema = RawRecordSchema.safeParse({
      host: headers[RAW_HEADERS.host],
      path: headers[RAW_HEADERS.path],
      fileId: headers[RAW_HEADERS.fileId],
      offset: headers[RAW_HEADERS.offset],
      piece: headers[RAW_HEADERS.piece],
    });
    assert.equal(fast.success, schema.success);
    if (fast.success && schema.success) {
      // Absent and undefined `piece` mean the same to every reader.
      const { piece: a, ...restFast } = fast.data;
      const { piece: b, ...restSchema } = schema.data;
      assert.deepEqual(restFast, restSchema);
      assert.equal(a, b);
    }
  });
}

test('the shipper headers read back as written', () => {
  const r = readRawHeaders({ ...good, [RAW_HEADERS.piece]: '3' });
  assert.ok(r.success);
  assert.deepEqual(r.data, {
    host: 'mx1',
    path: '/var/log/mail.log',
    fileId: '2049:131:ab12',
    offset: 4096,
    piece: 3,
  });
});
