/**
 * The error catalog: every error a user or operator can see has a code, a message template,
 * an HTTP status where it applies and whether retrying can help. Codes are documented in
 * `docs/errors.md`; a test fails when one is missing there.
 *
 * Expected conditions inside a stage (a line that does not parse, a 409 on create) are values,
 * not exceptions; these errors are for what stops a command or a request.
 */

interface ErrorSpec {
  readonly message: string;
  readonly status: number;
  readonly retryable: boolean;
}

export const ERRORS = {
  MP_ERR_CONFIG_INVALID: { message: 'Invalid configuration: %s', status: 500, retryable: false },
  MP_ERR_CONFIG_FILE: { message: 'Cannot read config file %s: %s', status: 500, retryable: false },
  MP_ERR_CLI_USAGE: { message: '%s', status: 400, retryable: false },
  MP_ERR_INPUT_FILE: { message: 'Cannot read %s: %s', status: 400, retryable: false },
  MP_ERR_KAFKA_UNREACHABLE: { message: 'Kafka is not reachable at %s: %s', status: 503, retryable: true },
  MP_ERR_ES_UNREACHABLE: {
    message: 'Elasticsearch is not reachable at %s: %s',
    status: 503,
    retryable: true,
  },
  MP_ERR_STACK_TOOL: { message: '%s', status: 500, retryable: false },
  MP_ERR_STACK_START: { message: '%s did not become ready: %s', status: 500, retryable: true },
  MP_ERR_API_VALIDATION: { message: 'Invalid request: %s', status: 400, retryable: false },
  MP_ERR_API_UNAUTHORIZED: { message: 'Missing or invalid bearer token', status: 401, retryable: false },
  MP_ERR_API_NOT_FOUND: { message: '%s not found', status: 404, retryable: false },
  MP_ERR_RULES_INVALID: { message: 'Invalid alert rules in %s: %s', status: 400, retryable: false },
  MP_ERR_PARSE_OPTIONS: { message: 'Invalid parse option: %s', status: 400, retryable: false },
  MP_ERR_API_ES_QUERY: { message: 'Elasticsearch refused a query: %s', status: 502, retryable: false },
  MP_ERR_DASHBOARDS_INVALID: { message: 'The dashboards do not validate: %s', status: 500, retryable: false },
  MP_ERR_DASHBOARDS_UNREACHABLE: {
    message: 'Kibana is not reachable at %s: %s',
    status: 503,
    retryable: true,
  },
  MP_ERR_DASHBOARDS_IMPORT: { message: 'Kibana refused the import: %s', status: 502, retryable: false },
  MP_ERR_API_INTERNAL: {
    message: 'Internal error; the server log has the details',
    status: 500,
    retryable: false,
  },
  MP_ERR_API_LISTEN: { message: 'The API cannot listen on %s: %s', status: 500, retryable: true },
  MP_ERR_INDEX_NOT_TEXT: {
    message: 'Record is not text and not a log line: %s',
    status: 422,
    retryable: false,
  },
  MP_ERR_INDEX_LINE_TOO_LONG: {
    message: 'Line of %s bytes is longer than INDEXER_MAX_LINE_BYTES (%s)',
    status: 422,
    retryable: false,
  },
  MP_ERR_INDEX_EMPTY_RECORD: { message: 'Kafka record has no value', status: 422, retryable: false },
  MP_ERR_INDEX_REJECTED: { message: 'Elasticsearch refused the document: %s', status: 422, retryable: false },
  MP_ERR_SHIP_CHECKPOINT: {
    message: 'Cannot use the shipper checkpoint %s: %s',
    status: 500,
    retryable: false,
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export class MailpulseError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly retryable: boolean;
  /** What filled the template: with the code, enough to raise the same error on another thread. */
  readonly args: readonly unknown[];

  constructor(code: ErrorCode, args: readonly unknown[] = [], options?: { cause?: unknown }) {
    const spec: ErrorSpec = ERRORS[code];
    let i = 0;
    const message = spec.message.replace(/%s/g, () => String(args[i++] ?? ''));
    super(message, options);
    this.name = 'MailpulseError';
    this.code = code;
    this.statusCode = spec.status;
    this.retryable = spec.retryable;
    this.args = args;
  }
}

export function mpError(code: ErrorCode, ...args: unknown[]): MailpulseError {
  return new MailpulseError(code, args);
}

export function isMailpulseError(err: unknown): err is MailpulseError {
  return err instanceof MailpulseError;
}

/** One line for a person: what went wrong, never a stack trace. */
export function describeError(err: unknown): string {
  if (err instanceof MailpulseError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
