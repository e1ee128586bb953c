/**
 * The query API (`mailpulse api`): fastify 5 with zod schemas (fastify-type-provider-zod), the
 * endpoints of contract §4 under /api/v1, OpenAPI at /docs, probes and Prometheus.
 *
 * Guarantees:
 * - Every figure is an Elasticsearch aggregation built by `metrics/` (shared with the alert
 *   engine), following the counting rules of contract §3; `/summary` over a range answers what
 *   `mailpulse report --json` answers over the same lines.
 * - Parameters are validated by zod before any query: a bad one is a 400 listing each problem;
 *   user values reach Elasticsearch only as values in built queries. A request never gets a
 *   500 for its parameters; Elasticsearch unreachable or overloaded is a 503 with
 *   `Retry-After`.
 * - With `API_TOKEN` set every /api route requires `Authorization: Bearer`, compared in
 *   constant time. No CORS headers are sent: browsers may call the API from its own origin only.
 * - The API holds no state: any number of instances can serve the same indices.
 */
export { API_PREFIX, API_ROUTES, type ApiDeps, buildApp } from './app.js';
export type { ApiContext, ApiRoutes } from './routes/context.js';
export { ERROR_RESPONSES } from './routes/context.js';
export { type RunningApi, type StartOptions, startApi } from './server.js';
