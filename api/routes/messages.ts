import { messageTrace, searchMessages } from '../metrics/messages.js';
import { ErrorBodySchema } from '../schemas/common.js';
import {
  MessageIdParamsSchema,
  MessageSearchQuerySchema,
  MessageSearchResponseSchema,
  MessageTraceResponseSchema,
} from '../schemas/messages.js';
import { type ApiRoutes, ERROR_RESPONSES } from './context.js';

export const messagesRoutes: ApiRoutes = async (app, ctx) => {
  app.get(
    '/messages',
    {
      schema: {
        tags: ['messages'],
        summary:
          'Search messages by queue ID, Message-ID, sender, recipient, state and time; newest first, paged',
        querystring: MessageSearchQuerySchema,
        response: { 200: MessageSearchResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (req) => {
      const { range, after, limit, queue_id, message_id, status, host, domain, sender, recipient } =
        req.query;
      return searchMessages(
        ctx.es,
        ctx.indexPrefix,
        { range, after, limit, queue_id, message_id, status },
        { host, domain, sender, recipient },
      );
    },
  );

  app.get(
    '/messages/:id',
    {
      schema: {
        tags: ['messages'],
        summary: "One message's whole lifecycle: every hop of its trace with all their lines",
        params: MessageIdParamsSchema,
        response: {
          200: MessageTraceResponseSchema,
          404: ErrorBodySchema.describe('No such message'),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (req) => messageTrace(ctx.es, ctx.indexPrefix, req.params.id),
  );
};
