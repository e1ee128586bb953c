/**
 * What every route plugin receives: the Elasticsearch client and index prefix. A route file
 * exports one `ApiRoutes` plugin; `app.ts` lists them, so adding a resource is one line there.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import type { EsClient } from '../../core/elasticsearch.js';
import type { Logger } from '../../core/logger.js';
import { ErrorBodySchema } from '../schemas/common.js';

export interface ApiContext {
  es: EsClient;
  /**
   * Index prefix (`ES_INDEX_PREFIX`): aliases `<prefix>-events`, `<prefix>-messages`. Not
   * named `prefix`: these are plugin options, where `prefix` is fastify's URL prefix.
   */
  indexPrefix: string;
  /** The process's Prometheus registry, for routes that export their own figures. */
  registry: Registry;
  logger: Logger;
}

export type ApiRoutes = FastifyPluginAsyncZod<ApiContext>;

/** Error answers every /api route can give, for the OpenAPI document. */
export const ERROR_RESPONSES = {
  400: ErrorBodySchema.describe('Invalid parameters; `issues` lists each'),
  401: ErrorBodySchema.describe('API_TOKEN is set and the bearer token is missing or wrong'),
  502: ErrorBodySchema.describe('Elasticsearch refused the query'),
  503: ErrorBodySchema.describe('Elasticsearch is unreachable or overloaded; retry later'),
} as const;
