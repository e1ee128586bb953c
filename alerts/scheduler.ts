/**
 * The clock that drives the engine: a node-cron task every second asks the engine which rules
 * are due. Due-ness comes from each rule's cursor, not from cron matching the exact second, so
 * a tick lost to a busy event loop or a suspended VM only delays a step, never drops it.
 */
import cron from 'node-cron';
import type { Logger } from '../core/logger.js';
import type { AlertEngine } from './engine.js';

export interface Scheduler {
  stop(): Promise<void>;
}

export function startScheduler(engine: AlertEngine, logger: Logger): Scheduler {
  const task = cron.schedule(
    '* * * * * *',
    () => {
      // Not awaited: evaluateDue starts the due rules and returns; a slow rule must not hold the tick.
      void engine
        .evaluateDue()
        .catch((err: Error) => logger.error({ err: err.message }, 'Alert tick failed.'));
    },
    { name: 'mailpulse-alerts', suppressMissedWarning: true },
  );
  return {
    async stop() {
      await task.stop();
      await task.destroy();
      await engine.idle();
    },
  };
}
