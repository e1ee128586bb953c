/**
 * The two data views, over the aliases the indexer maintains (`<prefix>-events`,
 * `<prefix>-messages`). Their ids are fixed per prefix so re-importing overwrites instead of
 * duplicating, and panels can reference them by id.
 */
import { EVENT_FIELDS, MESSAGE_FIELDS, RECIPIENT_DOMAIN } from './fields.js';
import type { DataViewHandle } from './lens.js';
import { type SavedObject, savedObject } from './saved-object.js';

export interface DataViews {
  events: DataViewHandle<keyof typeof EVENT_FIELDS>;
  messages: DataViewHandle<keyof typeof MESSAGE_FIELDS>;
  objects: SavedObject[];
}

const SECONDS = {
  id: 'duration',
  params: { inputFormat: 'seconds', outputFormat: 'humanizePrecise', outputPrecision: 1 },
};

export function dataViews(prefix: string): DataViews {
  const eventsId = `${prefix}-events`;
  const messagesId = `${prefix}-messages`;
  const events = savedObject(
    'index-pattern',
    eventsId,
    {
      title: `${prefix}-events`,
      name: `mailpulse events (${prefix})`,
      timeFieldName: '@timestamp',
      allowHidden: false,
      sourceFilters: '[]',
      fields: '[]',
      fieldFormatMap: JSON.stringify({ 'postfix.delay': SECONDS }),
      fieldAttrs: JSON.stringify({ [RECIPIENT_DOMAIN]: { customLabel: 'Recipient domain' } }),
      runtimeFieldMap: '{}',
      typeMeta: '{}',
    },
    [],
  );
  const messages = savedObject(
    'index-pattern',
    messagesId,
    {
      title: `${prefix}-messages`,
      name: `mailpulse messages (${prefix})`,
      timeFieldName: '@timestamp',
      allowHidden: false,
      sourceFilters: '[]',
      fields: '[]',
      fieldFormatMap: '{}',
      fieldAttrs: JSON.stringify({ '@timestamp': { customLabel: 'First seen' } }),
      runtimeFieldMap: '{}',
      typeMeta: '{}',
    },
    [],
  );
  return {
    events: { id: eventsId, fields: EVENT_FIELDS },
    messages: { id: messagesId, fields: MESSAGE_FIELDS },
    objects: [events, messages],
  };
}
