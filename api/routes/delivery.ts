import { deliveryOverTime } from '../metrics/delivery.js';
import { BucketQuerySchema } from '../schemas/common.js';
import { DeliveryResponseSchema } from '../schemas/delivery.js';
import { type ApiRoutes, ERROR_RESPONSES } from './context.js';

export const deliveryRoutes: ApiRoutes = async (app, ctx) => {
  app.get(
    '/delivery',
    {
      schema: {
        tags: ['metrics'],
        summary: 'Delivered, deferred, bounced, expired and the delivery rate, in total and per bucket',
        querystring: BucketQuerySchema,
        response: { 200: DeliveryResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (req) =>
      deliveryOverTime(ctx.es, ctx.indexPrefix, req.query.range, req.query.filters, req.query.interval),
  );
};
