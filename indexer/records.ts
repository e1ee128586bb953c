/**
 * One raw Kafka record → one event ready to index, or one dead letter. Pure apart from the
 * parse context (year inference), which the caller keeps per partition.
 *
 * The event `_id` comes from the shipper's headers (host, file identity, byte offset, piece),
 * so the same line shipped or consumed twice is stored once. A record without usable headers
 * (written by another tool) is still indexed, with an id from its Kafka position instead.
 */
import { hash } from 'node:crypto';
import type { MailEvent } from '../core/event.js';
import { eventId, readRawHeaders } from '../core/raw-record.js';
import { type ParseContext, parsedMs, parseLine } from '../parser/index.js';
import { type DeadLetter, type SourceRecord, deadLetter } from './dead-letter.js';
import { utcDay } from './index-names.js';

export interface PreparedEvent {
  kind: 'event';
  id: string;
  /** UTC day of `@timestamp`, `YYYY.MM.DD`: which daily index. */
  day: string;
  /** `@timestamp` in ms since epoch (parsed once here; the correlator's clock reads it). */
  ms: number;
  event: MailEvent;
  /** False when the record had no shipper headers and the id came from its Kafka position. */
  hasSource: boolean;
}
export interface PreparedDeadLetter {
  kind: 'dead';
  letter: DeadLetter;
}
export type Prepared = PreparedEvent | PreparedDeadLetter;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');
// Tab is ordinary in log lines; other C0 controls and DEL are not text.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

function kafkaPositionId(r: SourceRecord): string {
  return hash('sha1', `kafka\0${r.topic}\0${r.partition}\0${r.offset}`, 'base64url');
}

const DAY_MS = 86_400_000;
let lastDayNumber = Number.NaN;
let lastDay: string | undefined;

/** `utcDay` of a time in ms, remembering the last day: a batch's lines nearly all share one. */
function dayOf(ms: number): string | undefined {
  const dayNumber = Math.floor(ms / DAY_MS);
  if (dayNumber !== lastDayNumber) {
    lastDay = utcDay(ms);
    lastDayNumber = dayNumber;
  }
  return lastDay;
}

/**
 * Tags an event with the key of the message it belongs to, as the indexer stores it: distinct
 * messages are counted by key. The event is the caller's own (the correlator keeps no reference
 * to it): set, not copied.
 */
export function tagWithMessage(event: MailEvent, key: string): void {
  if (event.postfix === undefined) event.postfix = { message_key: key };
  else event.postfix.message_key = key;
}

/** Kafka's timestamp (ms since epoch, as text) as ISO, or now when it is missing. */
function recordTime(timestamp: string | undefined): string {
  const ms = Number(timestamp);
  return new Date(Number.isFinite(ms) && ms > 0 ? ms : Date.now()).toISOString();
}

export function prepareRecord(
  record: SourceRecord & { timestamp?: string },
  ctx: ParseContext,
  maxLineBytes: number,
): Prepared {
  const source = readRawHeaders(record.headers);
  const value = record.value;
  // An empty line is a line of the file and becomes an event; only a record without value is not.
  if (value === null) {
    return {
      kind: 'dead',
      letter: deadLetter(record, { code: 'MP_ERR_INDEX_EMPTY_RECORD', message: 'Kafka record has no value' }),
    };
  }
  if (value.length > maxLineBytes) {
    return {
      kind: 'dead',
      letter: deadLetter(record, {
        code: 'MP_ERR_INDEX_LINE_TOO_LONG',
        message: `line of ${value.length} bytes is longer than INDEXER_MAX_LINE_BYTES (${maxLineBytes})`,
      }),
    };
  }
  const bytes = value;
  let line: string;
  let exact = true;
  try {
    line = utf8.decode(bytes);
  } catch {
    line = lenient.decode(bytes);
    exact = false;
  }
  const event = parseLine(line, ctx);
  const action = event.event.action;
  if ((action === 'unparsed' || action === 'other') && (!exact || CONTROL.test(line))) {
    return {
      kind: 'dead',
      letter: deadLetter(
        record,
        {
          code: 'MP_ERR_INDEX_NOT_TEXT',
          message: exact
            ? 'line contains control bytes and is not a log line'
            : 'line is not valid UTF-8 and is not a log line',
        },
        { text: line, exact },
      ),
    };
  }
  if (source.success) {
    // The parser sets no `log`: built directly, since spreads cost a microsecond per line.
    const log: NonNullable<MailEvent['log']> = {
      file: { path: source.data.path, id: source.data.fileId },
      offset: source.data.offset,
    };
    if (source.data.piece !== undefined) log.truncated = true;
    event.log = log;
    if (event.host.name === '') event.host.name = source.data.host;
  }
  let ms = parsedMs(event, ctx);
  let day = dayOf(ms);
  if (day === undefined) {
    event['@timestamp'] = recordTime(record.timestamp);
    ms = Date.parse(event['@timestamp']);
    day = dayOf(ms) as string;
  }
  return {
    kind: 'event',
    id: source.success ? eventId(source.data) : kafkaPositionId(record),
    day,
    ms,
    event,
    hasSource: source.success,
  };
}
