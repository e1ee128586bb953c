import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { needsMainThread, splitBatch } from './line-split.js';

const ts = '2026-03-14T09:00:00.100000+00:00 mx1';
const cases: Array<[string, boolean]> = [
  [`${ts} postfix/smtpd[200]: connect from mail.example[203.0.113.5]`, false],
  [`${ts} postfix/postscreen[100]: NOQUEUE: reject: RCPT from [192.0.2.99]:41000: 550 5.7.1 blocked`, false],
  [`${ts} postfix/dnsblog[1100]: addr 192.0.2.99 listed by domain zen.spamhaus.org as 127.0.0.2`, false],
  [`${ts} dovecot[1200]: imap-login: Login: user=<alice@example.net>`, false],
  ['2026-03-14T09:00:00Z mx1 postfix/smtpd[200]: disconnect from x[192.0.2.1]', false],
  ['2026-03-14T09:00:00.1-0500 mx1 postfix/smtpd[200]: disconnect from x[192.0.2.1]', false],
  // A queue ID, or a first word that could be one, goes to the correlator.
  [`${ts} postfix/smtpd[200]: 1A2B3C4D5E: client=mail.example[203.0.113.5]`, true],
  [`${ts} postfix/smtpd[200]: 4PbC4x469Jz3tBr: client=mail.example[203.0.113.5]`, true],
  [`${ts} postfix/smtpd[200]: warning: unknown[192.0.2.1]: SASL LOGIN authentication failed`, true],
  // No pid tag: the first `]: ` belongs to the message, so nothing is known.
  [`${ts} postfix/smtpd: 1A2B3C4D5E: client=mail.example[203.0.113.5]: x`, true],
  // Timestamps that depend on earlier lines: no year, no zone, year-first classic.
  ['Mar 14 09:00:00 mx1 postfix/smtpd[200]: connect from mail.example[203.0.113.5]', true],
  ['2026-03-14T09:00:00.100 mx1 postfix/smtpd[200]: connect from mail.example[203.0.113.5]', true],
  ['2026 Mar 14 09:00:00.100 mx1 postfix/smtpd[200]: connect from mail.example[203.0.113.5]', true],
  ['<22>Mar 14 09:00:00 mx1 postfix/smtpd[200]: connect from x[192.0.2.1]', true],
  ['garbage', true],
  ['', true],
];

describe('needsMainThread', () => {
  for (const [line, want] of cases)
    it(`${want ? 'main' : 'worker'}: ${line.slice(0, 90)}`, () => assert.equal(needsMainThread(line), want));
});

describe('splitBatch', () => {
  const batch = cases.map(([line]) => line);
  const wanted = cases.filter(([, main]) => main).map(([line]) => line);
  const others = cases.filter(([, main]) => !main).map(([line]) => line);
  it('until the input passes parallelAfter, the whole batch stays with the correlating thread', () => {
    assert.deepEqual(splitBatch(batch, 100, 100), { main: batch, noise: [] });
  });
  it('past it, each line goes where needsMainThread says, in order', () => {
    assert.ok(wanted.length > 0 && others.length > 0);
    assert.deepEqual(splitBatch(batch, 101, 100), { main: wanted, noise: others });
  });
});
