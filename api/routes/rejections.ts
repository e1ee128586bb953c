import { coalescer } from '../coalesce.js';
import { rejections } from '../metrics/rejections.js';
import { bucketTopQuery } from '../schemas/common.js';
import { type RejectionsResponse, RejectionsResponseSchema } from '../schemas/reasons.js';
import { type ApiRoutes, ERROR_RESPONSES } from './context.js';

export const rejectionsRoutes: ApiRoutes = async (app, ctx) => {
  const shared = coalescer<RejectionsResponse>();
  app.get(
    '/rejections',
    {
      schema: {
        tags: ['metrics'],
        summary: 'Rejections: top categories and reasons, blocklists, stages, clients, and per bucket',
        querystring: bucketTopQuery(20, 200),
        response: { 200: RejectionsResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (req) =>
      shared(JSON.stringify(req.query), () =>
        rejections(
          ctx.es,
          ctx.indexPrefix,
          req.query.range,
          req.query.filters,
          req.query.interval,
          req.query.limit,
        ),
      ),
  );
};
