import { coalescer } from '../coalesce.js';
import { deliveryOverTime } from '../metrics/delivery.js';
import { BucketQuerySchema } from '../schemas/common.js';
import { type DeliveryResponse, DeliveryResponseSchema } from '../schemas/delivery.js';
import { type ApiRoutes, ERROR_RESPONSES } from './context.js';

export const deliveryRoutes: ApiRoutes = async (app, ctx) => {
  const shared = coalescer<DeliveryResponse>();
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
      shared(JSON.stringify(req.query), () =>
        deliveryOverTime(ctx.es, ctx.indexPrefix, req.query.range, req.query.filters, req.query.interval),
      ),
  );
};
