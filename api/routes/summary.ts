import { coalescer } from '../coalesce.js';
import { summary } from '../metrics/summary.js';
import { HourlyRangeQuerySchema } from '../schemas/common.js';
import { type SummaryResponse, SummaryResponseSchema } from '../schemas/summary.js';
import { type ApiRoutes, ERROR_RESPONSES } from './context.js';

export const summaryRoutes: ApiRoutes = async (app, ctx) => {
  const shared = coalescer<SummaryResponse>();
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
    async (req) =>
      shared(JSON.stringify(req.query), () =>
        summary(ctx.es, ctx.indexPrefix, req.query.range, req.query.filters),
      ),
  );
};
