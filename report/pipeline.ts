/**
 * Lines in, report out, with no I/O: parse each line, feed the correlator, and hand every
 * message document the correlator releases to the accumulator. The streaming driver
 * (`run.ts`) and the tests both use this.
 *
 * Memory: the correlator releases closed messages `lateGraceMs` after their last line and
 * silent ones after `idleTimeoutMs` (log time), checked every `expireEvery` lines; the
 * accumulator is bounded by construction. So a 10 GB input needs what its busiest few minutes
 * need, plus messages waiting in the queue.
 */

import {
  type CorrelatorOptions,
  createCorrelator,
  createParseContext,
  type ParseOptions,
  parsedMs,
  parseLine,
} from '../parser/index.js';
import { type AccumulatorOptions, type AccumulatorState, createReportAccumulator } from './accumulate.js';
import type { Report } from './schema.js';

export interface ReportOptions extends ParseOptions {
  correlator?: CorrelatorOptions;
  accumulator?: AccumulatorOptions;
  /**
   * Lines between two expiry sweeps. Default 1,000: a sweep visits only the messages still held,
   * and a finished message leaves memory soon after its grace period (on the 1M-line benchmark
   * log, at most 278 messages held instead of 3,588, peak RSS 206 MB instead of 250).
   */
  expireEvery?: number;
}

export interface ReportPipeline {
  pushLine(line: string): void;
  /** Adds counts made elsewhere (the worker thread's lines). */
  merge(state: AccumulatorState): void;
  finish(): Report;
  /** Messages the correlator holds now (for memory checks). */
  readonly openMessages: number;
}

export function createReportPipeline(options: ReportOptions = {}): ReportPipeline {
  const ctx = createParseContext(options);
  // A file has no at-least-once replays: a repeated line is a repeated event, as pflogsumm counts it.
  const correlator = createCorrelator({ dedupe: false, ...options.correlator, snapshots: false });
  const acc = createReportAccumulator(options.accumulator);
  const expireEvery = options.expireEvery ?? 1000;
  let sinceExpire = 0;
  let lastMs = Number.NEGATIVE_INFINITY;

  function pushLine(line: string): void {
    const ev = parseLine(line, ctx);
    const ms = parsedMs(ev, ctx);
    acc.addEvent(ev, ms);
    if (ev.email?.local_id !== undefined) {
      if (ms > lastMs) lastMs = ms;
      correlator.push(ev, ms);
    }
    if (++sinceExpire >= expireEvery) {
      sinceExpire = 0;
      for (const doc of correlator.expire(lastMs)) acc.addMessage(doc);
    }
  }

  function finish(): Report {
    for (const doc of correlator.drain()) acc.addMessage(doc);
    return acc.result();
  }

  return {
    pushLine,
    merge: (state) => acc.merge(state),
    finish,
    get openMessages() {
      return correlator.size;
    },
  };
}

/** The report of an in-memory list of lines. */
export function reportOfLines(lines: Iterable<string>, options: ReportOptions = {}): Report {
  const p = createReportPipeline(options);
  for (const line of lines) p.pushLine(line);
  return p.finish();
}
