/**
 * Parser: one log line → one normalized event (`core/event.ts`), pure code with no I/O.
 *
 * Guarantees:
 * - `parseLine` never throws and returns exactly one event per line; `event.original` is the
 *   line exactly as given. Lines from other programs are `other`, Postfix lines the parser
 *   does not understand are `unparsed` with `event.reason`: nothing is dropped.
 * - The only state is the ParseContext (year inference for year-less timestamps, the DST
 *   repeat, the last header for lines without one). Use one context per input stream, in
 *   order; out-of-order lines within a stream are tolerated (the year only steps on a month
 *   wrap of more than six months).
 * - `@timestamp` is UTC (`...Z`, millisecond precision). Zone-less timestamps are read in the
 *   context's zone (`timeZone`, default the host's; the CLI and indexer pass `TZ_DEFAULT`).
 * - Work per line is linear in its length: hand-written scanners and anchored regexes without
 *   nested quantifiers (reason matching reads at most 600 characters), so a 100 KB line costs
 *   well under a millisecond.
 * - Postfix lines carry `postfix.instance`/`postfix.service`; other programs' lines do not.
 *   Informational daemon lines (lifecycle, TLS chatter, postsuper summaries) are `daemon`;
 *   daemon-specific figures go to `postfix.detail` (the postscreen `verdict`, anvil figures,
 *   the access `decision` word, ...).
 *
 * Layout: `syslog.ts` (header) → `program.ts` (tag) → `postfix/dispatch.ts` → one module per
 * daemon family under `postfix/`; `reasons.ts` classifies reject/deferral/bounce texts;
 * `timestamp.ts` and `zone.ts` do year inference and wall clock → UTC. The correlator
 * (`correlator.ts`) turns these events into message documents.
 */

export type { MailEvent } from '../core/event.js';
export { createParseContext, type ParseContext, type ParseOptions } from './context.js';
export { type Correlator, type CorrelatorOptions, createCorrelator } from './correlator.js';
export { parsedMs, parseLine } from './parse-line.js';
export { classifyReason, normalizeReason, type Reason } from './reasons.js';
