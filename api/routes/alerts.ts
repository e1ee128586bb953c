/**
 * `/alerts`, `/alerts/dead-letters`, `/silences`: what the alert engine recorded in
 * `<prefix>-alerts`, and silences people add or end. The engine reads API silences from the
 * index at each evaluation step, so a silence takes effect at the rule's next step.
 */
import { z } from 'zod';
import { esStateStore, SilenceSchema } from '../../alerts/index.js';
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
import { ErrorBodySchema } from '../schemas/common.js';
import { type ApiRoutes, ERROR_RESPONSES } from './context.js';

/** Index errors as catalogued errors (503 unreachable, 502 refused), never a bare 500. */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toMailpulseError(err);
  }
}

export const alertsRoutes: ApiRoutes = async (app, ctx) => {
  const store = esStateStore(ctx.es, ctx.indexPrefix);

  app.get(
    '/alerts',
    {
      schema: {
        summary: 'Active alerts (pending, firing), recently resolved ones, and the history',
        tags: ['alerts'],
        querystring: AlertsQuerySchema,
        response: { 200: AlertsResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (req) => {
      const since = parseTimeExpression(req.query.since, Date.now()) as number;
      const [alerts, history] = await guarded(() =>
        Promise.all([
          store.listAlerts(),
          store.listHistory({ from: since, rule: req.query.rule, limit: req.query.limit }),
        ]),
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
        response: { 200: DeadLettersResponseSchema, ...ERROR_RESPONSES },
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
        response: { 200: SilencesResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (req) => {
      const now = Date.now();
      const since = parseTimeExpression(req.query.expired_since, now) as number;
      return {
        silences: await guarded(() => store.listSilences({ includeExpiredSince: Math.min(since, now) })),
      };
    },
  );

  app.post(
    '/silences',
    {
      schema: {
        summary: 'Silence alerts whose labels match, until ends_at',
        tags: ['alerts'],
        body: SilenceCreateSchema,
        response: { 201: SilenceSchema, ...ERROR_RESPONSES },
      },
    },
    async (req, reply) => {
      const silence = await guarded(() => store.createSilence(req.body, Date.now()));
      req.log.info(
        { silence: silence.id, matchers: silence.matchers, ends_at: silence.ends_at },
        'Silence created.',
      );
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
        response: {
          204: z.null().describe('Ended'),
          404: ErrorBodySchema.describe('No silence with this id'),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (req, reply) => {
      const ended = await guarded(() => store.expireSilence(req.params.id, Date.now()));
      if (!ended) throw new MailpulseError('MP_ERR_API_NOT_FOUND', [`silence ${req.params.id}`]);
      return reply.code(204).send(null);
    },
  );
};
