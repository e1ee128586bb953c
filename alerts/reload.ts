/**
 * Rules reload on a change of the file or on SIGHUP. The new file must be valid as a whole;
 * otherwise the engine keeps the rules it has and the log says why (rule name and field).
 * The folder is watched rather than the file: editors and config managers replace files by
 * rename, which ends a watch on the file itself.
 */
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { AlertEngine } from './engine.js';
import { loadRulesFile } from './rules.js';
import type { AlertMetrics } from './telemetry.js';

export interface RulesReloader {
  /** Reloads now; true when the new rules were taken. */
  reload(): boolean;
  stop(): void;
}

/** Edits arrive as several events (truncate, write, rename); one reload after they settle. */
const SETTLE_MS = 200;

export function watchRules(
  path: string,
  engine: AlertEngine,
  logger: Logger,
  telemetry: AlertMetrics,
  options: { sighup?: boolean } = {},
): RulesReloader {
  let timer: NodeJS.Timeout | undefined;
  const reload = (): boolean => {
    try {
      const next = loadRulesFile(path);
      engine.setRules(next);
      telemetry.reloads.inc({ outcome: 'ok' });
      logger.info(
        { path, rules: next.rules.length, silences: next.silences.length },
        'Alert rules reloaded.',
      );
      return true;
    } catch (err) {
      telemetry.reloads.inc({ outcome: 'invalid' });
      logger.error(
        { path, error: describeError(err) },
        'New alert rules refused; the previous rules stay in force.',
      );
      return false;
    }
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(reload, SETTLE_MS);
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), (_event, file) => {
      if (file === null || file === basename(path)) schedule();
    });
    watcher.on('error', (err) =>
      logger.warn({ path, err: err.message }, 'Rules file watch failed; SIGHUP still reloads.'),
    );
  } catch (err) {
    logger.warn({ path, err: (err as Error).message }, 'Cannot watch the rules file; SIGHUP still reloads.');
  }
  const onHup = () => {
    logger.info({ path }, 'SIGHUP: reloading alert rules.');
    reload();
  };
  if (options.sighup !== false) process.on('SIGHUP', onHup);
  return {
    reload,
    stop() {
      clearTimeout(timer);
      watcher?.close();
      process.off('SIGHUP', onHup);
    },
  };
}
