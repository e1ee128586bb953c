/**
 * Probes, outside /api and without the token (orchestrators call them): `/healthz` says the
 * process answers; `/readyz` says Elasticsearch and Kafka answer within the probe timeout.
 * `/metrics` is the Prometheus text of the shared registry.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { z } from 'zod';

/** A dependency check: resolves when the dependency answers, throws with the reason otherwise. */
export type ReadinessCheck = () => Promise<unknown>;

export interface HealthOptions {
  registry: Registry;
  checks: Record<string, ReadinessCheck>;
  /** Longest a readiness check may take before it counts as failed. */
  timeoutMs: number;
}

const CheckResultSchema = z.object({ ok: z.boolean(), error: z.string().optional(), ms: z.number() });
const ReadyResponseSchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), CheckResultSchema),
});

async function runCheck(
  check: ReadinessCheck,
  timeoutMs: number,
): Promise<z.infer<typeof CheckResultSchema>> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (err) {
    return {
      ok: false,
      error: err instanceof Error ? err.message : String(err),
      ms: Math.round(performance.now() - started),
    };
  } finally {
    clearTimeout(timer);
  }
}

export const healthRoutes: FastifyPluginAsyncZod<HealthOptions> = async (app, opts) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process answers',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: Elasticsearch and Kafka reachable',
        response: { 200: ReadyResponseSchema, 503: ReadyResponseSchema },
      },
    },
    async (_req, reply) => {
      const names = Object.keys(opts.checks);
      const results = await Promise.all(
        names.map((n) => runCheck(opts.checks[n] as ReadinessCheck, opts.timeoutMs)),
      );
      const checks = Object.fromEntries(
        names.map((n, i) => [n, results[i] as z.infer<typeof CheckResultSchema>]),
      );
      const ready = results.every((r) => r.ok);
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
    },
  );

  app.get(
    '/metrics',
    { schema: { tags: ['operations'], summary: 'Prometheus metrics (text format)' } },
    async (_req, reply) => {
      const text = await opts.registry.metrics();
      return reply.type(opts.registry.contentType).send(text);
    },
  );
};
