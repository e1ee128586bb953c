import { summary } from '../metrics/summary.js';
import { HourlyRangeQuerySchema } from '../schemas/common.js';
import { SummaryResponseSchema } from '../schemas/summary.js';
import { type ApiRoutes, ERROR_RESPONSES } from './context.js';

export const summaryRoutes: ApiRoutes = async (app, ctx) => {
  app.get(
    '/summary',
    {
      schema: {
        tags: ['metrics'],
        summary: 'The `mailpulse report --json` figures for a time range',
        querystring: HourlyRangeQuerySchema,
        response: { 200: SummaryResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (req) => summary(ctx.es, ctx.indexPrefix, req.query.range, req.query.filters),
  );
};
