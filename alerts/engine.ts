/**
 * The engine: for each rule, from its stored cursor ("evaluated up to") to now minus the query
 * delay, one evaluation per `every` step; each evaluation feeds the state machine per group,
 * sends the grouped notices, then records the new state and cursor together.
 *
 * - Runs of one rule never overlap (one promise per rule); rules run independently.
 * - Send, then record: a crash between the two can repeat a notice (at-least-once), never lose
 *   one. A record that fails is kept and written before the rule's next run, so the memory
 *   (which already holds the new state) and the index converge without re-sending.
 * - Catch-up after a missed tick or a restart evaluates every missed step, up to `maxCatchUp`.
 */
import { createHash } from 'node:crypto';
import type { EsClient } from '../core/elasticsearch.js';
import type { Logger } from '../core/logger.js';
import { evaluateRule, type GroupObservation } from './evaluator.js';
import { type AlertState, INITIAL_STATE, transition } from './machine.js';
import { esMetricSource, type MetricSource } from './metric-source.js';
import type { AlertNotice, Notification, Notifier } from './notification.js';
import type { Rule, RuleSet } from './rules.js';
import { fileSilences, silencedBy } from './silences.js';
import {
  type EvaluationWrite,
  type HistoryEntry,
  type Silence,
  type StateStore,
  type StoredAlert,
  stateOf,
  storedAlert,
} from './state-store.js';
import type { AlertMetrics } from './telemetry.js';
import { alertMetrics } from './telemetry.js';

/** Longest pause before a failed step is tried again. */
const MAX_RETRY_PAUSE_MS = 30_000;

/** A resolved alert is shown (API, history of the group) this long, then forgotten. */
const RESOLVED_KEEP_MS = 24 * 3_600_000;

export interface EngineOptions {
  readonly client: EsClient;
  readonly prefix: string;
  readonly store: StateStore;
  readonly ruleSet: RuleSet;
  readonly notifiers: readonly Notifier[];
  readonly logger: Logger;
  /** Base URL for links in notifications. */
  readonly publicUrl: string;
  /** The clock that says which steps are due (data time); tests inject one. */
  readonly now?: () => number;
  /** Real time: silences (set by people for real hours), record timestamps. Default Date.now. */
  readonly wallClock?: () => number;
  readonly metrics?: MetricSource;
  /** Most steps one run evaluates when catching up. */
  readonly maxCatchUp?: number;
  readonly telemetry?: AlertMetrics;
}

export interface AlertEngine {
  /** Creates the index if needed and loads state and cursors. */
  init(): Promise<void>;
  setRules(ruleSet: RuleSet): void;
  rules(): readonly Rule[];
  /** Starts every rule whose next step is due and not already running; resolves when those runs end. */
  evaluateDue(): Promise<void>;
  /** Waits for the runs in flight. */
  idle(): Promise<void>;
}

const key = (rule: string, group: string) => `${rule}\u0000${group}`;

/**
 * The same notices of the same step get the same id: if the engine dies after sending and
 * before recording, the step is evaluated again and its re-sent notification carries the
 * `webhook-id` the receiver already saw, so the receiver can drop it.
 */
export function notificationId(rule: string, at: number, notices: readonly AlertNotice[]): string {
  const what = notices
    .map((n) => `${n.notice}\u0001${n.group}`)
    .sort()
    .join('\u0002');
  return `msg_${createHash('sha256').update(`${rule}\u0000${at}\u0000${what}`).digest('base64url').slice(0, 27)}`;
}

export function createEngine(options: EngineOptions): AlertEngine {
  const { store, logger } = options;
  const clock = options.now ?? Date.now;
  const wall = options.wallClock ?? Date.now;
  const metricSource = options.metrics ?? esMetricSource(options.client, options.prefix);
  const maxCatchUp = options.maxCatchUp ?? 60;
  const telemetry = options.telemetry ?? alertMetrics();
  let ruleSet = options.ruleSet;
  let silencesFromFile = fileSilences(ruleSet.silences);
  const alerts = new Map<string, StoredAlert>();
  const cursors = new Map<string, number>();
  const running = new Map<string, Promise<void>>();
  const unsaved = new Map<string, EvaluationWrite[]>();
  const retryAt = new Map<string, number>();

  function alertsOf(rule: string): StoredAlert[] {
    return [...alerts.values()].filter((a) => a.rule === rule);
  }

  async function flushUnsaved(rule: string): Promise<void> {
    const pending = unsaved.get(rule) ?? [];
    while (pending.length > 0) {
      await store.write(pending[0] as EvaluationWrite);
      pending.shift();
    }
  }

  async function deliver(rule: Rule, notification: Notification): Promise<void> {
    const targets = options.notifiers.filter((n) => rule.notify.includes(n.channel));
    await Promise.all(
      targets.map(async (notifier) => {
        const result = await notifier.send(notification);
        telemetry.notifications.inc({ channel: notifier.channel, outcome: result.ok ? 'sent' : 'failed' });
        if (result.ok) {
          logger.info(
            {
              channel: notifier.channel,
              rule: rule.name,
              alerts: notification.alerts.length,
              attempts: result.attempts,
            },
            'Notification sent.',
          );
          return;
        }
        logger.error(
          { channel: notifier.channel, rule: rule.name, attempts: result.attempts, error: result.error },
          'Notification failed; kept as a dead letter.',
        );
        telemetry.deadLetters.inc({ channel: notifier.channel });
        await store
          .deadLetter({
            '@timestamp': new Date(wall()).toISOString(),
            channel: notifier.channel,
            rule: rule.name,
            notification_id: notification.id,
            attempts: result.attempts,
            error: result.error ?? 'unknown',
            payload: result.payload,
          })
          .catch((err: Error) =>
            logger.error(
              { channel: notifier.channel, rule: rule.name, err: err.message },
              'Dead letter could not be written.',
            ),
          );
      }),
    );
  }

  async function evaluateStep(rule: Rule, at: number): Promise<void> {
    const existing = alertsOf(rule.name);
    const known = existing.filter((a) => a.status === 'pending' || a.status === 'firing').map((a) => a.group);
    const wallNow = wall();
    // Both reads at once: the time they take is what a page waits for after the step is due.
    const [observations, stored] = await Promise.all([
      evaluateRule(
        rule,
        at,
        { client: options.client, prefix: options.prefix, metrics: metricSource },
        known,
      ),
      store.activeSilences(wallNow),
    ]);
    const silences: Silence[] = [...silencesFromFile, ...stored];
    const byGroup = new Map<string, GroupObservation>(observations.map((o) => [o.group, o]));
    // A group that no longer shows up (no traffic to that domain any more) no longer meets the condition.
    for (const a of existing) {
      if (!byGroup.has(a.group)) {
        byGroup.set(a.group, {
          group: a.group,
          labels: a.labels,
          active: false,
          value: null,
          summary: 'no data in the window',
          examples: [],
        });
      }
    }
    const write: {
      upsert: StoredAlert[];
      remove: { rule: string; group: string }[];
      history: HistoryEntry[];
    } = { upsert: [], remove: [], history: [] };
    const notices: AlertNotice[] = [];
    const next = new Map<string, StoredAlert | null>();
    for (const o of byGroup.values()) {
      const prev = alerts.get(key(rule.name, o.group));
      if (!prev && !o.active) continue;
      const labels = { alertname: rule.name, severity: rule.severity, ...(rule.labels ?? {}), ...o.labels };
      const silenced = silencedBy(silences, labels, wallNow) !== undefined;
      const before: AlertState = prev ? stateOf(prev) : INITIAL_STATE;
      const { state, effects } = transition(
        before,
        { active: o.active, value: o.value, silenced, forMs: rule.for, repeatMs: rule.repeat_interval },
        at,
      );
      const base = {
        rule: rule.name,
        group: o.group,
        labels,
        severity: rule.severity,
        summary: o.summary,
        examples: [...o.examples],
      };
      let notice: AlertNotice['notice'] | undefined;
      for (const effect of effects) {
        switch (effect.type) {
          case 'notify':
            notice = effect.notice;
            notices.push({
              notice: effect.notice,
              group: o.group,
              labels,
              value: o.value,
              summary: o.summary,
              examples: o.examples,
              startsAt: state.activeAt ?? at,
              endsAt: effect.notice === 'resolved' ? at : null,
            });
            break;
          case 'changed':
            break;
          default: {
            const unreachable: never = effect;
            throw new Error(`unknown effect ${JSON.stringify(unreachable)}`);
          }
        }
      }
      for (const effect of effects) {
        if (effect.type !== 'changed') continue;
        write.history.push({
          '@timestamp': new Date(at).toISOString(),
          ...base,
          from: effect.from,
          to: effect.to,
          value: o.value,
          ...(notice ? { notice } : {}),
        });
      }
      // A reminder, or the firing notice let out when a silence ended: no status change, still history.
      if (notice && !effects.some((e) => e.type === 'changed')) {
        write.history.push({
          '@timestamp': new Date(at).toISOString(),
          ...base,
          from: state.status,
          to: state.status,
          value: o.value,
          notice,
        });
      }
      const forget =
        state.status === 'inactive' || (state.status === 'resolved' && at - state.since >= RESOLVED_KEEP_MS);
      if (forget) {
        if (prev) write.remove.push({ rule: rule.name, group: o.group });
        next.set(o.group, null);
        continue;
      }
      const stored = storedAlert(base, state, wallNow);
      const changed = effects.length > 0 || state.status === 'pending' || state.status === 'firing';
      if (changed) write.upsert.push(stored);
      next.set(o.group, stored);
    }

    if (notices.length > 0) {
      await deliver(rule, {
        id: notificationId(rule.name, at, notices),
        rule: rule.name,
        description: rule.description,
        severity: rule.severity,
        at,
        alerts: notices,
        link: `${options.publicUrl.replace(/\/$/, '')}/api/v1/alerts?rule=${encodeURIComponent(rule.name)}`,
      });
    }

    for (const [group, stored] of next) {
      if (stored) alerts.set(key(rule.name, group), stored);
      else alerts.delete(key(rule.name, group));
    }
    cursors.set(rule.name, at);
    const record: EvaluationWrite = { rule: rule.name, evaluatedUpTo: at, ...write };
    try {
      await store.write(record);
    } catch (err) {
      const queue = unsaved.get(rule.name) ?? [];
      queue.push(record);
      unsaved.set(rule.name, queue);
      logger.warn(
        { rule: rule.name, at: new Date(at).toISOString(), err: (err as Error).message },
        'Alert state not recorded; will retry before the next run.',
      );
    }
    const counts = { pending: 0, firing: 0 };
    for (const a of alertsOf(rule.name))
      if (a.status === 'pending' || a.status === 'firing') counts[a.status]++;
    telemetry.alerts.set({ rule: rule.name, status: 'pending' }, counts.pending);
    telemetry.alerts.set({ rule: rule.name, status: 'firing' }, counts.firing);
  }

  async function runRule(rule: Rule): Promise<void> {
    try {
      await flushUnsaved(rule.name);
    } catch (err) {
      retryAt.set(rule.name, clock() + Math.min(rule.every, MAX_RETRY_PAUSE_MS));
      logger.error(
        { rule: rule.name, err: (err as Error).message },
        'Alert state still not recorded; the rule waits for it.',
      );
      return;
    }
    const now = clock();
    const target = Math.floor((now - rule.query_delay) / rule.every) * rule.every;
    const cursor = cursors.get(rule.name);
    if (cursor !== undefined && cursor >= target) return;
    let first = cursor === undefined ? target : Math.floor(cursor / rule.every) * rule.every + rule.every;
    const steps = Math.floor((target - first) / rule.every) + 1;
    if (steps > maxCatchUp) {
      const skipped = steps - maxCatchUp;
      first += skipped * rule.every;
      logger.warn(
        { rule: rule.name, skipped, from: new Date(cursor ?? first).toISOString() },
        'Too far behind; older steps are not evaluated.',
      );
    }
    for (let at = first; at <= target; at += rule.every) {
      const started = performance.now();
      try {
        await evaluateStep(rule, at);
        telemetry.evaluations.inc({ rule: rule.name, outcome: 'ok' });
      } catch (err) {
        telemetry.evaluations.inc({ rule: rule.name, outcome: 'error' });
        // Elasticsearch down or refusing: try again after a pause, not at every 1 s tick.
        const pause = Math.min(rule.every, MAX_RETRY_PAUSE_MS);
        retryAt.set(rule.name, clock() + pause);
        logger.error(
          { rule: rule.name, at: new Date(at).toISOString(), retryInMs: pause, err: (err as Error).message },
          'Rule evaluation failed; the step is retried, nothing is skipped.',
        );
        return;
      } finally {
        telemetry.evaluationSeconds.observe({ kind: rule.kind }, (performance.now() - started) / 1000);
      }
      retryAt.delete(rule.name);
      telemetry.lagSeconds.set({ rule: rule.name }, (clock() - at) / 1000);
    }
  }

  function isDue(rule: Rule, now: number): boolean {
    if (now < (retryAt.get(rule.name) ?? 0)) return false;
    const cursor = cursors.get(rule.name);
    const target = Math.floor((now - rule.query_delay) / rule.every) * rule.every;
    return cursor === undefined || cursor < target || (unsaved.get(rule.name)?.length ?? 0) > 0;
  }

  return {
    async init() {
      await store.ensureIndex();
      for (const a of await store.loadAlerts()) alerts.set(key(a.rule, a.group), a);
      for (const [rule, at] of await store.loadCursors()) cursors.set(rule, at);
      logger.info(
        { alerts: alerts.size, cursors: cursors.size, rules: ruleSet.rules.length },
        'Alert state loaded.',
      );
    },
    setRules(next) {
      ruleSet = next;
      silencesFromFile = fileSilences(next.silences);
    },
    rules() {
      return ruleSet.rules;
    },
    evaluateDue() {
      const now = clock();
      const started: Promise<void>[] = [];
      for (const rule of ruleSet.rules) {
        if (running.has(rule.name) || !isDue(rule, now)) continue;
        const run = runRule(rule)
          .catch((err: Error) => logger.error({ rule: rule.name, err: err.message }, 'Rule run failed.'))
          .finally(() => running.delete(rule.name));
        running.set(rule.name, run);
        started.push(run);
      }
      return Promise.all(started).then(() => undefined);
    },
    async idle() {
      await Promise.all(running.values());
    },
  };
}
