/**
 * Composable index templates, one per kind, installed (overwritten) at every start:
 *
 *   `<prefix>-events`     → `<prefix>-events-*`     alias `<prefix>-events`
 *   `<prefix>-messages`   → `<prefix>-messages-*`   alias `<prefix>-messages`
 *   `<prefix>-deadletter` → `<prefix>-deadletter-*` alias `<prefix>-deadletter`
 *
 * Mappings are generated from the zod schemas (`mapping.ts`); the API and the Kibana
 * dashboards rely on these field names and types. A template change applies to the next daily
 * index; existing indices keep the mapping they were created with.
 */
import type { EsClient } from '../core/elasticsearch.js';
import { EventSchema } from '../core/event.js';
import { DeadLetterSchema } from './dead-letter.js';
import {
  type IndexKind,
  INDEX_KINDS,
  aliasName,
  dailyIndexName,
  indexPattern,
  templateName,
  utcDay,
} from './index-names.js';
import { DATE, IP, LONG_TEXT, type Mapping, STORED_ONLY, mappingFromSchema } from './mapping.js';
import { StoredMessageSchema } from './state.js';

export const EVENT_MAPPING: Mapping = mappingFromSchema(
  EventSchema,
  {
    '@timestamp': DATE,
    'event.original': STORED_ONLY,
    'event.reason': LONG_TEXT,
    'source.ip': IP,
    'postfix.relay.ip': IP,
    'postfix.response': LONG_TEXT,
    'postfix.reason.text': LONG_TEXT,
    // Daemon-specific figures: each key becomes a keyword under `postfix.detail.*`.
    'postfix.detail': { type: 'object', dynamic: true },
  },
  {
    dynamic_templates: [
      {
        postfix_detail: {
          path_match: 'postfix.detail.*',
          mapping: { type: 'keyword', ignore_above: 1024 },
        },
      },
    ],
  },
);

export const MESSAGE_MAPPING: Mapping = mappingFromSchema(StoredMessageSchema, {
  '@timestamp': DATE,
  updated: DATE,
  queued_at: DATE,
  removed_at: DATE,
  expired_at: DATE,
  'recipients.last_attempt': DATE,
  'recipients.response': LONG_TEXT,
  'source.ip': IP,
});

export const DEAD_LETTER_MAPPING: Mapping = mappingFromSchema(DeadLetterSchema, {
  '@timestamp': DATE,
  'error.message': LONG_TEXT,
  raw: STORED_ONLY,
  raw_base64: STORED_ONLY,
  document: STORED_ONLY,
});

export const MAPPINGS: Record<IndexKind, Mapping> = {
  events: EVENT_MAPPING,
  messages: MESSAGE_MAPPING,
  deadletter: DEAD_LETTER_MAPPING,
};

/** The body of one composable index template (`PUT _index_template/<name>`). */
export function indexTemplate(prefix: string, kind: IndexKind) {
  return {
    index_patterns: [indexPattern(prefix, kind)],
    // Above the built-in templates (priority 100 and below) so ours decides for our names.
    priority: 200,
    _meta: { managed_by: 'mailpulse', kind },
    template: {
      settings: {
        number_of_shards: 1,
        // 0 on a single node (green), 1 as soon as a second node can hold it.
        auto_expand_replicas: '0-1',
        refresh_interval: '1s',
      },
      mappings: MAPPINGS[kind],
      aliases: { [aliasName(prefix, kind)]: {} },
    },
  };
}

/**
 * Installs the three templates and creates today's indices, so the aliases exist (and
 * dashboards and the API find an empty index rather than none) before the first document.
 */
export async function installTemplates(client: EsClient, prefix: string): Promise<void> {
  for (const kind of INDEX_KINDS) {
    await client.indices.putIndexTemplate({
      name: templateName(prefix, kind),
      ...indexTemplate(prefix, kind),
    } as never);
  }
  const today = utcDay(Date.now()) as string;
  for (const kind of INDEX_KINDS) {
    const index = dailyIndexName(prefix, kind, today);
    try {
      await client.indices.create({ index });
    } catch (err) {
      const type = (err as { body?: { error?: { type?: string } } }).body?.error?.type;
      if (type !== 'resource_already_exists_exception') throw err;
    }
  }
}

/** Deletes the templates of a prefix (tests and `--uninstall`-style cleanup). */
export async function deleteTemplates(client: EsClient, prefix: string): Promise<void> {
  for (const kind of INDEX_KINDS) {
    await client.indices.deleteIndexTemplate({ name: templateName(prefix, kind) }, { ignore: [404] });
  }
}
