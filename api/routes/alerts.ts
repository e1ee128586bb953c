/**
 * `/alerts`, `/silences`, `/alerts/dead-letters`: what the alert engine recorded in
 * `<prefix>-alerts`, and silences people add or end. Register under `/api/v1`:
 * `app.register(alertsRoutes, { prefix: '/api/v1', client, indexPrefix })`. The engine reads
 * API silences from the index at each evaluation, so a silence takes effect at the next step.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { SilenceSchema, esStateStore } from '../../alerts/index.js';
import type { EsClient } from '../../core/elasticsearch.js';
import { MailpulseError } from '../../core/errors.js';
import { toMailpulseError } from '../metrics/es.js';
import { parseTimeExpression } from '../metrics/range.js';
import {
  AlertsQuerySchema,
  AlertsResponseSchema,
  DeadLettersQuerySchema,
  DeadLettersResponseSchema,
  SilenceCreateSchema,
  SilenceIdParamsSchema,
  SilencesQuerySchema,
  SilencesResponseSchema,
} from '../schemas/alerts.js';

export interface AlertsRoutesOptions {
  client: EsClient;
  /** ES_INDEX_PREFIX (`prefix` is fastify's route prefix). */
  indexPrefix: string;
}

/** Index errors as catalogued errors (503 unreachable, 502 refused), never a bare 500. */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toMailpulseError(err);
  }
}

export const alertsRoutes: FastifyPluginAsyncZod<AlertsRoutesOptions> = async (app, options) => {
  const store = esStateStore(options.client, options.indexPrefix);

  app.get(
    '/alerts',
    {
      schema: {
        summary: 'Active alerts (pending, firing), recently resolved ones, and the history',
        tags: ['alerts'],
        querystring: AlertsQuerySchema,
        response: { 200: AlertsResponseSchema },
      },
    },
    async (req) => {
      const since = parseTimeExpression(req.query.since, Date.now()) as number;
      const [alerts, history] = await guarded(() =>
        Promise.all([store.listAlerts(), store.listHistory({ from: since, rule: req.query.rule, limit: req.query.limit })]),
      );
      const mine = alerts.filter((a) => req.query.rule === undefined || a.rule === req.query.rule);
      return {
        active: mine.filter((a) => a.status === 'firing' || a.status === 'pending'),
        resolved: mine.filter((a) => a.status === 'resolved' && Date.parse(a.since) >= since),
        history,
      };
    },
  );

  app.get(
    '/alerts/dead-letters',
    {
      schema: {
        summary: 'Notifications given up on after the retries, newest first',
        tags: ['alerts'],
        querystring: DeadLettersQuerySchema,
        response: { 200: DeadLettersResponseSchema },
      },
    },
    async (req) => ({ dead_letters: await guarded(() => store.listDeadLetters(req.query.limit)) }),
  );

  app.get(
    '/silences',
    {
      schema: {
        summary: 'Active silences (and, with expired_since, recently ended ones)',
        tags: ['alerts'],
        querystring: SilencesQuerySchema,
        response: { 200: SilencesResponseSchema },
      },
    },
    async (req) => {
      const now = Date.now();
      const since = parseTimeExpression(req.query.expired_since, now) as number;
      return { silences: await guarded(() => store.listSilences({ includeExpiredSince: Math.min(since, now) })) };
    },
  );

  app.post(
    '/silences',
    {
      schema: {
        summary: 'Silence alerts whose labels match, until ends_at',
        tags: ['alerts'],
        body: SilenceCreateSchema,
        response: { 201: SilenceSchema },
      },
    },
    async (req, reply) => {
      const silence = await guarded(() => store.createSilence(req.body, Date.now()));
      req.log.info({ silence: silence.id, matchers: silence.matchers, ends_at: silence.ends_at }, 'Silence created.');
      return reply.code(201).send(silence);
    },
  );

  app.delete(
    '/silences/:id',
    {
      schema: {
        summary: 'End a silence now',
        tags: ['alerts'],
        params: SilenceIdParamsSchema,
      },
    },
    async (req, reply) => {
      const ended = await guarded(() => store.expireSilence(req.params.id, Date.now()));
      if (!ended) throw new MailpulseError('MP_ERR_API_NOT_FOUND', [`silence ${req.params.id}`]);
      return reply.code(204).send();
    },
  );
};
