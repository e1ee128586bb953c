/**
 * The fastify application, built from its dependencies and nothing else (no globals, no
 * listening), so tests drive it with `app.inject` against a real Elasticsearch.
 *
 * Layout:
 *   /api/v1/*   the query API (token-checked when a token is set), one plugin per resource
 *   /docs       OpenAPI UI; /docs/json the document generated from the zod schemas
 *   /healthz /readyz /metrics   probes and Prometheus
 *   /           the built-in dashboard page
 *
 * Adding a resource: write `routes/<resource>.ts` exporting an `ApiRoutes` plugin and add it to
 * `API_ROUTES`. Adding a page or other root-level plugin: one line in `buildApp`.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { Registry } from 'prom-client';
import type { EsClient } from '../core/elasticsearch.js';
import type { Logger } from '../core/logger.js';
import { dashboardPage } from '../dashboards/page/plugin.js';
import { requireToken } from './auth.js';
import { installErrorHandlers } from './error-handler.js';
import { alertsRoutes } from './routes/alerts.js';
import type { ApiContext, ApiRoutes } from './routes/context.js';
import { deferralsRoutes } from './routes/deferrals.js';
import { deliveryRoutes } from './routes/delivery.js';
import { domainsRoutes } from './routes/domains.js';
import { healthRoutes, type ReadinessCheck } from './routes/health.js';
import { messagesRoutes } from './routes/messages.js';
import { queueRoutes } from './routes/queue.js';
import { rejectionsRoutes } from './routes/rejections.js';
import { securityRoutes } from './routes/security.js';
import { summaryRoutes } from './routes/summary.js';
import { trafficRoutes } from './routes/traffic.js';
import { installPipelineMetrics, installRequestMetrics } from './telemetry.js';

export const API_PREFIX = '/api/v1';

/** Every /api/v1 resource; each is registered under the prefix, behind the token check. */
export const API_ROUTES: readonly ApiRoutes[] = [
  summaryRoutes,
  deliveryRoutes,
  rejectionsRoutes,
  deferralsRoutes,
  queueRoutes,
  domainsRoutes,
  trafficRoutes,
  securityRoutes,
  messagesRoutes,
  alertsRoutes,
];

export interface ApiDeps {
  es: EsClient;
  /** Index prefix (`ES_INDEX_PREFIX`). */
  prefix: string;
  /** When set, every /api route needs `Authorization: Bearer <token>`. */
  token?: string;
  logger: Logger;
  /** Shared with the other roles of the process; a fresh one when absent. */
  registry?: Registry;
  /** Readiness checks by name (`elasticsearch`, `kafka`); each resolves when reachable. */
  readiness?: Record<string, ReadinessCheck>;
  readinessTimeoutMs?: number;
  /** Serve the built-in dashboard page at `/`. Default true. */
  page?: boolean;
  /** Export the pipeline figures (read from Elasticsearch at scrape time) on /metrics. Default true. */
  pipelineMetrics?: boolean;
}

function quietLevel(level: string): string {
  return level === 'debug' || level === 'trace' || level === 'silent' ? level : 'warn';
}

export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const registry = deps.registry ?? new Registry();
  const app = Fastify({
    // fastify logs every request at info; only debug and trace levels want that.
    loggerInstance: deps.logger.child(
      { role: 'api' },
      { level: quietLevel(deps.logger.level) },
    ) as FastifyBaseLogger,
    // Path parameters longer than this are no message id; fastify answers 414.
    routerOptions: { maxParamLength: 1000 },
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandlers(app);
  installRequestMetrics(app, registry);
  if (deps.pipelineMetrics !== false) installPipelineMetrics(registry, deps.es, deps.prefix, deps.logger);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'mailpulse API',
        version: '1',
        description: 'Postfix mail-log figures, message search and traces. Times are UTC; `to` is exclusive.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      ...(deps.token !== undefined ? { security: [{ bearer: [] }] } : {}),
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(healthRoutes, {
    registry,
    checks: deps.readiness ?? {},
    timeoutMs: deps.readinessTimeoutMs ?? 3000,
  });
  if (deps.page !== false) await app.register(dashboardPage);

  const ctx: ApiContext = { es: deps.es, indexPrefix: deps.prefix, registry, logger: deps.logger };
  await app.register(
    async (api) => {
      api.addHook('onRequest', requireToken(deps.token));
      for (const routes of API_ROUTES) await api.register(routes, ctx);
    },
    { prefix: API_PREFIX },
  );
  return app;
}
