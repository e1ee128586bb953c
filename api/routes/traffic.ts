import { traffic } from '../metrics/traffic.js';
import { BucketQuerySchema } from '../schemas/common.js';
import { TrafficResponseSchema } from '../schemas/traffic.js';
import { type ApiRoutes, ERROR_RESPONSES } from './context.js';

export const trafficRoutes: ApiRoutes = async (app, ctx) => {
  app.get(
    '/traffic',
    {
      schema: {
        tags: ['metrics'],
        summary:
          'SMTP connections (smtpd, postscreen), messages and bytes received and delivered, per bucket',
        querystring: BucketQuerySchema,
        response: { 200: TrafficResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (req) => traffic(ctx.es, ctx.indexPrefix, req.query.range, req.query.filters, req.query.interval),
  );
};
