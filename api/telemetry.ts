/**
 * Prometheus figures of the API role, in the registry the process shares with the other roles
 * (`mailpulse run` passes one registry to all; each registers its own metrics in it):
 *
 * - `mailpulse_api_requests_total{method,route,status}` and
 *   `mailpulse_api_request_duration_seconds{method,route,status}`: route is the pattern
 *   (`/api/v1/messages/:id`), never the raw URL, so label values stay few.
 * - the pipeline figures operators graph, read from Elasticsearch at scrape time (at most once
 *   per `PIPELINE_CACHE_MS`): `mailpulse_mail_last_hour{figure}` (delivered, deferrals,
 *   deferred, bounced, expired, rejected over the last hour, the API's counting rules) and
 *   `mailpulse_queue_backlog{state}` (active, deferred, now). When Elasticsearch does not answer,
 *   `mailpulse_api_elasticsearch_up` is 0 and the last figures stay.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { EsClient } from '../core/elasticsearch.js';
import type { Logger } from '../core/logger.js';
import { COUNTED } from './metrics/counting.js';
import { DELIVERY_EVENTS, deliveryFigureAggs, readDeliveryFigures } from './metrics/delivery.js';
import { num, search } from './metrics/es.js';
import { eventsIndex } from './metrics/fields.js';
import { eventScope } from './metrics/filters.js';
import { backlogAt } from './metrics/queue.js';

export const PIPELINE_CACHE_MS = 15_000;
const HOUR_MS = 3_600_000;

function once<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function installRequestMetrics(app: FastifyInstance, registry: Registry): void {
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = once(
    registry,
    'mailpulse_api_requests_total',
    () =>
      new Counter({
        name: 'mailpulse_api_requests_total',
        help: 'HTTP requests answered by the API',
        labelNames,
        registers: [registry],
      }),
  );
  const latency = once(
    registry,
    'mailpulse_api_request_duration_seconds',
    () =>
      new Histogram({
        name: 'mailpulse_api_request_duration_seconds',
        help: 'Time to answer an HTTP request, seconds',
        labelNames,
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      }),
  );
  app.addHook('onResponse', async (req, reply) => {
    const labels = {
      method: req.method,
      route: req.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    requests.inc(labels);
    latency.observe(labels, reply.elapsedTime / 1000);
  });
}

export function installPipelineMetrics(
  registry: Registry,
  es: EsClient,
  prefix: string,
  logger: Logger,
): void {
  const up = once(
    registry,
    'mailpulse_api_elasticsearch_up',
    () =>
      new Gauge({
        name: 'mailpulse_api_elasticsearch_up',
        help: '1 when the last pipeline figures came from Elasticsearch',
        registers: [registry],
      }),
  );
  const mail = once(
    registry,
    'mailpulse_mail_last_hour',
    () =>
      new Gauge({
        name: 'mailpulse_mail_last_hour',
        help: 'Mail figures over the last hour (recipients delivered/bounced, deferral lines, deferred messages, expired messages, rejections)',
        labelNames: ['figure'] as const,
        registers: [registry],
      }),
  );
  const backlog = once(
    registry,
    'mailpulse_queue_backlog',
    () =>
      new Gauge({
        name: 'mailpulse_queue_backlog',
        help: 'Messages in the queue now (entered the queue manager, not removed)',
        labelNames: ['state'] as const,
        registers: [registry],
      }),
  );

  let fetchedAt = 0;
  let inflight: Promise<void> | undefined;

  async function fetch(): Promise<void> {
    const now = Date.now();
    const range = { from: now - HOUR_MS, to: now };
    try {
      const [res, queue] = await Promise.all([
        search(
          es,
          {
            index: eventsIndex(prefix),
            size: 0,
            track_total_hits: false,
            query: {
              bool: {
                filter: [eventScope(range, {})],
                should: [DELIVERY_EVENTS, COUNTED.rejected],
                minimum_should_match: 1,
              },
            },
            aggs: { ...deliveryFigureAggs(), rejected: { filter: COUNTED.rejected } },
          },
          { timeoutMs: 5000 },
        ),
        backlogAt(es, prefix, now),
      ]);
      const f = readDeliveryFigures(res.aggregations);
      for (const figure of ['delivered', 'deferrals', 'deferred', 'bounced', 'expired'] as const)
        mail.set({ figure }, f[figure]);
      mail.set({ figure: 'rejected' }, num(res.aggregations, 'rejected', 'doc_count'));
      backlog.set({ state: 'active' }, queue.active);
      backlog.set({ state: 'deferred' }, queue.deferred);
      up.set(1);
      fetchedAt = Date.now();
    } catch (err) {
      up.set(0);
      logger.warn({ err: (err as Error).message }, 'Pipeline figures for /metrics could not be read.');
    }
  }

  async function refresh(): Promise<void> {
    if (Date.now() - fetchedAt < PIPELINE_CACHE_MS) return;
    inflight ??= fetch().finally(() => {
      inflight = undefined;
    });
    await inflight;
  }

  for (const gauge of [up, mail, backlog]) {
    (gauge as unknown as { collect?: () => Promise<void> }).collect = refresh;
  }
}
