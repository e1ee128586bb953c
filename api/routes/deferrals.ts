import { deferrals } from '../metrics/deferrals.js';
import { bucketTopQuery } from '../schemas/common.js';
import { DeferralsResponseSchema } from '../schemas/reasons.js';
import { type ApiRoutes, ERROR_RESPONSES } from './context.js';

export const deferralsRoutes: ApiRoutes = async (app, ctx) => {
  app.get(
    '/deferrals',
    {
      schema: {
        tags: ['metrics'],
        summary: 'Deferrals: attempts and messages, top categories, reasons, relays and domains, per bucket',
        querystring: bucketTopQuery(20, 200),
        response: { 200: DeferralsResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (req) =>
      deferrals(
        ctx.es,
        ctx.indexPrefix,
        req.query.range,
        req.query.filters,
        req.query.interval,
        req.query.limit,
      ),
  );
};
