import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * Logs go to stderr so that stdout stays clean for data (`mailpulse parse` writes NDJSON there).
 * Fields first, then a short sentence: `log.info({ path, offset }, 'File resumed.')`.
 */
export function createLogger(level = 'info', name = 'mailpulse'): Logger {
  return pino({ name, level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: false }));
}
