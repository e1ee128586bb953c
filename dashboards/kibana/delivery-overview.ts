/**
 * "Mail delivery overview": are we delivering, how fast, and where does it go wrong.
 * Counts are recipient-level and skip internal hops (content filter hand-offs), as the
 * contract counts them; the delivery rate is delivered / (delivered + bounced + expired).
 */
import type { DataViews } from './data-views.js';
import { dashboard } from './dashboard.js';
import { type EVENT_FIELDS, KQL, RECIPIENT_DOMAIN } from './fields.js';
import { add, count, div } from './formula.js';
import { Layer, lensPanel } from './lens.js';
import type { SavedObject } from './saved-object.js';

const COLORS = { delivered: '#54B399', deferred: '#D6BF57', bounced: '#E7664C' };

const deliveryRate = div(
  count(KQL.delivered),
  add(count(KQL.delivered), count(KQL.bounced), count(KQL.expired)),
);

export function deliveryOverview(prefix: string, dv: DataViews): SavedObject {
  type F = keyof typeof EVENT_FIELDS;
  const layer = (id: string) => new Layer<F>(id, dv.events);

  const metric = (key: string, title: string, x: number, build: (l: Layer<F>) => string, color?: string) => {
    const l = layer(`${key}-layer`);
    const m = build(l);
    return lensPanel({
      key,
      title,
      grid: { x, y: 0, w: 12, h: 6 },
      layer: l,
      visualization: { type: 'metric', metric: m, ...(color ? { color } : {}) },
    });
  };

  const outcomes = layer('outcomes-layer');
  const time = outcomes.dateHistogram();
  const delivered = outcomes.count('delivered', 'Delivered', KQL.delivered);
  const deferred = outcomes.count('deferred', 'Deferred (attempts)', KQL.deferred);
  const bounced = outcomes.count('bounced', 'Bounced', KQL.bounced);

  const rate = layer('rate-layer');
  const rateTime = rate.dateHistogram();
  const rateCol = rate.formula('rate', 'Delivery rate', deliveryRate, 'percent');

  const domains = layer('domains-layer');
  const dTotal = domains.count('attempts', 'Delivery attempts', `${KQL.finalOutcome} or ${KQL.deferred}`);
  const dDomain = domains.terms('domain', RECIPIENT_DOMAIN, {
    label: 'Destination domain',
    size: 20,
    orderBy: dTotal,
  });
  const dDelivered = domains.count('delivered', 'Delivered', KQL.delivered);
  const dBounceRate = domains.formula(
    'bounce-rate',
    'Bounce rate',
    div(count(KQL.bounced), add(count(KQL.delivered), count(KQL.bounced), count(KQL.expired))),
    'percent',
  );
  const dDeferRate = domains.formula(
    'defer-rate',
    'Deferral rate (attempts)',
    div(count(KQL.deferred), add(count(KQL.delivered), count(KQL.deferred), count(KQL.bounced))),
    'percent',
  );

  const delays = layer('delays-layer');
  const delaysTime = delays.dateHistogram();
  const p50 = delays.percentile('p50', 'Delay p50', 'postfix.delay', 50, KQL.delivered);
  const p95 = delays.percentile('p95', 'Delay p95', 'postfix.delay', 95, KQL.delivered);

  return dashboard({
    id: `${prefix}-delivery-overview`,
    title: 'Mail delivery overview',
    description: 'Delivered, deferred and bounced recipients, delivery rate, destination domains and delays.',
    timeFrom: 'now-24h',
    panels: [
      metric(
        'delivered-total',
        'Delivered',
        0,
        (l) => l.count('delivered', 'Delivered', KQL.delivered),
        COLORS.delivered,
      ),
      metric(
        'deferred-total',
        'Deferral attempts',
        12,
        (l) => l.count('deferred', 'Deferral attempts', KQL.deferred),
        COLORS.deferred,
      ),
      metric(
        'bounced-total',
        'Bounced',
        24,
        (l) => l.count('bounced', 'Bounced', KQL.bounced),
        COLORS.bounced,
      ),
      metric('rate-total', 'Delivery rate', 36, (l) =>
        l.formula('rate', 'Delivery rate', deliveryRate, 'percent'),
      ),
      lensPanel({
        key: 'outcomes-over-time',
        title: 'Delivered, deferred and bounced over time',
        grid: { x: 0, y: 6, w: 32, h: 14 },
        layer: outcomes,
        visualization: {
          type: 'xy',
          series: 'bar_stacked',
          x: time,
          y: [delivered, deferred, bounced],
          colors: { [delivered]: COLORS.delivered, [deferred]: COLORS.deferred, [bounced]: COLORS.bounced },
        },
      }),
      lensPanel({
        key: 'rate-over-time',
        title: 'Delivery rate over time',
        grid: { x: 32, y: 6, w: 16, h: 14 },
        layer: rate,
        visualization: { type: 'xy', series: 'line', x: rateTime, y: [rateCol], percentAxis: true },
      }),
      lensPanel({
        key: 'top-domains',
        title: 'Top destination domains',
        grid: { x: 0, y: 20, w: 28, h: 16 },
        layer: domains,
        visualization: { type: 'table', columns: [dDomain, dTotal, dDelivered, dBounceRate, dDeferRate] },
      }),
      lensPanel({
        key: 'delays',
        title: 'Delivery delay p50 / p95 (seconds)',
        grid: { x: 28, y: 20, w: 20, h: 16 },
        layer: delays,
        visualization: { type: 'xy', series: 'line', x: delaysTime, y: [p50, p95] },
      }),
    ],
  });
}
