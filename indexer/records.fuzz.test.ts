/**
 * Fuzzing the indexer's input: whatever bytes and headers arrive on the raw topic, preparing a
 * record never throws and accounts for it exactly once, as an event (schema-valid, with a stable
 * id) or as a dead letter that keeps the raw bytes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { EventSchema } from '../core/event.js';
import { RAW_HEADERS } from '../core/raw-record.js';
import { createParseContext } from '../parser/index.js';
import { prepareRecord } from './records.js';

const realLine =
  '2026-03-14T00:00:01.000000+00:00 mx1 postfix/smtp[11]: 7E1AEC2C388: to=<bob@example.org>, relay=mx.example.org[192.0.2.7]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4B2C1)';

/** Real line bytes with a few bytes flipped, cut, or garbage spliced in. */
const mutated = fc
  .tuple(fc.array(fc.tuple(fc.nat(realLine.length + 8), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(realLine.length + 1))
  .map(([flips, cut]) => {
    const bytes = Buffer.from(realLine.slice(0, Math.max(1, cut)));
    for (const [at, b] of flips) if (at < bytes.length) bytes[at] = b;
    return bytes;
  });

const value = fc.oneof(
  fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a)),
  fc.string({ unit: 'binary', maxLength: 300 }).map((s) => Buffer.from(s)),
  mutated,
  fc.constant(null),
);

const headers = fc.oneof(
  fc.constant({} as Record<string, string | undefined>),
  fc.record({
    [RAW_HEADERS.host]: fc.oneof(fc.constant('mx1'), fc.string({ maxLength: 10 })),
    [RAW_HEADERS.path]: fc.constant('/var/log/mail.log'),
    [RAW_HEADERS.fileId]: fc.oneof(fc.constant('1:2:256:abcdef'), fc.string({ maxLength: 12 })),
    [RAW_HEADERS.offset]: fc.oneof(fc.nat().map(String), fc.string({ maxLength: 6 })),
  }),
);

test('any record becomes exactly one event or one dead letter, and never throws', () => {
  const ctx = createParseContext({ timeZone: 'UTC', now: new Date('2026-03-15T00:00:00Z') });
  fc.assert(
    fc.property(value, headers, fc.nat(1000), (v, h, offset) => {
      const record = { topic: 'raw', partition: 0, offset: String(offset), key: null, value: v, headers: h, timestamp: '1773446400000' };
      const prepared = prepareRecord(record, ctx, 256);
      if (prepared.kind === 'event') {
        assert.ok(v !== null && v.length <= 256);
        assert.ok(EventSchema.safeParse(prepared.event).success, JSON.stringify(prepared.event));
        assert.match(prepared.id, /^[A-Za-z0-9_-]+$/);
        assert.match(prepared.day, /^\d{4}\.\d{2}\.\d{2}$/);
        const again = prepareRecord(record, ctx, 256);
        assert.ok(again.kind === 'event' && again.id === prepared.id, 'the id is stable');
      } else {
        assert.equal(prepared.kind, 'dead');
        assert.ok(prepared.letter.error.code.startsWith('MP_ERR_INDEX_'));
        assert.equal(prepared.letter.raw_bytes, v?.length ?? 0, 'the dead letter accounts for every byte');
        if (prepared.letter.raw_base64 !== undefined) assert.deepEqual(Buffer.from(prepared.letter.raw_base64, 'base64'), v);
      }
    }),
    { numRuns: 3000 },
  );
});
