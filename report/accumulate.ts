/**
 * Events and finished message documents in, the report figures out (contract §3). Pure and
 * bounded: counters, per-hour and per-domain tables, capped top-k counters and a delay
 * histogram; nothing grows with the number of lines.
 *
 * Which figure comes from where:
 * - from lines (`addEvent`): `lines`, `period`, `rejected` (every `reject` line: smtpd,
 *   postscreen, cleanup incl. `milter-reject`), `reject_warnings`, `held`, `discarded`,
 *   `deferrals` and the reason tables, per-hour `deferred`/`rejected`, per-domain `deferred`.
 * - from finished messages (`addMessage`, each correlator document once, when it leaves
 *   memory): `received` (messages that came in by smtpd or pickup, not re-injected by a content
 *   filter), recipient-level `delivered` / `internal_hops` / `forwarded` / `bounced`, `deferred`
 *   (messages with a deferral), `expired`, `backlog_at_end`, delays, bytes, top senders and
 *   recipients. A content-filter hop is known only once both sides are linked, which the
 *   correlator guarantees before it releases a document.
 */
import type { MailEvent, ReasonCategory } from '../core/event.js';
import type { MessageDoc } from '../core/message.js';
import { timestampMs } from '../core/message-key.js';
import { deliveryRate, domainOf, Histogram, hourOf, TopCounter } from './metrics.js';
import type { DomainRow, HourRow, ReasonRow, Report } from './schema.js';

export interface AccumulatorOptions {
  /** Rows in each reason table and top list. Default 50. */
  topN?: number;
  /** Distinct destination domains kept; the rest are summed under `(other)`. Default 50,000. */
  maxDomains?: number;
}

export interface ReportAccumulator {
  /** `ms`: the event's time if the caller has already read `@timestamp`. */
  addEvent(ev: MailEvent, ms?: number): void;
  addMessage(doc: MessageDoc): void;
  /** Everything counted so far as plain data (structured-clone safe), for `merge` elsewhere. */
  state(): AccumulatorState;
  /** Adds another accumulator's counts (e.g. a worker's): the result is as if one had seen both inputs. */
  merge(other: AccumulatorState): void;
  result(): Report;
}

type CounterState = ReturnType<TopCounter['state']>;

export interface AccumulatorState {
  messages: Report['messages'];
  lines: Report['lines'];
  bytes: Report['bytes'];
  fromMs: number;
  toMs: number;
  backlog: number;
  domainsCapped: boolean;
  hours: HourRow[];
  domains: DomainRow[];
  counters: Record<
    'rejections' | 'deferralReasons' | 'bounceReasons' | 'senders' | 'recipients',
    CounterState
  >;
  delays: Array<[number, number]>;
}

const REASON_SEPARATOR = '\u0000';

function emptyHour(hour: string): HourRow {
  return { hour, received: 0, delivered: 0, deferred: 0, bounced: 0, rejected: 0 };
}

function reasonKey(ev: MailEvent): string {
  const r = ev.postfix?.reason;
  const category: ReasonCategory = r?.category ?? 'other';
  const text = r?.text ?? ev.postfix?.response ?? '';
  return `${category}${REASON_SEPARATOR}${text}`;
}

function reasonRows(counter: TopCounter, n: number): ReasonRow[] {
  return counter.top(n).map(([key, count]) => {
    const i = key.indexOf(REASON_SEPARATOR);
    return { category: key.slice(0, i) as ReasonCategory, reason: key.slice(i + 1), count };
  });
}

export function createReportAccumulator(options: AccumulatorOptions = {}): ReportAccumulator {
  const topN = options.topN ?? 50;
  const maxDomains = options.maxDomains ?? 50_000;
  const m: Report['messages'] = {
    received: 0,
    delivered: 0,
    internal_hops: 0,
    forwarded: 0,
    deferred: 0,
    deferrals: 0,
    bounced: 0,
    expired: 0,
    rejected: 0,
    reject_warnings: 0,
    held: 0,
    discarded: 0,
  };
  const lines = { total: 0, postfix: 0, unparsed: 0 };
  const bytes = { received: 0, delivered: 0 };
  let fromMs = Number.POSITIVE_INFINITY;
  let toMs = Number.NEGATIVE_INFINITY;
  let backlog = 0;
  let domainsCapped = false;
  const hours = new Map<string, HourRow>();
  const domains = new Map<string, DomainRow>();
  const rejections = new TopCounter();
  const deferralReasons = new TopCounter();
  const bounceReasons = new TopCounter();
  const senders = new TopCounter();
  const recipients = new TopCounter();
  const delays = new Histogram();

  function hourRow(ms: number): HourRow | undefined {
    const key = hourOf(ms);
    if (key === undefined) return undefined;
    let row = hours.get(key);
    if (row === undefined) {
      row = emptyHour(key);
      hours.set(key, row);
    }
    return row;
  }

  function domainRow(name: string): DomainRow {
    let domain = name;
    if (!domains.has(domain) && domains.size >= maxDomains) {
      domainsCapped = true;
      domain = '(other)';
    }
    let row = domains.get(domain);
    if (row === undefined) {
      row = { domain, delivered: 0, deferred: 0, bounced: 0 };
      domains.set(domain, row);
    }
    return row;
  }

  function addEvent(ev: MailEvent, knownMs?: number): void {
    lines.total += 1;
    const action = ev.event.action;
    if (action === 'unparsed') lines.unparsed += 1;
    if (ev.postfix?.instance !== undefined) lines.postfix += 1;
    const ms = knownMs ?? timestampMs(ev['@timestamp']);
    if (ms < fromMs) fromMs = ms;
    if (ms > toMs) toMs = ms;
    switch (action) {
      case 'reject': {
        m.rejected += 1;
        const row = hourRow(ms);
        if (row) row.rejected += 1;
        rejections.add(reasonKey(ev));
        break;
      }
      case 'reject_warning':
        m.reject_warnings += 1;
        break;
      case 'hold':
        m.held += 1;
        break;
      case 'discard':
        m.discarded += 1;
        break;
      case 'delivery': {
        const status = ev.postfix?.status;
        if (status === 'deferred') {
          m.deferrals += 1;
          const row = hourRow(ms);
          if (row) row.deferred += 1;
          const to = ev.email?.to?.address;
          if (to !== undefined) domainRow(domainOf(to)).deferred += 1;
          deferralReasons.add(reasonKey(ev));
        } else if (status === 'bounced') {
          bounceReasons.add(reasonKey(ev));
        }
        break;
      }
      default:
        break;
    }
  }

  function addMessage(doc: MessageDoc): void {
    // A message cleanup rejected was never accepted; a content filter's re-injection is not a new arrival.
    const received = doc.origin !== undefined && doc.hops.kind !== 'internal' && doc.state !== 'rejected';
    if (received) {
      m.received += 1;
      const row = hourRow(timestampMs(doc['@timestamp']));
      if (row) row.received += 1;
      bytes.received += doc.size ?? 0;
      senders.add(doc.email.from?.address ?? '(unknown)');
    }
    if (doc.deferrals > 0) m.deferred += 1;
    if (doc.expired_at !== undefined) m.expired += 1;
    if (
      doc.queued_at !== undefined &&
      doc.removed_at === undefined &&
      doc.state !== 'rejected' &&
      doc.state !== 'discarded'
    ) {
      backlog += 1;
    }
    for (const r of doc.recipients) {
      if (r.status === 'sent') {
        if (r.internal) m.internal_hops += 1;
        else if (r.forwarded) m.forwarded += 1;
        else {
          m.delivered += 1;
          domainRow(domainOf(r.address)).delivered += 1;
          const row = hourRow(timestampMs(r.last_attempt));
          if (row) row.delivered += 1;
          if (r.delay !== undefined) delays.add(r.delay);
          recipients.add(r.address.toLowerCase());
          bytes.delivered += doc.size ?? 0;
        }
      } else if (r.status === 'bounced') {
        m.bounced += 1;
        domainRow(domainOf(r.address)).bounced += 1;
        const row = hourRow(timestampMs(r.last_attempt));
        if (row) row.bounced += 1;
      }
    }
  }

  const counters = { rejections, deferralReasons, bounceReasons, senders, recipients };

  function state(): AccumulatorState {
    return {
      messages: { ...m },
      lines: { ...lines },
      bytes: { ...bytes },
      fromMs,
      toMs,
      backlog,
      domainsCapped,
      hours: [...hours.values()].map((h) => ({ ...h })),
      domains: [...domains.values()].map((d) => ({ ...d })),
      counters: {
        rejections: rejections.state(),
        deferralReasons: deferralReasons.state(),
        bounceReasons: bounceReasons.state(),
        senders: senders.state(),
        recipients: recipients.state(),
      },
      delays: delays.entries(),
    };
  }

  function merge(o: AccumulatorState): void {
    for (const k of Object.keys(m) as Array<keyof typeof m>) m[k] += o.messages[k];
    lines.total += o.lines.total;
    lines.postfix += o.lines.postfix;
    lines.unparsed += o.lines.unparsed;
    bytes.received += o.bytes.received;
    bytes.delivered += o.bytes.delivered;
    if (o.fromMs < fromMs) fromMs = o.fromMs;
    if (o.toMs > toMs) toMs = o.toMs;
    backlog += o.backlog;
    if (o.domainsCapped) domainsCapped = true;
    for (const h of o.hours) {
      const row = hours.get(h.hour) ?? emptyHour(h.hour);
      row.received += h.received;
      row.delivered += h.delivered;
      row.deferred += h.deferred;
      row.bounced += h.bounced;
      row.rejected += h.rejected;
      hours.set(h.hour, row);
    }
    for (const d of o.domains) {
      const row = domainRow(d.domain);
      row.delivered += d.delivered;
      row.deferred += d.deferred;
      row.bounced += d.bounced;
    }
    for (const k of Object.keys(counters) as Array<keyof typeof counters>) counters[k].merge(o.counters[k]);
    delays.merge(o.delays);
  }

  function result(): Report {
    const [p50, p95, p99, max] = delays.percentiles([50, 95, 99, 100]) as [number, number, number, number];
    const notes: string[] = [];
    if (lines.unparsed > 0)
      notes.push(`${lines.unparsed} line(s) were not understood (run \`mailpulse parse\` to see them).`);
    if (domainsCapped)
      notes.push(`More than ${maxDomains} destination domains: the rest are summed as (other).`);
    for (const [name, c] of [
      ['rejection reasons', rejections],
      ['deferral reasons', deferralReasons],
      ['bounce reasons', bounceReasons],
      ['senders', senders],
      ['recipients', recipients],
    ] as const) {
      if (!c.exact)
        notes.push(`Too many distinct ${name} to count all exactly: the top rows are approximate.`);
    }
    const period = Number.isFinite(fromMs)
      ? { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() }
      : { from: null, to: null };
    return {
      period,
      messages: { ...m },
      delivery_rate: deliveryRate(m.delivered, m.bounced, m.expired),
      rejections: reasonRows(rejections, topN),
      deferral_reasons: reasonRows(deferralReasons, topN),
      bounce_reasons: reasonRows(bounceReasons, topN),
      queue: { backlog_at_end: backlog },
      per_domain: [...domains.values()]
        .map((d) => ({ ...d }))
        .sort(
          (a, b) =>
            b.delivered + b.deferred + b.bounced - (a.delivered + a.deferred + a.bounced) ||
            (a.domain < b.domain ? -1 : 1),
        ),
      per_hour: [...hours.values()].map((h) => ({ ...h })).sort((a, b) => (a.hour < b.hour ? -1 : 1)),
      delays: { p50, p95, p99, max },
      lines: { ...lines },
      bytes: { ...bytes },
      top_senders: senders.top(topN).map(([address, count]) => ({ address, count })),
      top_recipients: recipients.top(topN).map(([address, count]) => ({ address, count })),
      notes,
    };
  }

  return { addEvent, addMessage, state, merge, result };
}
