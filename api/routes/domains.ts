import { domainTable } from '../metrics/domains.js';
import { rangeTopQuery } from '../schemas/common.js';
import { DomainsResponseSchema } from '../schemas/domains.js';
import { type ApiRoutes, ERROR_RESPONSES } from './context.js';

export const domainsRoutes: ApiRoutes = async (app, ctx) => {
  app.get(
    '/domains',
    {
      schema: {
        tags: ['metrics'],
        summary: 'Delivery table per recipient domain, busiest first',
        querystring: rangeTopQuery(50, 1000),
        response: { 200: DomainsResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (req) => domainTable(ctx.es, ctx.indexPrefix, req.query.range, req.query.filters, req.query.limit),
  );
};
