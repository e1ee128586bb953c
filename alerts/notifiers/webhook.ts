/**
 * Generic webhook: the Alertmanager webhook payload (version "4"), so receivers written for
 * Alertmanager work unchanged, signed Standard-Webhooks style when WEBHOOK_SECRET is set. One
 * `webhook-id` per notification, kept across retries, so a receiver can drop a duplicate.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../../core/logger.js';
import type { AlertNotice, DeliveryResult, Notification, Notifier } from '../notification.js';
import { DEFAULT_RETRY, postWithRetry, type RetryPolicy } from './http.js';
import { sign } from './signature.js';

/** Alertmanager writes this for "no end time yet". */
const ZERO_TIME = '0001-01-01T00:00:00Z';

export function fingerprint(labels: Readonly<Record<string, string>>): string {
  const text = Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function common<T>(items: readonly Readonly<Record<string, T>>[]): Record<string, T> {
  const [first, ...rest] = items;
  if (!first) return {};
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((o) => o[k] === v)));
}

function annotations(a: AlertNotice, n: Notification): Record<string, string> {
  const out: Record<string, string> = { summary: a.summary, notice: a.notice };
  if (n.description) out.description = n.description;
  if (a.value !== null) out.value = String(a.value);
  if (a.examples.length > 0) out.examples = a.examples.join('\n');
  return out;
}

/** The Alertmanager webhook JSON for one notification. */
export function alertmanagerPayload(n: Notification, receiver = 'mailpulse-webhook') {
  const alerts = n.alerts.map((a) => ({
    status: a.notice === 'resolved' ? ('resolved' as const) : ('firing' as const),
    labels: { ...a.labels },
    annotations: annotations(a, n),
    startsAt: new Date(a.startsAt).toISOString(),
    endsAt: a.endsAt === null ? ZERO_TIME : new Date(a.endsAt).toISOString(),
    generatorURL: n.link,
    fingerprint: fingerprint(a.labels),
  }));
  return {
    version: '4' as const,
    groupKey: `{}:{alertname="${n.rule}"}`,
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === 'firing') ? ('firing' as const) : ('resolved' as const),
    receiver,
    groupLabels: { alertname: n.rule },
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL: n.link,
    alerts,
  };
}

export interface WebhookOptions {
  readonly url: string;
  readonly secret?: string;
  readonly retry?: RetryPolicy;
  readonly logger: Logger;
}

export function webhookNotifier(options: WebhookOptions): Notifier {
  const retry = options.retry ?? DEFAULT_RETRY;
  return {
    channel: 'webhook',
    async send(n: Notification): Promise<DeliveryResult> {
      const payload = alertmanagerPayload(n);
      const body = JSON.stringify(payload);
      const result = await postWithRetry(
        {
          url: options.url,
          body,
          headers: () => {
            const timestamp = Math.floor(Date.now() / 1000);
            const headers: Record<string, string> = {
              'webhook-id': n.id,
              'webhook-timestamp': String(timestamp),
            };
            if (options.secret) headers['webhook-signature'] = sign(options.secret, n.id, timestamp, body);
            return headers;
          },
        },
        retry,
        ({ attempt, waitMs, reason }) =>
          options.logger.warn(
            { channel: 'webhook', rule: n.rule, attempt, waitMs, reason },
            'Webhook delivery failed; retrying.',
          ),
      );
      return { ok: result.ok, attempts: result.attempts, error: result.error, payload };
    },
  };
}
