import { queueOverTime } from '../metrics/queue.js';
import { BucketQuerySchema } from '../schemas/common.js';
import { QueueResponseSchema } from '../schemas/queue.js';
import { type ApiRoutes, ERROR_RESPONSES } from './context.js';

export const queueRoutes: ApiRoutes = async (app, ctx) => {
  app.get(
    '/queue',
    {
      schema: {
        tags: ['metrics'],
        summary: 'Queue backlog (active and deferred messages) at the end of each bucket',
        querystring: BucketQuerySchema,
        response: { 200: QueueResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (req) =>
      queueOverTime(ctx.es, ctx.indexPrefix, req.query.range, req.query.filters, req.query.interval),
  );
};
