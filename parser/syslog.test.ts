import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createParseContext } from './context.js';
import { assertSubset, type LineCase, parseChecked, runCases } from './line-cases.js';
import { parseLine } from './parse-line.js';

/** Header formats, program names and hosts (timestamps in UTC unless the line carries a zone). */
const headers: LineCase[] = [
  {
    name: 'classic, space-padded day',
    line: 'Mar  4 09:05:01 mx1 postfix/smtpd[123]: connect from a.example[192.0.2.1]',
    expect: {
      '@timestamp': '2023-03-04T09:05:01.000Z',
      host: { name: 'mx1' },
      process: { name: 'smtpd', pid: 123 },
      event: { action: 'connect' },
    },
  },
  {
    name: "Postfix's own maillog_file format (strftime %b %d: zero-padded day, short host name)",
    line: 'Mar 04 09:05:01 mx1 postfix/smtpd[123]: connect from a.example[192.0.2.1]',
    expect: { '@timestamp': '2023-03-04T09:05:01.000Z' },
  },
  {
    name: 'classic with a PRI prefix',
    line: '<22>Mar 14 10:00:00 mx1 postfix/smtpd[123]: connect from a.example[192.0.2.1]',
    expect: { '@timestamp': '2023-03-14T10:00:00.000Z', event: { action: 'connect' } },
  },
  {
    name: 'classic with a fraction of a second',
    line: 'Mar 14 10:00:00.123456 mx1 postfix/smtpd[123]: connect from a.example[192.0.2.1]',
    expect: { '@timestamp': '2023-03-14T10:00:00.123Z', event: { action: 'connect' } },
  },
  {
    name: 'YYYY Mon DD hh:mm:ss.mmm',
    line: '2021 Mar 14 10:00:00.250 mx1 postfix/smtpd[123]: connect from a.example[192.0.2.1]',
    expect: { '@timestamp': '2021-03-14T10:00:00.250Z' },
  },
  {
    name: 'RFC 3339 with microseconds and an offset (truncated to ms)',
    line: '2023-03-14T00:00:31.185999+01:00 mx1 postfix/smtpd[123]: connect from a.example[192.0.2.1]',
    expect: { '@timestamp': '2023-03-13T23:00:31.185Z' },
  },
  {
    name: 'RFC 3339 Z',
    line: '2023-03-14T10:00:00Z mx1 postfix/smtpd[123]: connect from a.example[192.0.2.1]',
    expect: { '@timestamp': '2023-03-14T10:00:00.000Z' },
  },
  {
    name: 'ISO 8601 offset without colon, negative',
    line: '2023-03-14T10:00:00.5-0430 mx1 postfix/smtpd[123]: connect from a.example[192.0.2.1]',
    expect: { '@timestamp': '2023-03-14T14:30:00.500Z' },
  },
  {
    name: 'ISO without zone is read in the context zone',
    line: '2023-03-14 10:00:00 mx1 postfix/smtpd[123]: connect from a.example[192.0.2.1]',
    expect: { '@timestamp': '2023-03-14T10:00:00.000Z' },
  },
  {
    name: 'RFC 5424 with structured data and a BOM',
    line: '<22>1 2023-03-14T10:00:00.003+01:00 mx1.example.org postfix/smtpd 4242 - [meta sequenceId="7" note="a \\] b"] \uFEFFconnect from a.example[192.0.2.1]',
    expect: {
      '@timestamp': '2023-03-14T09:00:00.003Z',
      host: { name: 'mx1.example.org' },
      process: { name: 'smtpd', pid: 4242 },
      event: { action: 'connect' },
      source: { ip: '192.0.2.1' },
    },
  },
  {
    name: 'RFC 5424 without structured data',
    line: '<22>1 2023-03-14T10:00:00Z mx1 postfix/qmgr 99 - - 7E1AEC2C388: removed',
    expect: { event: { action: 'removed' }, email: { local_id: '7E1AEC2C388' }, process: { pid: 99 } },
  },
  {
    name: 'tag without pid',
    line: 'Mar 14 10:00:00 mx1 postfix/smtpd: connect from a.example[192.0.2.1]',
    expect: { process: { name: 'smtpd', pid: undefined }, event: { action: 'connect' } },
  },
  {
    name: 'instance and service: postfix/submission/smtpd',
    line: 'Mar 14 10:00:00 mx1 postfix/submission/smtpd[5]: connect from a.example[192.0.2.1]',
    expect: { process: { name: 'smtpd' }, postfix: { instance: 'postfix', service: 'submission' } },
  },
  {
    name: 'second instance: postfix-out/smtp',
    line: 'Mar 14 10:00:00 mx1 postfix-out/smtp[5]: connect to mx.remote.example[198.51.100.2]:25: Connection refused',
    expect: { process: { name: 'smtp' }, postfix: { instance: 'postfix-out', service: 'smtp' } },
  },
  {
    name: 'port-named service: postfix/10025/smtpd',
    line: 'Mar 14 10:00:00 mx1 postfix/10025/smtpd[5]: connect from localhost[127.0.0.1]',
    expect: { postfix: { instance: 'postfix', service: '10025' } },
  },
  {
    name: 'instance and service: postfix-mx/content-filter/smtp',
    line: 'Mar 14 10:00:00 mx1 postfix-mx/content-filter/smtp[5]: connect to 127.0.0.1[127.0.0.1]:10024: Connection refused',
    expect: { process: { name: 'smtp' }, postfix: { instance: 'postfix-mx', service: 'content-filter' } },
  },
  {
    name: 'facility.severity between host and tag',
    line: 'Mar 14 10:00:00 mx1 mail.info postfix/smtpd[123]: connect from a.example[192.0.2.1]',
    expect: { host: { name: 'mx1' }, process: { name: 'smtpd', pid: 123 }, event: { action: 'connect' } },
  },
  {
    name: 'no host field (local syslog)',
    line: 'Mar 14 10:00:00 postfix/smtpd[123]: connect from a.example[192.0.2.1]',
    expect: { host: { name: '' }, process: { name: 'smtpd', pid: 123 }, event: { action: 'connect' } },
  },
  {
    name: 'other program: dovecot',
    line: 'Mar 14 10:00:00 mx1 dovecot: imap-login: Login: user=<alice@example.org>, method=PLAIN, rip=192.0.2.9',
    expect: {
      event: { action: 'other' },
      process: { name: 'dovecot', pid: undefined },
      host: { name: 'mx1' },
      postfix: undefined,
      '@timestamp': '2023-03-14T10:00:00.000Z',
    },
  },
  {
    name: 'other program: opendkim with a queue ID stays other',
    line: 'Mar 14 10:00:00 mx1 opendkim[77]: 7E1AEC2C388: DKIM-Signature field added (s=mail, d=example.org)',
    expect: { event: { action: 'other' }, process: { name: 'opendkim', pid: 77 }, email: undefined },
  },
  {
    name: 'other program: policyd-spf',
    line: 'Mar 14 10:00:00 mx1 policyd-spf[88]: prepend Received-SPF: Pass (mailfrom) identity=mailfrom',
    expect: { event: { action: 'other' }, process: { name: 'policyd-spf' } },
  },
  {
    name: 'a header without a program tag',
    line: 'Mar 14 10:00:00 mx1 -- MARK --',
    expect: { event: { action: 'other' }, process: { name: '' }, host: { name: 'mx1' } },
  },
  {
    name: 'no header at all',
    line: 'this is not a syslog line',
    expect: { event: { action: 'unparsed', reason: 'no syslog header' }, process: { name: '' } },
  },
  {
    name: 'impossible year-less date is not a header',
    line: 'Apr 31 10:00:00 mx1 postfix/smtpd[1]: connect from a.example[192.0.2.1]',
    expect: { event: { action: 'unparsed', reason: 'no syslog header' } },
  },
  {
    name: 'impossible date is not a header',
    line: '2023-02-30T10:00:00Z mx1 postfix/smtpd[1]: connect from a.example[192.0.2.1]',
    expect: { event: { action: 'unparsed', reason: 'no syslog header' } },
  },
];
runCases('syslog header', headers);

/** Parses lines in order with one context; returns their timestamps. */
function timestamps(lines: string[], options: Parameters<typeof createParseContext>[0]): string[] {
  const ctx = createParseContext(options);
  return lines.map((l) => parseLine(l, ctx)['@timestamp']);
}

const at = (stamp: string) => `${stamp} mx1 postfix/qmgr[9]: 7E1AEC2C388: removed`;

test('year: the year of now, or the one before when that would be in the future', () => {
  const now = new Date('2023-06-01T00:00:00Z');
  assert.deepEqual(timestamps([at('Mar 14 10:00:00')], { timeZone: 'UTC', now }), [
    '2023-03-14T10:00:00.000Z',
  ]);
  assert.deepEqual(timestamps([at('Dec 31 23:59:59')], { timeZone: 'UTC', now }), [
    '2022-12-31T23:59:59.000Z',
  ]);
  // A little clock skew between hosts does not push a line a year back.
  assert.deepEqual(timestamps([at('Jun  1 12:00:00')], { timeZone: 'UTC', now }), [
    '2023-06-01T12:00:00.000Z',
  ]);
});

test('year: December → January rollover inside one file', () => {
  const now = new Date('2024-01-10T00:00:00Z');
  const got = timestamps(
    [at('Dec 31 23:59:58'), at('Dec 31 23:59:59'), at('Jan  1 00:00:01'), at('Jan  9 08:00:00')],
    { timeZone: 'UTC', now },
  );
  assert.deepEqual(got, [
    '2023-12-31T23:59:58.000Z',
    '2023-12-31T23:59:59.000Z',
    '2024-01-01T00:00:01.000Z',
    '2024-01-09T08:00:00.000Z',
  ]);
});

test('year: a late December straggler after January lines goes back a year, and forward again', () => {
  const now = new Date('2024-01-10T00:00:00Z');
  const got = timestamps([at('Jan  1 00:00:05'), at('Dec 31 23:59:58'), at('Jan  1 00:00:06')], {
    timeZone: 'UTC',
    now,
  });
  assert.deepEqual(got, ['2024-01-01T00:00:05.000Z', '2023-12-31T23:59:58.000Z', '2024-01-01T00:00:06.000Z']);
});

test('year: --year sets the first line, rollover still applies', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const got = timestamps([at('Nov 30 10:00:00'), at('Jan  2 10:00:00')], {
    timeZone: 'UTC',
    now,
    year: 2019,
  });
  assert.deepEqual(got, ['2019-11-30T10:00:00.000Z', '2020-01-02T10:00:00.000Z']);
});

test('year: a file spanning a whole year keeps months in order', () => {
  const now = new Date('2023-12-31T00:00:00Z');
  const months = ['Jan', 'Mar', 'May', 'Jul', 'Sep', 'Nov', 'Dec'].map((m) => at(`${m} 15 12:00:00`));
  const got = timestamps(months, { timeZone: 'UTC', now });
  assert.ok(
    got.every((t) => t.startsWith('2023-')),
    got.join(' '),
  );
});

test('zone: --tz converts wall-clock time (America/New_York in EDT)', () => {
  const got = timestamps([at('Mar 14 10:00:00')], { timeZone: 'America/New_York', year: 2023 });
  assert.deepEqual(got, ['2023-03-14T14:00:00.000Z']);
});

test('zone: a half-hour zone (Asia/Kolkata) and a quarter-hour one (Asia/Kathmandu)', () => {
  assert.deepEqual(timestamps([at('Mar 14 10:00:00')], { timeZone: 'Asia/Kolkata', year: 2023 }), [
    '2023-03-14T04:30:00.000Z',
  ]);
  assert.deepEqual(timestamps([at('Mar 14 10:00:00')], { timeZone: 'Asia/Kathmandu', year: 2023 }), [
    '2023-03-14T04:15:00.000Z',
  ]);
});

test('DST: the skipped hour is read with the offset before the change', () => {
  // Europe/Berlin 2023-03-26 02:00 CET → 03:00 CEST; 02:30 does not exist.
  const got = timestamps([at('Mar 26 01:59:00'), at('Mar 26 02:30:00'), at('Mar 26 03:01:00')], {
    timeZone: 'Europe/Berlin',
    year: 2023,
  });
  assert.deepEqual(got, ['2023-03-26T00:59:00.000Z', '2023-03-26T01:30:00.000Z', '2023-03-26T01:01:00.000Z']);
});

test('DST: the repeated hour is read as its first pass, then its second when the clock goes back', () => {
  // Europe/Berlin 2023-10-29 03:00 CEST → 02:00 CET; 02:00-02:59 happens twice.
  const got = timestamps(
    [
      at('Oct 29 01:50:00'),
      at('Oct 29 02:10:00'),
      at('Oct 29 02:50:00'),
      at('Oct 29 02:49:00'),
      at('Oct 29 02:05:00'),
      at('Oct 29 02:40:00'),
      at('Oct 29 03:10:00'),
    ],
    { timeZone: 'Europe/Berlin', year: 2023 },
  );
  assert.deepEqual(got, [
    '2023-10-28T23:50:00.000Z',
    '2023-10-29T00:10:00.000Z',
    '2023-10-29T00:50:00.000Z',
    '2023-10-29T00:49:00.000Z',
    '2023-10-29T01:05:00.000Z',
    '2023-10-29T01:40:00.000Z',
    '2023-10-29T02:10:00.000Z',
  ]);
});

test('DST: RFC 3339 offsets changing inside one file are each honoured', () => {
  const got = timestamps([at('2023-10-29T02:30:00+02:00'), at('2023-10-29T02:30:00+01:00')], {
    timeZone: 'UTC',
  });
  assert.deepEqual(got, ['2023-10-29T00:30:00.000Z', '2023-10-29T01:30:00.000Z']);
});

test("a line without a header takes the previous line's time and host", () => {
  const ctx = createParseContext({ timeZone: 'UTC', now: new Date('2023-06-01T00:00:00Z') });
  parseLine(at('Mar 14 10:00:00'), ctx);
  const event = parseLine('  continuation of something', ctx);
  assertSubset(event, {
    '@timestamp': '2023-03-14T10:00:00.000Z',
    host: { name: 'mx1' },
    event: { action: 'unparsed' },
  });
});

test('RFC 5424 nil timestamp falls back to the previous line', () => {
  const ctx = createParseContext({ timeZone: 'UTC', now: new Date('2023-06-01T00:00:00Z') });
  parseLine(at('2023-03-14T10:00:00Z'), ctx);
  const event = parseLine('<22>1 - mx2 postfix/qmgr 9 - - 7E1AEC2C388: removed', ctx);
  assertSubset(event, {
    '@timestamp': '2023-03-14T10:00:00.000Z',
    host: { name: 'mx2' },
    event: { action: 'removed' },
  });
});

test('createParseContext rejects an unknown zone and a silly year', () => {
  assert.throws(
    () => createParseContext({ timeZone: 'Mars/Olympus' }),
    /MP_ERR_PARSE_OPTIONS|unknown time zone/,
  );
  assert.throws(() => createParseContext({ year: 12 }), /year must be/);
});

test('parseChecked helper sees the schema', () => {
  const event = parseChecked(at('Mar 14 10:00:00'));
  assert.equal(event.event.action, 'removed');
});

test('RFC 3339 timestamps agree with Date.parse over 1970-2199, any offset', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: Date.UTC(2199, 11, 31) }),
      fc.integer({ min: -14 * 60, max: 14 * 60 }),
      (ms, offsetMin) => {
        const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 23);
        const sign = offsetMin < 0 ? '-' : '+';
        const abs = Math.abs(offsetMin);
        const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        const [stamp] = timestamps([at(`${local}${zone}`)], { timeZone: 'UTC' });
        assert.equal(stamp, new Date(ms).toISOString());
      },
    ),
    { numRuns: 2000 },
  );
});
