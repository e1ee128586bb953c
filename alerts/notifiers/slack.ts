/**
 * Slack incoming webhook: a Block Kit message inside an attachment (the attachment carries the
 * severity colour, which blocks alone cannot), with a plain `text` fallback for notifications
 * and old clients. Slack allows about one message per second per webhook: sends through one
 * notifier are paced at least `minGapMs` apart, and a 429's Retry-After is honoured.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../core/logger.js';
import { type Notification, type Notifier, orderedAlerts } from '../notification.js';
import type { Severity } from '../rules.js';
import { DEFAULT_RETRY, postWithRetry, type RetryPolicy } from './http.js';

const COLOUR: Record<Severity, string> = { critical: '#d0021b', warning: '#f5a623', info: '#4a90e2' };
const RESOLVED_COLOUR = '#2eb886';
/** Groups listed one by one; the rest are counted. Slack refuses sections past 3000 characters. */
const MAX_LISTED = 10;
const MAX_EXAMPLES = 3;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function groupName(labels: Readonly<Record<string, string>>, group: string): string {
  return group === '' ? '' : `${Object.keys(labels).find((k) => labels[k] === group) ?? 'group'} ${group}`;
}

export function slackMessage(n: Notification) {
  const alerts = orderedAlerts(n);
  const firing = alerts.filter((a) => a.notice !== 'resolved');
  const resolved = alerts.length - firing.length;
  const state =
    firing.length === 0 ? 'RESOLVED' : firing.some((a) => a.notice === 'firing') ? 'FIRING' : 'STILL FIRING';
  const counts = [
    firing.length > 0 ? `${firing.length} firing` : '',
    resolved > 0 ? `${resolved} resolved` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const title = `[${state}] ${n.rule} (${n.severity})${alerts.length > 1 ? `: ${counts}` : ''}`;
  const lines = alerts.slice(0, MAX_LISTED).map((a) => {
    const who = groupName(a.labels, a.group);
    const mark = a.notice === 'resolved' ? ':white_check_mark:' : ':rotating_light:';
    return `${mark} ${who ? `*${who}*: ` : ''}${a.summary}`;
  });
  if (alerts.length > MAX_LISTED) lines.push(`… and ${alerts.length - MAX_LISTED} more`);
  const examples = [...new Set(firing.flatMap((a) => a.examples))].slice(0, MAX_EXAMPLES);
  const blocks: object[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*${title}*${n.description ? `\n${n.description}` : ''}`, 3000) },
    },
    { type: 'section', text: { type: 'mrkdwn', text: clip(lines.join('\n'), 3000) } },
  ];
  if (examples.length > 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`Examples:\n\`\`\`${examples.join('\n')}\`\`\``, 3000) },
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: `<${n.link}|Open alerts> · evaluated at ${new Date(n.at).toISOString()}` },
    ],
  });
  const first = alerts[0];
  const text = `${title}${first ? `: ${first.summary}` : ''}`;
  return {
    text,
    attachments: [
      { color: firing.length === 0 ? RESOLVED_COLOUR : COLOUR[n.severity], fallback: text, blocks },
    ],
  };
}

export interface SlackOptions {
  readonly url: string;
  readonly retry?: RetryPolicy;
  /** Least time between two messages to this webhook, ms. */
  readonly minGapMs?: number;
  readonly logger: Logger;
}

export function slackNotifier(options: SlackOptions): Notifier {
  const retry = options.retry ?? DEFAULT_RETRY;
  const gap = options.minGapMs ?? 1000;
  let lastSent = 0;
  let queue: Promise<unknown> = Promise.resolve();
  return {
    channel: 'slack',
    send(n: Notification) {
      const payload = slackMessage(n);
      const run = async () => {
        const wait = lastSent + gap - Date.now();
        if (wait > 0) await sleep(wait);
        const result = await postWithRetry(
          { url: options.url, body: JSON.stringify(payload), headers: () => ({}) },
          retry,
          ({ attempt, waitMs, reason }) =>
            options.logger.warn(
              { channel: 'slack', rule: n.rule, attempt, waitMs, reason },
              'Slack delivery failed; retrying.',
            ),
        );
        lastSent = Date.now();
        return { ok: result.ok, attempts: result.attempts, error: result.error, payload };
      };
      // Serialize: the pacing holds across rules evaluated at the same moment.
      const next = queue.then(run, run);
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
