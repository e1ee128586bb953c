/**
 * The alert engine (`mailpulse alerts`): rules from a YAML/JSON file, evaluated against
 * Elasticsearch on a schedule, one state machine per alert, notices to Slack and webhooks.
 *
 * Guarantees:
 * - Nothing is missed: each rule is evaluated at every `every` step from its stored cursor up to
 *   now minus `query_delay`; a missed tick or a restart catches up (bounded) from the cursor.
 * - No duplicate pages across restarts: state (pending since, notified at) and the cursor are in
 *   `<prefix>-alerts` and written after each step. Delivery is at-least-once: a crash between
 *   sending and recording can repeat one notice, never drop it.
 * - Runs of one rule never overlap; rules are independent of each other.
 * - One notification per rule and step, whatever the number of groups (domains, hosts) in it.
 * - A notification that cannot be delivered after the retries is kept as a dead letter in the
 *   alerts index and counted; the rule goes on.
 * - A rules file with a mistake refuses to start; on reload it is refused and the old rules stay.
 */
import type { Registry } from 'prom-client';
import type { Config } from '../core/config.js';
import { createEsClient, type EsClient, esHealth } from '../core/elasticsearch.js';
import { MailpulseError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { type AlertEngine, createEngine } from './engine.js';
import type { MetricSource } from './metric-source.js';
import type { Notifier } from './notification.js';
import type { RetryPolicy } from './notifiers/http.js';
import { slackNotifier } from './notifiers/slack.js';
import { webhookNotifier } from './notifiers/webhook.js';
import { watchRules } from './reload.js';
import { loadRulesFile } from './rules.js';
import { startScheduler } from './scheduler.js';
import { esStateStore } from './state-store.js';
import { alertMetrics } from './telemetry.js';

export { type AlertEngine, createEngine } from './engine.js';
export { evaluateRule, type GroupObservation } from './evaluator.js';
export { ALERT_STATUSES, type AlertState, INITIAL_STATE, transition } from './machine.js';
export { esMetricSource, type MetricPoint, type MetricQuery, type MetricSource } from './metric-source.js';
export type { AlertNotice, Notification, Notifier } from './notification.js';
export { DEFAULT_RETRY, type RetryPolicy } from './notifiers/http.js';
export { sign, verify } from './notifiers/signature.js';
export { slackMessage, slackNotifier } from './notifiers/slack.js';
export { alertmanagerPayload, webhookNotifier } from './notifiers/webhook.js';
export {
  loadRulesFile,
  parseRules,
  type Rule,
  type RuleSet,
  RulesFileSchema,
  SilenceInputSchema,
} from './rules.js';
export {
  alertsIndex,
  type DeadLetter,
  DeadLetterSchema,
  esStateStore,
  type HistoryEntry,
  HistoryEntrySchema,
  type Silence,
  SilenceSchema,
  type StateStore,
  type StoredAlert,
  StoredAlertSchema,
} from './state-store.js';

export interface StartOptions {
  /** Clock for evaluations (tests); default the wall clock. */
  readonly now?: () => number;
  /** false: no cron, the caller drives `engine.evaluateDue()` (tests, benchmarks). */
  readonly schedule?: boolean;
  readonly retry?: RetryPolicy;
  readonly client?: EsClient;
  readonly metrics?: MetricSource;
  /** false: no SIGHUP handler (several engines in one test process). */
  readonly sighup?: boolean;
  /** Where the engine's Prometheus metrics go (default prom-client's global registry). */
  readonly registry?: Registry;
}

export interface AlertsHandle {
  readonly engine: AlertEngine;
  /** Reloads the rules file now; false when it was refused. */
  reload(): boolean;
  stop(): Promise<void>;
}

export function notifiersFromConfig(
  alerts: Config['alerts'],
  logger: Logger,
  retry?: RetryPolicy,
): Notifier[] {
  const out: Notifier[] = [];
  if (alerts.slackWebhookUrl) out.push(slackNotifier({ url: alerts.slackWebhookUrl, logger, retry }));
  if (alerts.webhookUrl)
    out.push(webhookNotifier({ url: alerts.webhookUrl, secret: alerts.webhookSecret, logger, retry }));
  return out;
}

export async function startAlerts(
  config: Config,
  logger: Logger,
  options: StartOptions = {},
): Promise<AlertsHandle> {
  const log = logger.child({ role: 'alerts' });
  const ruleSet = loadRulesFile(config.alerts.rulesPath);
  const ownClient = options.client === undefined;
  const client = options.client ?? createEsClient(config.elasticsearch);
  try {
    await esHealth(client);
  } catch (err) {
    if (ownClient) await client.close();
    throw new MailpulseError('MP_ERR_ES_UNREACHABLE', [config.elasticsearch.url, (err as Error).message]);
  }
  const telemetry = alertMetrics(options.registry);
  const notifiers = notifiersFromConfig(config.alerts, log, options.retry);
  if (notifiers.length === 0)
    log.warn({}, 'Neither SLACK_WEBHOOK_URL nor WEBHOOK_URL is set: alerts are recorded but nobody is told.');
  const unheard = ruleSet.rules
    .filter((r) => !notifiers.some((n) => r.notify.includes(n.channel)))
    .map((r) => r.name);
  if (notifiers.length > 0 && unheard.length > 0)
    log.warn({ rules: unheard }, 'These rules notify only channels that are not configured: nobody is told.');
  const engine = createEngine({
    client,
    prefix: config.elasticsearch.indexPrefix,
    store: esStateStore(client, config.elasticsearch.indexPrefix),
    ruleSet,
    notifiers,
    logger: log,
    publicUrl: config.api.publicUrl,
    now: options.now,
    metrics: options.metrics,
    telemetry,
  });
  await engine.init();
  const reloader = watchRules(config.alerts.rulesPath, engine, log, telemetry, { sighup: options.sighup });
  const scheduler = options.schedule === false ? undefined : startScheduler(engine, log);
  log.info(
    { rules: ruleSet.rules.map((r) => r.name), channels: notifiers.map((n) => n.channel) },
    'Alert engine started.',
  );
  return {
    engine,
    reload: reloader.reload,
    async stop() {
      reloader.stop();
      await scheduler?.stop();
      await engine.idle();
      if (ownClient) await client.close();
      log.info({}, 'Alert engine stopped.');
    },
  };
}
