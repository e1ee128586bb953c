/**
 * "Queue": what is waiting and why. The messages index holds one document per message with its
 * current state, so "in the queue now" is a count of active + deferred messages first seen in
 * the range (the range defaults to 7 days, longer than Postfix's default 5-day
 * `maximal_queue_lifetime`, so nothing still queued falls outside it). The backlog trend comes
 * from events: messages entering the queue manager minus messages removed, summed over time.
 */
import type { DataViews } from './data-views.js';
import { dashboard } from './dashboard.js';
import { type EVENT_FIELDS, KQL, type MESSAGE_FIELDS, MESSAGE_KQL, RECIPIENT_DOMAIN } from './fields.js';
import { count, cumulativeSum, sub } from './formula.js';
import { Layer, lensPanel } from './lens.js';
import type { SavedObject } from './saved-object.js';

export function queue(prefix: string, dv: DataViews): SavedObject {
  type E = keyof typeof EVENT_FIELDS;
  type M = keyof typeof MESSAGE_FIELDS;
  const events = (id: string) => new Layer<E>(id, dv.events);
  const messages = (id: string) => new Layer<M>(id, dv.messages);

  const inQueue = messages('in-queue-layer');
  const inQueueCol = inQueue.count('in-queue', 'In queue (active + deferred)', MESSAGE_KQL.inQueue);
  const deferredNow = messages('deferred-now-layer');
  const deferredNowCol = deferredNow.count('deferred', 'Deferred messages', MESSAGE_KQL.deferred);

  const backlog = events('backlog-layer');
  const backlogTime = backlog.dateHistogram();
  const backlogCol = backlog.formula(
    'backlog',
    'Backlog change since range start',
    sub(cumulativeSum(count(KQL.queued)), cumulativeSum(count(KQL.removed))),
  );

  const flow = events('flow-layer');
  const flowTime = flow.dateHistogram();
  const queued = flow.count('queued', 'Entered queue', KQL.queued);
  const removed = flow.count('removed', 'Left queue', KQL.removed);

  const reasons = events('reasons-layer');
  const reasonTime = reasons.dateHistogram();
  const reasonCount = reasons.count('count', 'Deferral attempts');
  const reasonSplit = reasons.terms('category', 'postfix.reason.category', {
    label: 'Reason category',
    size: 8,
    orderBy: reasonCount,
    other: true,
  });

  const topReasons = events('top-reasons-layer');
  const trCount = topReasons.count('count', 'Attempts');
  const trCategory = topReasons.terms('category', 'postfix.reason.category', {
    label: 'Category',
    size: 10,
    orderBy: trCount,
  });
  const trText = topReasons.terms('reason', 'postfix.reason.text', {
    label: 'Reason',
    size: 5,
    orderBy: trCount,
  });
  const trDomains = topReasons.uniqueCount('domains', 'Domains', RECIPIENT_DOMAIN);

  const oldest = messages('oldest-layer');
  const firstSeen = oldest.minMax('first-seen', 'min', 'First seen', '@timestamp');
  const queueId = oldest.terms('queue-id', 'email.local_id', {
    label: 'Queue ID',
    size: 25,
    orderBy: firstSeen,
    direction: 'asc',
  });
  const host = oldest.terms('host', 'host.name', {
    label: 'Host',
    size: 3,
    orderBy: firstSeen,
    direction: 'asc',
  });
  const sender = oldest.terms('sender', 'email.from.address', {
    label: 'Sender',
    size: 1,
    orderBy: firstSeen,
    direction: 'asc',
  });
  const attempts = oldest.minMax('deferrals', 'max', 'Deferrals', 'deferrals');
  const lastTry = oldest.minMax('updated', 'max', 'Last attempt', 'updated');

  return dashboard({
    id: `${prefix}-queue`,
    title: 'Queue',
    description:
      'Messages waiting in the queue, the backlog trend, why deliveries are deferred, and the oldest deferred messages.',
    timeFrom: 'now-7d',
    panels: [
      lensPanel({
        key: 'in-queue',
        title: 'In queue now',
        grid: { x: 0, y: 0, w: 12, h: 6 },
        layer: inQueue,
        visualization: { type: 'metric', metric: inQueueCol },
      }),
      lensPanel({
        key: 'deferred-now',
        title: 'Deferred now',
        grid: { x: 12, y: 0, w: 12, h: 6 },
        layer: deferredNow,
        visualization: { type: 'metric', metric: deferredNowCol, color: '#D6BF57' },
      }),
      lensPanel({
        key: 'queue-flow',
        title: 'Entering and leaving the queue',
        grid: { x: 24, y: 0, w: 24, h: 12 },
        layer: flow,
        visualization: { type: 'xy', series: 'bar', x: flowTime, y: [queued, removed] },
      }),
      lensPanel({
        key: 'backlog',
        title: 'Backlog trend (entered − left, cumulative)',
        grid: { x: 0, y: 6, w: 24, h: 12 },
        layer: backlog,
        visualization: { type: 'xy', series: 'area', x: backlogTime, y: [backlogCol] },
      }),
      lensPanel({
        key: 'deferral-reasons-over-time',
        title: 'Deferrals over time by reason',
        grid: { x: 24, y: 12, w: 24, h: 14 },
        layer: reasons,
        query: KQL.deferred,
        visualization: {
          type: 'xy',
          series: 'bar_stacked',
          x: reasonTime,
          y: [reasonCount],
          split: reasonSplit,
        },
      }),
      lensPanel({
        key: 'top-deferral-reasons',
        title: 'Top deferral reasons',
        grid: { x: 0, y: 18, w: 24, h: 16 },
        layer: topReasons,
        query: KQL.deferred,
        visualization: { type: 'table', columns: [trCategory, trText, trCount, trDomains] },
      }),
      lensPanel({
        key: 'oldest-deferred',
        title: 'Oldest deferred messages',
        grid: { x: 0, y: 34, w: 48, h: 16 },
        layer: oldest,
        query: MESSAGE_KQL.deferred,
        visualization: {
          type: 'table',
          columns: [queueId, host, sender, firstSeen, attempts, lastTry],
          sortBy: { column: firstSeen, direction: 'asc' },
        },
      }),
    ],
  });
}
