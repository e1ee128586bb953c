/**
 * One line → one event. The header is read here; the message text of Postfix programs goes to
 * the daemon parsers (`postfix/dispatch.ts`).
 */
import { type MailEvent, withAddressDomains } from '../core/event.js';
import { timestampMs } from '../core/message-key.js';
import type { ParseContext } from './context.js';
import { isoString } from './iso-time.js';
import { parsePostfixMessage } from './postfix/dispatch.js';
import { programOf } from './program.js';
import { parseHeader } from './syslog.js';

/** Years 0001-9999: what a four-digit ISO string and Elasticsearch's date type can hold. */
const MIN_MS = -62135596800000;
const MAX_MS = 253402300799999;

function fallbackTimestamp(ctx: ParseContext): string {
  if (ctx.lastTimestamp !== '') return ctx.lastTimestamp;
  return new Date(ctx.fixedNow ?? Date.now()).toISOString();
}

function unparsed(line: string, ctx: ParseContext, reason: string): MailEvent {
  return {
    '@timestamp': fallbackTimestamp(ctx),
    event: { original: line, action: 'unparsed', reason },
    host: { name: ctx.lastHost },
    process: { name: '' },
  };
}

/** rsyslog writes control characters as `#ooo`; a multi-line reply arrives joined by `#012`. */
const ESCAPED_CONTROL = /#0[0-3][0-7]/g;

function parseUnchecked(line: string, ctx: ParseContext): MailEvent {
  const header = parseHeader(ctx, line);
  if (header === undefined) return unparsed(line, ctx, 'no syslog header');
  let timestamp: string;
  if (!(header.utcMs >= MIN_MS && header.utcMs <= MAX_MS)) {
    timestamp = fallbackTimestamp(ctx);
  } else {
    timestamp = isoString(header.utcMs);
    ctx.lastUtc = header.utcMs;
    ctx.lastTimestamp = timestamp;
  }
  ctx.lastHost = header.host;
  const program = programOf(header.tag);
  const event: MailEvent = {
    '@timestamp': timestamp,
    event: { original: line, action: 'other' },
    host: { name: header.host },
    process: header.pid >= 0 ? { name: program.name, pid: header.pid } : { name: program.name },
  };
  if (!program.postfix) return event;
  event.postfix = { instance: program.instance, service: program.service };
  let message = header.msgStart === 0 ? line : line.slice(header.msgStart);
  if (message.indexOf('#0') >= 0) message = message.replace(ESCAPED_CONTROL, ' ');
  parsePostfixMessage(message, program.name, event);
  return withAddressDomains(event);
}

/**
 * Never throws: a parser bug on some strange line must not stop a pipeline, so it turns into an
 * `unparsed` event that names the failure and keeps the line.
 */
export function parseLine(line: string, ctx: ParseContext): MailEvent {
  try {
    return parseUnchecked(line, ctx);
  } catch (err) {
    return unparsed(line, ctx, `parser error: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * `@timestamp` in ms of the event `parseLine` just returned for `ctx`: the number the header
 * scan produced, instead of reading the ISO string back (a cost on every line otherwise).
 */
export function parsedMs(ev: MailEvent, ctx: ParseContext): number {
  const ts = ev['@timestamp'];
  return ts === ctx.lastTimestamp ? ctx.lastUtc : timestampMs(ts);
}
