import { z } from 'zod';
import { EventSchema } from '../../core/event.js';
import { MessageDocSchema, MessageStateSchema } from '../../core/message.js';
import { FiltersSchema } from '../metrics/filters.js';
import { decodeCursor } from '../metrics/messages.js';
import { resolveRange, timeExpression } from './common.js';

export const MessageSearchQuerySchema = z
  .strictObject({
    from: timeExpression('now-7d').describe('First seen at or after this time'),
    to: timeExpression('now').describe('First seen before this time'),
    queue_id: z.string().trim().min(1).max(64).optional().describe('Postfix queue ID, e.g. 7E1AEC2C388'),
    message_id: z
      .string()
      .trim()
      .min(1)
      .max(998)
      .optional()
      .describe('Message-ID header, with or without <>'),
    status: MessageStateSchema.optional().describe('Message state'),
    host: FiltersSchema.shape.host,
    domain: FiltersSchema.shape.domain,
    sender: FiltersSchema.shape.sender,
    recipient: FiltersSchema.shape.recipient,
    limit: z.coerce.number().int().min(1).max(500).default(50).describe('Messages per page'),
    cursor: z
      .string()
      .max(2000)
      .refine((c) => decodeCursor(c) !== undefined, 'cursor is not one this API gave out')
      .optional()
      .describe('`next` of the previous page'),
  })
  .transform((q, ctx) => {
    const range = resolveRange(q, ctx);
    if (!range) return z.NEVER;
    const { from: _f, to: _t, cursor, ...rest } = q;
    return { ...rest, range, after: cursor === undefined ? undefined : decodeCursor(cursor) };
  });
export type MessageSearchQuery = z.output<typeof MessageSearchQuerySchema>;

/** Stored message documents may carry fields this version does not know; they are kept. */
export const StoredMessageDocSchema = MessageDocSchema.loose();
export const StoredEventSchema = EventSchema.loose();

export const MessageSearchResponseSchema = z.object({
  total: z.number().int().describe('Matching messages (exact up to 10,000)'),
  total_relation: z.enum(['eq', 'gte']),
  messages: z.array(StoredMessageDocSchema),
  next: z.string().nullable().describe('Cursor of the next page; null on the last page'),
});
export type MessageSearchResponse = z.infer<typeof MessageSearchResponseSchema>;

export const MessageIdParamsSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(1000)
    .describe('Message key (host/instance/queue ID/first-seen ms), queue ID or Message-ID'),
});

export const MessageTraceResponseSchema = z.object({
  message: StoredMessageDocSchema.describe(
    'The message asked for (the newest one when a queue ID was reused)',
  ),
  others: z.array(z.string()).describe('Keys of older messages that matched the same queue ID or Message-ID'),
  hops: z
    .array(z.object({ message: StoredMessageDocSchema, events: z.array(StoredEventSchema) }))
    .describe(
      'Every message of the trace (content-filter re-injections, forwards, notifications), oldest first, with its lines',
    ),
  truncated: z.boolean().describe('True when a hop had more lines than one answer holds'),
});
export type MessageTraceResponse = z.infer<typeof MessageTraceResponseSchema>;
