/**
 * The filters every endpoint takes (host, recipient domain, sender, recipient), turned into
 * Elasticsearch query clauses. On events the domain is the indexed `email.to.domain`; message
 * documents keep only addresses, so there it is a suffix match on any recipient. User text only ever becomes a value inside a term or wildcard
 * query object, never part of a query string, so no syntax of Lucene or Painless reaches it.
 */
import type { estypes } from '@elastic/elasticsearch';
import { z } from 'zod';
import { F, M, RECIPIENT_DOMAIN } from './fields.js';
import { isoString, type TimeRange } from './range.js';

type Query = estypes.QueryDslQueryContainer;

const filterValue = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `${what} must not be empty`)
    .max(320, `${what} is longer than an address can be`)
    .refine((s) => !/[\u0000-\u001f]/.test(s), `${what} must not contain control characters`);

export const FiltersSchema = z.object({
  /** `host.name` of the mail server that logged the line. */
  host: filterValue('host').optional(),
  /** Recipient domain (the part after `@`), case-insensitive; subdomains are not included. */
  domain: filterValue('domain')
    .transform((s) => s.replace(/^@/, '').toLowerCase())
    .refine((s) => !s.includes('@'), 'domain must be a domain, not an address')
    .optional(),
  /** Envelope sender address, case-insensitive. */
  sender: filterValue('sender').optional(),
  /** Envelope recipient address, case-insensitive. */
  recipient: filterValue('recipient').optional(),
});
export type Filters = z.infer<typeof FiltersSchema>;

/** `*` `?` and `\` are wildcard syntax; escaped, the domain is matched literally. */
export function escapeWildcard(text: string): string {
  return text.replace(/[\\*?]/g, (c) => `\\${c}`);
}

function term(field: string, value: string, caseInsensitive = false): Query {
  return { term: { [field]: caseInsensitive ? { value, case_insensitive: true } : { value } } };
}

function domainQuery(field: string, domain: string): Query {
  return { wildcard: { [field]: { value: `*@${escapeWildcard(domain)}`, case_insensitive: true } } };
}

export function timeRangeQuery(field: string, range: TimeRange): Query {
  return {
    range: {
      [field]: { gte: isoString(range.from), lt: isoString(range.to), format: 'strict_date_optional_time' },
    },
  };
}

/** Clauses for event documents: every filter must hold. */
export function eventFilterClauses(filters: Filters): Query[] {
  const out: Query[] = [];
  if (filters.host !== undefined) out.push(term(F.host, filters.host));
  if (filters.domain !== undefined) out.push(term(RECIPIENT_DOMAIN, filters.domain));
  if (filters.sender !== undefined) out.push(term(F.from, filters.sender, true));
  if (filters.recipient !== undefined) out.push(term(F.to, filters.recipient, true));
  return out;
}

/** Clauses for message documents (a recipient filter matches any of the message's recipients). */
export function messageFilterClauses(filters: Filters): Query[] {
  const out: Query[] = [];
  if (filters.host !== undefined) out.push(term(M.host, filters.host));
  if (filters.domain !== undefined) out.push(domainQuery(M.to, filters.domain));
  if (filters.sender !== undefined) out.push(term(M.from, filters.sender, true));
  if (filters.recipient !== undefined) out.push(term(M.to, filters.recipient, true));
  return out;
}

/** The query for events in `range` that pass `filters`. */
export function eventScope(range: TimeRange, filters: Filters): Query {
  return { bool: { filter: [timeRangeQuery(F.timestamp, range), ...eventFilterClauses(filters)] } };
}
