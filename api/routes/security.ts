import { security } from '../metrics/security.js';
import { rangeTopQuery } from '../schemas/common.js';
import { SecurityResponseSchema } from '../schemas/security.js';
import { type ApiRoutes, ERROR_RESPONSES } from './context.js';

export const securityRoutes: ApiRoutes = async (app, ctx) => {
  app.get(
    '/security',
    {
      schema: {
        tags: ['metrics'],
        summary: 'SASL failures by client and user, TLS share, postscreen verdicts, rate-limit hits',
        querystring: rangeTopQuery(20, 200),
        response: { 200: SecurityResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (req) => security(ctx.es, ctx.indexPrefix, req.query.range, req.query.filters, req.query.limit),
  );
};
