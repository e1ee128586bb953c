/**
 * Prometheus metrics of the alert engine, on the registry the process serves on `/metrics`
 * (the one `mailpulse run` shares between its roles; prom-client's global one by default).
 * Created once per registry: starting the engine twice in one process (tests, a restart in
 * place) must not register them twice.
 */
import { Counter, Gauge, Histogram, type Registry, register } from 'prom-client';

function create(registry: Registry) {
  const registers = [registry];
  return {
    evaluations: new Counter({
      registers,
      name: 'mailpulse_alerts_evaluations_total',
      help: 'Rule evaluations, by rule and outcome (ok, error).',
      labelNames: ['rule', 'outcome'] as const,
    }),
    evaluationSeconds: new Histogram({
      registers,
      name: 'mailpulse_alerts_evaluation_seconds',
      help: 'Time one rule evaluation took, queries and notifications included.',
      labelNames: ['kind'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
    lagSeconds: new Gauge({
      registers,
      name: 'mailpulse_alerts_evaluation_lag_seconds',
      help: 'How far behind the wall clock a rule was evaluated up to (query delay included).',
      labelNames: ['rule'] as const,
    }),
    alerts: new Gauge({
      registers,
      name: 'mailpulse_alerts_active',
      help: 'Alerts pending or firing, by rule and status.',
      labelNames: ['rule', 'status'] as const,
    }),
    notifications: new Counter({
      registers,
      name: 'mailpulse_alerts_notifications_total',
      help: 'Notifications by channel and outcome (sent, failed).',
      labelNames: ['channel', 'outcome'] as const,
    }),
    deadLetters: new Counter({
      registers,
      name: 'mailpulse_alerts_dead_letters_total',
      help: 'Notifications given up on and kept as a dead letter in the alerts index.',
      labelNames: ['channel'] as const,
    }),
    reloads: new Counter({
      registers,
      name: 'mailpulse_alerts_rule_reloads_total',
      help: 'Rules file reloads, by outcome (ok, invalid).',
      labelNames: ['outcome'] as const,
    }),
  };
}

const byRegistry = new WeakMap<Registry, ReturnType<typeof create>>();

export type AlertMetrics = ReturnType<typeof create>;

export function alertMetrics(registry: Registry = register): AlertMetrics {
  let metrics = byRegistry.get(registry);
  if (!metrics) {
    metrics = create(registry);
    byRegistry.set(registry, metrics);
  }
  return metrics;
}
