/**
 * Dead letters: raw records that cannot become an event (binary garbage, lines over the size
 * limit) and documents Elasticsearch refused (mapping errors). Each one is written twice: to
 * the dead-letter topic (`KAFKA_TOPIC_DLQ`, the raw bytes as they came, for replay) and to the
 * `<prefix>-deadletter-*` indices (searchable, with the error). The batch they came in goes on.
 */
import { z } from 'zod';
import type { ErrorCode } from '../core/errors.js';
import type { InMessage, OutMessage } from '../core/kafka.js';
import { readRawHeaders } from '../core/raw-record.js';

export const DEAD_LETTER_CODES = [
  /** The record is not text: invalid UTF-8 or control bytes, and no log line shape. */
  'MP_ERR_INDEX_NOT_TEXT',
  /** Longer than `INDEXER_MAX_LINE_BYTES`. */
  'MP_ERR_INDEX_LINE_TOO_LONG',
  /** A Kafka record without a value. */
  'MP_ERR_INDEX_EMPTY_RECORD',
  /** Elasticsearch refused the document (mapping error, bad value). */
  'MP_ERR_INDEX_REJECTED',
] as const satisfies readonly ErrorCode[];
export type DeadLetterCode = (typeof DEAD_LETTER_CODES)[number];

export const DeadLetterSchema = z.object({
  /** When the indexer dead-lettered it. */
  '@timestamp': z.string(),
  error: z.object({
    code: z.enum(DEAD_LETTER_CODES),
    message: z.string(),
    /** Elasticsearch's error type for rejected documents, e.g. `document_parsing_exception`. */
    type: z.string().optional(),
  }),
  /** The line as text (invalid UTF-8 sequences replaced); bytes exactly in `raw_base64`. */
  raw: z.string(),
  raw_base64: z.string().optional(),
  raw_bytes: z.number().int().nonnegative(),
  kafka: z.object({
    topic: z.string(),
    partition: z.number().int(),
    offset: z.string(),
    key: z.string().optional(),
  }),
  /** Where the shipper read it, when the record says. */
  log: z
    .object({
      host: z.string().optional(),
      file: z.object({ path: z.string().optional(), id: z.string().optional() }).optional(),
      offset: z.number().int().optional(),
    })
    .optional(),
  /** The document Elasticsearch refused, as JSON text. */
  document: z.string().optional(),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

/** A raw Kafka record as far as dead letters need it. */
export type SourceRecord = Pick<InMessage, 'topic' | 'partition' | 'offset' | 'key' | 'value' | 'headers'>;

/** Longest raw text kept in the dead-letter index; the DLQ topic keeps every byte. */
const MAX_STORED_RAW = 2 * 1024 * 1024;

export function deadLetter(
  record: SourceRecord,
  error: DeadLetter['error'],
  options: { text?: string; exact?: boolean; document?: string; now?: Date } = {},
): DeadLetter {
  const bytes = record.value ?? Buffer.alloc(0);
  const text = options.text ?? bytes.toString('utf8');
  const letter: DeadLetter = {
    '@timestamp': (options.now ?? new Date()).toISOString(),
    error,
    raw: text.length > MAX_STORED_RAW ? text.slice(0, MAX_STORED_RAW) : text,
    raw_bytes: bytes.length,
    kafka: {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      key: record.key ? record.key.toString('utf8') : undefined,
    },
  };
  if (options.exact === false && bytes.length <= MAX_STORED_RAW) letter.raw_base64 = bytes.toString('base64');
  if (options.document !== undefined) letter.document = options.document;
  const source = readRawHeaders(record.headers);
  if (source.success) {
    letter.log = {
      host: source.data.host,
      file: { path: source.data.path, id: source.data.fileId },
      offset: source.data.offset,
    };
  }
  return letter;
}

/**
 * The DLQ topic record: the original bytes as value (replayable into the raw topic as is), the
 * original headers, and the error in headers so a consumer can route without parsing.
 */
export function deadLetterMessage(record: SourceRecord, letter: DeadLetter): OutMessage {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(record.headers)) if (v !== undefined) headers[k] = v;
  headers['mp-dlq-code'] = letter.error.code;
  // Kafka headers are small; the full message is in the dead-letter index.
  headers['mp-dlq-error'] = letter.error.message.slice(0, 1000);
  headers['mp-dlq-source'] = `${record.topic}/${record.partition}/${record.offset}`;
  return { key: record.key, value: record.value ?? Buffer.alloc(0), headers };
}
