/**
 * Start-up against an Elasticsearch that may be restarting: the steps that need it (health,
 * templates) are retried with backoff for a while before the indexer gives up with one clear
 * line. A node that is down for a few seconds when the indexer (or `mailpulse run`) starts is
 * then a pause, not a failed start; a wrong ES_URL still fails within `patienceMs`.
 */
import type { Config } from '../core/config.js';
import { MailpulseError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

export interface StartupRetry {
  /** How long to keep trying, ms. */
  patienceMs: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export const STARTUP_RETRY: StartupRetry = { patienceMs: 60_000, firstDelayMs: 500, maxDelayMs: 5_000 };

export async function withElasticsearch<T>(
  config: Config,
  log: Logger,
  step: () => Promise<T>,
  retry: StartupRetry = STARTUP_RETRY,
): Promise<T> {
  const deadline = Date.now() + retry.patienceMs;
  let delay = retry.firstDelayMs;
  for (;;) {
    try {
      return await step();
    } catch (err) {
      const reason = (err as Error).message;
      if (Date.now() + delay > deadline) {
        throw new MailpulseError('MP_ERR_ES_UNREACHABLE', [config.elasticsearch.url, reason], { cause: err });
      }
      log.warn({ url: config.elasticsearch.url, reason, retryInMs: delay }, 'Elasticsearch not ready; retrying.');
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(retry.maxDelayMs, delay * 2);
    }
  }
}
