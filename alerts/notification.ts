/**
 * What a notifier receives: every notice one evaluation of one rule produced, grouped, so a
 * storm over 200 destination domains is one message listing them, not 200 messages.
 */
import type { NoticeKind } from './machine.js';
import type { Channel, Severity } from './rules.js';

export interface AlertNotice {
  readonly notice: NoticeKind;
  readonly group: string;
  /** `alertname`, `severity`, the rule's labels and the group's (`domain`, `host` ...). */
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number | null;
  readonly summary: string;
  readonly examples: readonly string[];
  /** When the condition began to hold (ms). */
  readonly startsAt: number;
  /** When it resolved; null while firing. */
  readonly endsAt: number | null;
}

export interface Notification {
  /** Unique per notification, the same on every retry (`webhook-id`). */
  readonly id: string;
  readonly rule: string;
  readonly description: string | undefined;
  readonly severity: Severity;
  /** The evaluation instant (data time, ms). */
  readonly at: number;
  readonly alerts: readonly AlertNotice[];
  /** Where a person looks further: the API's alert list. */
  readonly link: string;
}

export interface DeliveryResult {
  readonly ok: boolean;
  readonly attempts: number;
  readonly error?: string;
  /** What was sent, kept in the dead letter when delivery finally fails. */
  readonly payload: unknown;
}

export interface Notifier {
  readonly channel: Channel;
  send(n: Notification): Promise<DeliveryResult>;
}

/** Alerts still firing come first, the largest figures first: the top of a long list matters. */
export function orderedAlerts(n: Notification): AlertNotice[] {
  const rank = (a: AlertNotice) => (a.notice === 'resolved' ? 1 : 0);
  return [...n.alerts].sort(
    (a, b) => rank(a) - rank(b) || (b.value ?? 0) - (a.value ?? 0) || a.group.localeCompare(b.group),
  );
}
