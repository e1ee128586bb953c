/**
 * "Rejections and abuse": what the server refuses and who is hammering it. Rejections are
 * `reject:` lines (smtpd, postscreen, cleanup, milter), grouped by the parser's reason category
 * and, for DNSBL hits, by list; SASL failures are grouped by client address.
 */
import type { DataViews } from './data-views.js';
import { dashboard } from './dashboard.js';
import { type EVENT_FIELDS, KQL } from './fields.js';
import { count, div } from './formula.js';
import { Layer, lensPanel } from './lens.js';
import type { SavedObject } from './saved-object.js';

export function rejectionsAbuse(prefix: string, dv: DataViews): SavedObject {
  type F = keyof typeof EVENT_FIELDS;
  const layer = (id: string) => new Layer<F>(id, dv.events);

  const rejects = layer('rejects-total-layer');
  const rejectsCol = rejects.count('rejects', 'Rejected', KQL.reject);
  const warnings = layer('warnings-total-layer');
  const warningsCol = warnings.count('warnings', 'Reject warnings', KQL.rejectWarning);
  const sasl = layer('sasl-total-layer');
  const saslCol = sasl.count('sasl', 'SASL failures', KQL.saslFailure);
  const tls = layer('tls-share-layer');
  const tlsCol = tls.formula(
    'tls-share',
    'TLS share of smtpd connections',
    div(count(KQL.smtpdTls), count(KQL.smtpdConnect)),
    'percent',
  );

  const categories = layer('categories-layer');
  const catCount = categories.count('count', 'Rejections');
  const catTerm = categories.terms('category', 'postfix.reason.category', {
    label: 'Reason category',
    size: 12,
    orderBy: catCount,
    other: true,
  });

  const rbls = layer('rbls-layer');
  const rblCount = rbls.count('count', 'Rejections');
  const rblTerm = rbls.terms('rbl', 'postfix.reason.rbl', {
    label: 'DNS blocklist',
    size: 10,
    orderBy: rblCount,
  });

  const trend = layer('trend-layer');
  const trendTime = trend.dateHistogram();
  const trendCount = trend.count('count', 'Rejections');
  const trendSplit = trend.terms('category', 'postfix.reason.category', {
    label: 'Reason category',
    size: 6,
    orderBy: trendCount,
    other: true,
  });

  const postscreen = layer('postscreen-layer');
  const psCount = postscreen.count('count', 'Connections');
  const psVerdict = postscreen.terms('verdict', 'postfix.detail.verdict', {
    label: 'Postscreen outcome',
    size: 10,
    orderBy: psCount,
    other: true,
  });

  const saslIps = layer('sasl-ips-layer');
  const ipCount = saslIps.count('failures', 'Failures');
  const ip = saslIps.terms('client', 'source.ip', { label: 'Client IP', size: 20, orderBy: ipCount });
  const users = saslIps.uniqueCount('users', 'Distinct users tried', 'user.name');
  const lastSeen = saslIps.minMax('last-seen', 'max', 'Last attempt', '@timestamp');

  const tlsVersions = layer('tls-versions-layer');
  const tvCount = tlsVersions.count('count', 'Sessions');
  const tv = tlsVersions.terms('version', 'tls.version', { label: 'TLS version', size: 6, orderBy: tvCount });

  return dashboard({
    id: `${prefix}-rejections-abuse`,
    title: 'Rejections and abuse',
    description:
      'Rejection categories and blocklists, postscreen outcomes, SASL failures by client and TLS use.',
    timeFrom: 'now-24h',
    panels: [
      lensPanel({
        key: 'rejects-total',
        title: 'Rejected',
        grid: { x: 0, y: 0, w: 12, h: 6 },
        layer: rejects,
        visualization: { type: 'metric', metric: rejectsCol, color: '#E7664C' },
      }),
      lensPanel({
        key: 'warnings-total',
        title: 'Reject warnings',
        grid: { x: 12, y: 0, w: 12, h: 6 },
        layer: warnings,
        visualization: { type: 'metric', metric: warningsCol },
      }),
      lensPanel({
        key: 'sasl-total',
        title: 'SASL failures',
        grid: { x: 24, y: 0, w: 12, h: 6 },
        layer: sasl,
        visualization: { type: 'metric', metric: saslCol, color: '#D6BF57' },
      }),
      lensPanel({
        key: 'tls-share',
        title: 'TLS share (smtpd)',
        grid: { x: 36, y: 0, w: 12, h: 6 },
        layer: tls,
        visualization: { type: 'metric', metric: tlsCol },
      }),
      lensPanel({
        key: 'top-categories',
        title: 'Top rejection categories',
        grid: { x: 0, y: 6, w: 24, h: 14 },
        layer: categories,
        query: KQL.reject,
        visualization: { type: 'xy', series: 'bar_horizontal', x: catTerm, y: [catCount] },
      }),
      lensPanel({
        key: 'top-rbls',
        title: 'Top DNS blocklists',
        grid: { x: 24, y: 6, w: 24, h: 14 },
        layer: rbls,
        query: `${KQL.reject} and postfix.reason.rbl : *`,
        visualization: { type: 'xy', series: 'bar_horizontal', x: rblTerm, y: [rblCount] },
      }),
      lensPanel({
        key: 'reject-trend',
        title: 'Rejections over time by category',
        grid: { x: 0, y: 20, w: 32, h: 14 },
        layer: trend,
        query: KQL.reject,
        visualization: {
          type: 'xy',
          series: 'bar_stacked',
          x: trendTime,
          y: [trendCount],
          split: trendSplit,
        },
      }),
      lensPanel({
        key: 'postscreen-outcomes',
        title: 'Postscreen outcomes',
        grid: { x: 32, y: 20, w: 16, h: 14 },
        layer: postscreen,
        query: `${KQL.postscreen} and postfix.detail.verdict : *`,
        visualization: { type: 'donut', groups: [psVerdict], metric: psCount },
      }),
      lensPanel({
        key: 'sasl-by-ip',
        title: 'SASL failures by client IP',
        grid: { x: 0, y: 34, w: 28, h: 16 },
        layer: saslIps,
        query: KQL.saslFailure,
        visualization: { type: 'table', columns: [ip, ipCount, users, lastSeen] },
      }),
      lensPanel({
        key: 'tls-versions',
        title: 'TLS versions (smtpd)',
        grid: { x: 28, y: 34, w: 20, h: 16 },
        layer: tlsVersions,
        query: KQL.smtpdTls,
        visualization: { type: 'donut', groups: [tv], metric: tvCount },
      }),
    ],
  });
}
