import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { bufferStart, flushPartial, type LineCursor, type LineRecord, splitLines } from './lines.js';

const start: LineCursor = { lineStart: 0, piece: 0 };
const view = (r: LineRecord) => ({
  offset: r.offset,
  piece: r.piece,
  value: r.value.toString('latin1'),
  end: r.end,
});

test('splitLines cuts at newlines with exact offsets', () => {
  const cases: {
    name: string;
    input: string;
    cursor?: LineCursor;
    max: number;
    records: ReturnType<typeof view>[];
    consumed: number;
    cursor2: LineCursor;
  }[] = [
    {
      name: 'two lines',
      input: 'a\nbb\n',
      max: 10,
      records: [
        { offset: 0, piece: undefined, value: 'a', end: 2 },
        { offset: 2, piece: undefined, value: 'bb', end: 5 },
      ],
      consumed: 5,
      cursor2: { lineStart: 5, piece: 0 },
    },
    {
      name: 'partial last line held',
      input: 'a\nbc',
      max: 10,
      records: [{ offset: 0, piece: undefined, value: 'a', end: 2 }],
      consumed: 2,
      cursor2: { lineStart: 2, piece: 0 },
    },
    {
      name: 'empty line',
      input: '\n',
      max: 10,
      records: [{ offset: 0, piece: undefined, value: '', end: 1 }],
      consumed: 1,
      cursor2: { lineStart: 1, piece: 0 },
    },
    {
      name: 'CR kept',
      input: 'a\r\n',
      max: 10,
      records: [{ offset: 0, piece: undefined, value: 'a\r', end: 3 }],
      consumed: 3,
      cursor2: { lineStart: 3, piece: 0 },
    },
    {
      name: 'exactly the limit is one record',
      input: 'abcd\n',
      max: 4,
      records: [{ offset: 0, piece: undefined, value: 'abcd', end: 5 }],
      consumed: 5,
      cursor2: { lineStart: 5, piece: 0 },
    },
    {
      name: 'the limit without newline yet waits',
      input: 'abcd',
      max: 4,
      records: [],
      consumed: 0,
      cursor2: { lineStart: 0, piece: 0 },
    },
    {
      name: 'overlong line in pieces',
      input: 'abcdefghij\nk\n',
      max: 4,
      records: [
        { offset: 0, piece: 0, value: 'abcd', end: 4 },
        { offset: 0, piece: 1, value: 'efgh', end: 8 },
        { offset: 0, piece: 2, value: 'ij', end: 11 },
        { offset: 11, piece: undefined, value: 'k', end: 13 },
      ],
      consumed: 13,
      cursor2: { lineStart: 13, piece: 0 },
    },
    {
      name: 'first piece before the newline arrives',
      input: 'abcde',
      max: 4,
      records: [{ offset: 0, piece: 0, value: 'abcd', end: 4 }],
      consumed: 4,
      cursor2: { lineStart: 0, piece: 1 },
    },
    {
      name: 'continuing inside a split line',
      input: 'e\nf\n',
      cursor: { lineStart: 100, piece: 1 },
      max: 4,
      records: [
        { offset: 100, piece: 1, value: 'e', end: 106 },
        { offset: 106, piece: undefined, value: 'f', end: 108 },
      ],
      consumed: 4,
      cursor2: { lineStart: 108, piece: 0 },
    },
    {
      name: 'resuming mid-file',
      input: 'x\n',
      cursor: { lineStart: 1000, piece: 0 },
      max: 4,
      records: [{ offset: 1000, piece: undefined, value: 'x', end: 1002 }],
      consumed: 2,
      cursor2: { lineStart: 1002, piece: 0 },
    },
  ];
  for (const c of cases) {
    const out = splitLines(Buffer.from(c.input, 'latin1'), c.cursor ?? start, c.max);
    assert.deepEqual(out.records.map(view), c.records, c.name);
    assert.equal(out.consumed, c.consumed, c.name);
    assert.deepEqual(out.cursor, c.cursor2, c.name);
  }
});

test('invalid UTF-8 passes through as the same bytes', () => {
  const bytes = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x0a, 0xe2, 0x82, 0x0a]);
  const out = splitLines(bytes, start, 100);
  assert.deepEqual(
    out.records.map((r) => [...r.value]),
    [
      [0xff, 0xfe, 0xc3, 0x28],
      [0xe2, 0x82],
    ],
  );
});

test('flushPartial sends the unfinished rest at its line start', () => {
  assert.equal(flushPartial(Buffer.alloc(0), start, 4), undefined);
  assert.deepEqual(view(flushPartial(Buffer.from('xy'), { lineStart: 5, piece: 0 }, 4) as LineRecord), {
    offset: 5,
    piece: undefined,
    value: 'xy',
    end: 7,
  });
  // Two 4-byte pieces were sent already, so the rest starts at byte 8 of the line.
  const r = flushPartial(Buffer.from('ij'), { lineStart: 0, piece: 2 }, 4) as LineRecord;
  assert.deepEqual(view(r), { offset: 0, piece: 2, value: 'ij', end: 10 });
  assert.deepEqual(r.next, { lineStart: 10, piece: 0 });
});

/** Feeds `data` in the given chunk sizes the way the tailer does (rest carried over). */
function feed(data: Buffer, cuts: number[], max: number): LineRecord[] {
  const out: LineRecord[] = [];
  let cursor = start;
  let rest = Buffer.alloc(0);
  let pos = 0;
  for (const n of [...cuts, data.length]) {
    const chunk = data.subarray(pos, Math.min(data.length, pos + n));
    pos += chunk.length;
    const buf = Buffer.concat([rest, chunk]);
    const s = splitLines(buf, cursor, max);
    out.push(...s.records);
    cursor = s.cursor;
    rest = buf.subarray(s.consumed);
    assert.equal(bufferStart(cursor, max) + rest.length, pos, 'rest ends where reading stands');
    if (pos >= data.length) break;
  }
  return out;
}

test('property: any chunking gives the same records, and records rebuild the file', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a.map((b) => (b % 7 === 0 ? 0x0a : b)))),
      fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 30 }),
      fc.integer({ min: 1, max: 20 }),
      (data, cuts, max) => {
        const whole = feed(data, [], max);
        const chunked = feed(data, cuts, max);
        assert.deepEqual(chunked.map(view), whole.map(view));
        // Every record's bytes sit at its position in the file; together they cover every complete line.
        let pos = 0;
        for (const r of whole) {
          const complete = r.next.piece === 0;
          const at = r.end - r.value.length - (complete ? 1 : 0);
          assert.equal(at, pos);
          assert.deepEqual(data.subarray(at, at + r.value.length), r.value);
          if (complete) assert.equal(data[r.end - 1], 0x0a);
          else assert.equal(r.value.length, max);
          pos = r.end;
        }
        const lastNl = data.lastIndexOf(0x0a);
        assert.ok(pos >= lastNl + 1 && pos <= data.length);
      },
    ),
  );
});
