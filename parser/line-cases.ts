/**
 * Table-driven parser tests: each case is a hand-written log line and the fields its event
 * must have. Shared by the per-daemon test files (vector's `valid_cases` pattern).
 *
 * `expect` is a subset match: every key given must be present with that value (objects are
 * matched recursively, arrays and scalars exactly); a key set to `undefined` must be absent.
 * Every event is also checked against EventSchema and for `event.original === line`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventSchema, type MailEvent } from '../core/event.js';
import { createParseContext, type ParseOptions } from './context.js';
import { parseLine } from './parse-line.js';

export interface LineCase {
  name: string;
  line: string;
  expect: Record<string, unknown>;
}

/** A classic syslog line from host `mx1`: `Mar 14 10:00:00 mx1 postfix/smtpd[4711]: text`. */
export function classic(program: string, text: string, pid = 4711): string {
  return `Mar 14 10:00:00 mx1 ${program}[${pid}]: ${text}`;
}

export function assertSubset(actual: unknown, expected: unknown, path = ''): void {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    assert.ok(
      actual !== null && typeof actual === 'object',
      `${path || 'event'}: expected an object, got ${JSON.stringify(actual)}`,
    );
    for (const [key, value] of Object.entries(expected)) {
      const child: unknown = (actual as Record<string, unknown>)[key];
      const where = path === '' ? key : `${path}.${key}`;
      if (value === undefined) assert.equal(child, undefined, `${where} should be absent`);
      else assertSubset(child, value, where);
    }
    return;
  }
  assert.deepEqual(actual, expected, `${path}: got ${JSON.stringify(actual)}`);
}

/** Parses `line` with a fresh context (fixed "now" in 2023, UTC unless told) and checks it. */
export function parseChecked(line: string, options: ParseOptions = {}): MailEvent {
  const ctx = createParseContext({ timeZone: 'UTC', now: new Date('2023-06-01T00:00:00Z'), ...options });
  const event = parseLine(line, ctx);
  const valid = EventSchema.safeParse(event);
  assert.ok(valid.success, `schema: ${valid.success ? '' : valid.error.message}`);
  assert.equal(event.event.original, line);
  return event;
}

export function runCases(group: string, cases: readonly LineCase[]): void {
  for (const c of cases) {
    test(`${group}: ${c.name}`, () => {
      const event = parseChecked(c.line);
      assertSubset(event, c.expect);
    });
  }
}
