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
 *   nested quantifiers, so a 100 KB line costs microseconds, not seconds.
 */
export { createParseContext, type ParseContext, type ParseOptions } from './context.js';
export { parseLine } from './parse-line.js';
export type { MailEvent } from '../core/event.js';
export { type Correlator, type CorrelatorOptions, createCorrelator } from './correlator.js';
export { classifyReason, normalizeReason, type Reason } from './reasons.js';
