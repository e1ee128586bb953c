/**
 * Every /api/v1 endpoint over a generated log with known truth, indexed into the real local
 * Elasticsearch: the figures equal the generator's truth (counted while writing, never by
 * reading the log back), `/summary` equals `mailpulse report --json` over the same lines, and
 * figures the generator does not count are checked against plain counts of the raw lines.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { buildApp } from '../../api/index.js';
import { DeliveryResponseSchema } from '../../api/schemas/delivery.js';
import { DomainsResponseSchema } from '../../api/schemas/domains.js';
import { MessageSearchResponseSchema, MessageTraceResponseSchema } from '../../api/schemas/messages.js';
import { QueueResponseSchema } from '../../api/schemas/queue.js';
import { DeferralsResponseSchema, RejectionsResponseSchema } from '../../api/schemas/reasons.js';
import { SecurityResponseSchema } from '../../api/schemas/security.js';
import { SummaryResponseSchema } from '../../api/schemas/summary.js';
import { TrafficResponseSchema } from '../../api/schemas/traffic.js';
import { loadConfig } from '../../core/config.js';
import { createEsClient } from '../../core/elasticsearch.js';
import { createLogger } from '../../core/logger.js';
import { type Report, reportOfLines } from '../../report/index.js';
import { cleanup, type IndexedFixture, indexFixture, uniquePrefix } from './api-support.js';

const config = loadConfig();
const es = createEsClient(config.elasticsearch);
const prefix = uniquePrefix('api');
const HOSTS = ['mx1.example.net', 'mx2.example.net'];
let fx: IndexedFixture;
let report: Report;
let app: FastifyInstance;

/** GETs `url`, expects 200 and a body of `schema`'s shape (checked, so the types are real). */
async function get<T extends z.ZodType>(url: string, schema: T): Promise<z.output<T>> {
  const res = await app.inject({ method: 'GET', url });
  assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 500)}`);
  return schema.parse(res.json());
}

function linesMatching(re: RegExp): string[] {
  return fx.lines.filter((l) => re.test(l));
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

before(async () => {
  // No queue ID reuse here (the indexer tests cover it): a queue ID names one message, so the
  // trace can be checked against the raw lines of that queue ID.
  fx = await indexFixture(es, prefix, { lines: 6000, seed: 11, hosts: HOSTS, reuse: 0 });
  report = reportOfLines(fx.lines, { timeZone: 'UTC' });
  app = await buildApp({ es, prefix, logger: createLogger('silent'), page: false, pipelineMetrics: false });
});

after(async () => {
  await app?.close();
  await cleanup(es, prefix);
  await es.close();
});

describe('summary', () => {
  test('equals the truth and report --json for the same lines', async () => {
    const s = await get(`/api/v1/summary?${fx.rangeQuery}`, SummaryResponseSchema);
    const t = fx.truth;
    assert.ok(
      t.messages.delivered > 100 && t.messages.deferrals > 10 && t.messages.rejected > 20,
      'fixture exercises the counters',
    );
    assert.deepEqual(s.messages, t.messages);
    assert.deepEqual(s.messages, report.messages);
    assert.equal(s.delivery_rate, report.delivery_rate);
    assert.ok(Math.abs(Number(s.delivery_rate) - Number(t.delivery_rate)) < 1e-6);
    assert.deepEqual(s.queue, t.queue);
    assert.deepEqual(s.lines, t.lines);
    assert.deepEqual(s.delays, t.delays);
    assert.deepEqual(s.delays, report.delays);
    assert.deepEqual(s.period, report.period);
    assert.deepEqual(s.rejections, report.rejections);
    assert.deepEqual(s.deferral_reasons, report.deferral_reasons);
    assert.deepEqual(s.bounce_reasons, report.bounce_reasons);
    assert.deepEqual(s.per_domain, report.per_domain);
    assert.equal(s.bytes.received, t.bytes.received);
    assert.deepEqual(s.top_senders, report.top_senders);
    assert.deepEqual(s.top_recipients, report.top_recipients);
    const nonZero = s.per_hour.filter(
      (h) => h.received + h.delivered + h.deferred + h.bounced + h.rejected > 0,
    );
    assert.deepEqual(nonZero, report.per_hour);
    assert.deepEqual(
      nonZero.map((h: Record<string, unknown>) => ({ ...h, hour: Date.parse(String(h.hour)) })),
      t.per_hour.map((h) => ({ ...h, hour: Date.parse(h.hour) })),
    );
  });

  test('reason tables add up to the truth by category', async () => {
    const s = await get(`/api/v1/summary?${fx.rangeQuery}`, SummaryResponseSchema);
    const byCategory = (rows: { category: string; count: number }[]) => {
      const out: Record<string, number> = {};
      for (const r of rows) out[r.category] = (out[r.category] ?? 0) + r.count;
      return out;
    };
    assert.deepEqual(byCategory(s.rejections), fx.truth.rejections_by_category);
    assert.deepEqual(byCategory(s.deferral_reasons), fx.truth.deferrals_by_category);
    assert.deepEqual(byCategory(s.bounce_reasons), fx.truth.bounces_by_category);
  });

  test('per host figures add up to the whole', async () => {
    const parts = await Promise.all(
      HOSTS.map((h) => get(`/api/v1/summary?${fx.rangeQuery}&host=${h}`, SummaryResponseSchema)),
    );
    for (const key of ['delivered', 'bounced', 'deferrals', 'rejected', 'received'] as const) {
      assert.equal(sum(parts.map((p) => p.messages[key])), fx.truth.messages[key], key);
    }
    assert.ok(
      parts.every((p) => p.messages.delivered > 0),
      'both hosts have traffic',
    );
  });

  test('a range after the data answers zeros, not an error', async () => {
    const s = await get('/api/v1/summary?from=2001-01-01&to=2001-01-02', SummaryResponseSchema);
    assert.equal(s.lines.total, 0);
    assert.equal(s.delivery_rate, null);
    assert.deepEqual(s.period, { from: null, to: null });
  });
});

describe('delivery', () => {
  test('totals equal the truth and the zero-filled buckets add up to them', async () => {
    const d = await get(`/api/v1/delivery?${fx.rangeQuery}&interval=5m`, DeliveryResponseSchema);
    const t = fx.truth.messages;
    assert.deepEqual(
      { ...d.totals, delivery_rate: undefined },
      {
        delivered: t.delivered,
        deferred: t.deferred,
        deferrals: t.deferrals,
        bounced: t.bounced,
        expired: t.expired,
        delivery_rate: undefined,
      },
    );
    const from = Date.parse(String(fx.truth.period.from));
    const to = Date.parse(String(fx.truth.period.to)) + 1000;
    assert.equal(d.buckets.length, Math.ceil(to / 300_000) - Math.floor(from / 300_000));
    assert.equal(Date.parse(String(d.buckets[0]?.time)), Math.floor(from / 300_000) * 300_000);
    for (const key of ['delivered', 'deferrals', 'bounced', 'expired'] as const) {
      assert.equal(sum(d.buckets.map((b) => b[key])), t[key], key);
    }
    for (const b of d.buckets)
      assert.deepEqual(Object.keys(b).sort(), [
        'bounced',
        'deferrals',
        'deferred',
        'delivered',
        'delivery_rate',
        'expired',
        'time',
      ]);
  });

  test('a recipient domain filter keeps only that domain', async () => {
    const row = fx.truth.per_domain.find((r) => r.delivered > 5) as {
      domain: string;
      delivered: number;
      bounced: number;
    };
    const d = await get(
      `/api/v1/delivery?${fx.rangeQuery}&domain=${row.domain.toUpperCase()}`,
      DeliveryResponseSchema,
    );
    assert.equal(d.totals.delivered, row.delivered);
    assert.equal(d.totals.bounced, row.bounced);
  });
});

describe('rejections and deferrals', () => {
  test('rejections: total, categories and buckets equal the truth', async () => {
    const r = await get(
      `/api/v1/rejections?${fx.rangeQuery}&interval=10m&limit=200`,
      RejectionsResponseSchema,
    );
    assert.equal(r.rejected, fx.truth.messages.rejected);
    assert.equal(r.reject_warnings, fx.truth.messages.reject_warnings);
    assert.deepEqual(
      Object.fromEntries(r.categories.map((c: { category: string; count: number }) => [c.category, c.count])),
      fx.truth.rejections_by_category,
    );
    assert.equal(sum(r.buckets.map((b: { rejected: number }) => b.rejected)), r.rejected);
    const perCategory: Record<string, number> = {};
    for (const b of r.buckets)
      for (const [k, v] of Object.entries(b.by_category as Record<string, number>))
        perCategory[k] = (perCategory[k] ?? 0) + v;
    assert.deepEqual(perCategory, fx.truth.rejections_by_category);
    const rblLines = linesMatching(/reject: .*blocked using/).length;
    assert.equal(sum(r.rbls.map((x: { count: number }) => x.count)), rblLines);
  });

  test('deferrals: attempts, messages, categories and domains equal the truth', async () => {
    const d = await get(`/api/v1/deferrals?${fx.rangeQuery}&limit=200`, DeferralsResponseSchema);
    assert.equal(d.deferrals, fx.truth.messages.deferrals);
    assert.equal(d.deferred, fx.truth.messages.deferred);
    assert.deepEqual(
      Object.fromEntries(d.categories.map((c: { category: string; count: number }) => [c.category, c.count])),
      fx.truth.deferrals_by_category,
    );
    const truthDomains = Object.fromEntries(
      fx.truth.per_domain.filter((r) => r.deferred > 0).map((r) => [r.domain, r.deferred]),
    );
    assert.deepEqual(
      Object.fromEntries(d.domains.map((x: { key: string; count: number }) => [x.key, x.count])),
      truthDomains,
    );
  });
});

describe('domains, queue, traffic, security', () => {
  test('domains: per domain delivered, bounced and deferral attempts equal the truth', async () => {
    const d = await get(`/api/v1/domains?${fx.rangeQuery}&limit=1000`, DomainsResponseSchema);
    const got = Object.fromEntries(
      d.domains.map((r) => [r.domain, { delivered: r.delivered, deferred: r.deferrals, bounced: r.bounced }]),
    );
    const want = Object.fromEntries(
      fx.truth.per_domain.map((r) => [
        r.domain,
        { delivered: r.delivered, deferred: r.deferred, bounced: r.bounced },
      ]),
    );
    // The table lists domains with any delivery line; internal hops and forwards add rows of zeros.
    for (const [domain, row] of Object.entries(got))
      if (!(domain in want)) assert.deepEqual(row, { delivered: 0, deferred: 0, bounced: 0 }, domain);
    for (const [domain, row] of Object.entries(want)) assert.deepEqual(got[domain], row, domain);
  });

  test('queue: the backlog at the end equals the truth and never goes below zero', async () => {
    const q = await get(`/api/v1/queue?${fx.rangeQuery}&interval=1m`, QueueResponseSchema);
    assert.equal(q.at_end.backlog, fx.truth.queue.backlog_at_end);
    assert.ok(fx.truth.queue.backlog_at_end > 0, 'fixture leaves messages queued');
    assert.deepEqual(q.buckets.at(-1), { ...q.at_end, time: q.buckets.at(-1)?.time });
    for (const b of q.buckets) {
      assert.ok(b.backlog >= 0 && b.active >= 0 && b.deferred >= 0);
      assert.equal(b.active + b.deferred, b.backlog);
    }
    assert.ok(Math.max(...q.buckets.map((b: { backlog: number }) => b.backlog)) >= q.at_end.backlog);
    const before = await get('/api/v1/queue?from=2001-01-01&to=2001-01-02&interval=1h', QueueResponseSchema);
    assert.equal(before.at_end.backlog, 0);
  });

  test('traffic: messages and bytes received equal the truth; connections equal the lines', async () => {
    const t = await get(`/api/v1/traffic?${fx.rangeQuery}&interval=15m`, TrafficResponseSchema);
    assert.equal(t.totals.messages_received, fx.truth.messages.received);
    assert.equal(t.totals.bytes_received, fx.truth.bytes.received);
    assert.equal(
      t.totals.connections_smtpd,
      linesMatching(/ postfix\/(?:[\w-]+\/)*smtpd\[\d+\]: connect from /).length,
    );
    assert.equal(
      t.totals.connections_postscreen,
      linesMatching(/ postfix\/postscreen\[\d+\]: CONNECT from /).length,
    );
    assert.equal(
      sum(t.buckets.map((b: { messages_received: number }) => b.messages_received)),
      t.totals.messages_received,
    );
  });

  test('security: SASL failures and TLS sessions equal the lines', async () => {
    const s = await get(`/api/v1/security?${fx.rangeQuery}&limit=200`, SecurityResponseSchema);
    const sasl = linesMatching(/SASL \w+ authentication failed/);
    assert.ok(sasl.length > 0, 'fixture has SASL failures');
    assert.equal(s.sasl_failures.total, sasl.length);
    assert.equal(sum(s.sasl_failures.by_client_ip.map((r: { count: number }) => r.count)), sasl.length);
    const tls = linesMatching(
      / postfix\/(?:[\w-]+\/)*smtpd\[\d+\]: \w+ TLS connection established from /,
    ).length;
    assert.equal(s.tls.smtpd_tls, tls);
    assert.ok(s.tls.tls_share !== null && s.tls.tls_share > 0 && s.tls.tls_share <= 1);
    assert.equal(
      s.postscreen.connections,
      linesMatching(/ postfix\/postscreen\[\d+\]: CONNECT from /).length,
    );
  });
});

describe('messages', () => {
  const QID = / postfix\/[\w/-]+\[\d+\]: ([0-9A-F]{10,12}): /;

  test('paging with the cursor returns every message once', async () => {
    const distinct = new Set(fx.lines.map((l) => QID.exec(l)?.[1]).filter((q) => q !== undefined));
    const seen = new Set<string>();
    let url = `/api/v1/messages?${fx.rangeQuery}&limit=97`;
    let pages = 0;
    for (;;) {
      const page = await get(url, MessageSearchResponseSchema);
      pages += 1;
      assert.equal(page.total, distinct.size);
      for (const m of page.messages) {
        assert.ok(!seen.has(m.key), `${m.key} twice`);
        seen.add(m.key);
      }
      if (page.next === null) break;
      url = `/api/v1/messages?${fx.rangeQuery}&limit=97&cursor=${page.next}`;
    }
    assert.equal(seen.size, distinct.size);
    assert.ok(pages > 3);
  });

  test('filters: queue ID, state, sender', async () => {
    const line = fx.lines.find((l) => / postfix\/qmgr\[\d+\]: [0-9A-F]+: from=<[^>]+@/.test(l)) as string;
    const [, qid, sender] = /: ([0-9A-F]+): from=<([^>]+)>/.exec(line) as RegExpExecArray;
    const byQid = await get(`/api/v1/messages?${fx.rangeQuery}&queue_id=${qid}`, MessageSearchResponseSchema);
    assert.equal(byQid.messages.length, 1);
    assert.equal(byQid.messages[0]?.email.local_id, qid);
    const bySender = await get(
      `/api/v1/messages?${fx.rangeQuery}&sender=${encodeURIComponent(String(sender).toUpperCase())}&limit=500`,
      MessageSearchResponseSchema,
    );
    assert.ok(bySender.messages.length >= 1);
    for (const m of bySender.messages)
      assert.equal(m.email.from?.address.toLowerCase(), String(sender).toLowerCase());
    const deferred = await get(
      `/api/v1/messages?${fx.rangeQuery}&status=deferred&limit=500`,
      MessageSearchResponseSchema,
    );
    for (const m of deferred.messages) assert.equal(m.state, 'deferred');
  });

  test('a trace holds every hop with all its lines', async () => {
    // The content filter hand-off names the re-injected queue ID: `queued as X`.
    const handoff = fx.lines.find((l) =>
      /relay=127\.0\.0\.1\[127\.0\.0\.1\]:10024.*status=sent .*queued as [0-9A-F]+/.test(l),
    ) as string;
    const first = (QID.exec(handoff) as RegExpExecArray)[1] as string;
    const second = (/queued as ([0-9A-F]+)/.exec(handoff) as RegExpExecArray)[1] as string;
    const trace = await get(`/api/v1/messages/${first}`, MessageTraceResponseSchema);
    assert.equal(trace.message.email.local_id, first);
    const hopIds = trace.hops.map(
      (h: { message: { email: { local_id: string } } }) => h.message.email.local_id,
    );
    assert.ok(hopIds.includes(first) && hopIds.includes(second), `hops ${hopIds.join(',')}`);
    for (const hop of trace.hops) {
      const qid = hop.message.email.local_id;
      const raw = fx.lines.filter((l) => l.includes(` ${qid}: `));
      assert.deepEqual(
        hop.events.map((e: { event: { original: string } }) => e.event.original),
        raw,
        qid,
      );
    }
    const byKey = await get(
      `/api/v1/messages/${encodeURIComponent(trace.message.key)}`,
      MessageTraceResponseSchema,
    );
    assert.equal(byKey.message.key, trace.message.key);
  });

  test('unknown message → 404; a forged cursor → 400', async () => {
    const missing = await app.inject({ url: '/api/v1/messages/NOSUCHID' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'MP_ERR_API_NOT_FOUND');
    const forged = await app.inject({ url: '/api/v1/messages?cursor=eyJhIjoxfQ' });
    assert.equal(forged.statusCode, 400);
    assert.match(forged.json().message, /cursor/);
  });
});
