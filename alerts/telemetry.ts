/**
 * Prometheus metrics of the alert engine, on prom-client's default registry (what the API's
 * `/metrics` serves when every role runs in one process). Created once per process: starting
 * the engine twice (tests, a reload) must not register them twice.
 */
import { Counter, Gauge, Histogram } from 'prom-client';

function create() {
  return {
    evaluations: new Counter({
      name: 'mailpulse_alerts_evaluations_total',
      help: 'Rule evaluations, by rule and outcome (ok, error).',
      labelNames: ['rule', 'outcome'] as const,
    }),
    evaluationSeconds: new Histogram({
      name: 'mailpulse_alerts_evaluation_seconds',
      help: 'Time one rule evaluation took, queries and notifications included.',
      labelNames: ['kind'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
    lagSeconds: new Gauge({
      name: 'mailpulse_alerts_evaluation_lag_seconds',
      help: 'How far behind the wall clock a rule was evaluated up to (query delay included).',
      labelNames: ['rule'] as const,
    }),
    alerts: new Gauge({
      name: 'mailpulse_alerts_active',
      help: 'Alerts pending or firing, by rule and status.',
      labelNames: ['rule', 'status'] as const,
    }),
    notifications: new Counter({
      name: 'mailpulse_alerts_notifications_total',
      help: 'Notifications by channel and outcome (sent, failed).',
      labelNames: ['channel', 'outcome'] as const,
    }),
    deadLetters: new Counter({
      name: 'mailpulse_alerts_dead_letters_total',
      help: 'Notifications given up on and kept as a dead letter in the alerts index.',
      labelNames: ['channel'] as const,
    }),
    reloads: new Counter({
      name: 'mailpulse_alerts_rule_reloads_total',
      help: 'Rules file reloads, by outcome (ok, invalid).',
      labelNames: ['outcome'] as const,
    }),
  };
}

let metrics: ReturnType<typeof create> | undefined;

export function alertMetrics(): ReturnType<typeof create> {
  metrics ??= create();
  return metrics;
}
