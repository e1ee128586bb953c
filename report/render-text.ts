/**
 * The readable report: pflogsumm's sections, with the numbers mailpulse counts differently made
 * explicit (internal hops, forwarded, deferrals vs deferred messages, expired, backlog) and the
 * times shown in one named zone. Pure: a Report in, text out.
 */
import type { HourRow, ReasonRow, Report } from './schema.js';

export interface RenderOptions {
  /** IANA zone for days and hours. Default UTC. */
  timeZone?: string;
  /** Rows in the domain, sender, recipient and reason tables. Default 10. */
  rows?: number;
}

const int = new Intl.NumberFormat('en-US');

function n(x: number): string {
  return int.format(x);
}

function bytes(x: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = x;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u += 1;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

function seconds(s: number): string {
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${(s / 60).toFixed(1)} min`;
  if (s < 86_400) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
}

/** `align`: one letter per column, `l` or `r`; default: first column left, the rest right. */
function table(header: string[], rows: string[][], align = `l${'r'.repeat(header.length - 1)}`): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    `  ${cells.map((c, i) => (align[i] === 'l' ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')}`.trimEnd();
  return [fmt(header), `  ${widths.map((w) => '-'.repeat(w)).join('  ')}`, ...rows.map(fmt)];
}

function section(title: string): string[] {
  return ['', title, '='.repeat(title.length)];
}

/** Local calendar day and hour of a UTC hour start, in `zone`. */
function localHour(iso: string, parts: Intl.DateTimeFormat): { day: string; hour: number } {
  const p = Object.fromEntries(parts.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return { day: `${p.year}-${p.month}-${p.day}`, hour: Number(p.hour) % 24 };
}

function reasons(title: string, rows: ReasonRow[], limit: number): string[] {
  if (rows.length === 0) return [...section(title), '  none'];
  const body = rows
    .slice(0, limit)
    .map((r) => [n(r.count), r.category, r.reason.length > 90 ? `${r.reason.slice(0, 89)}…` : r.reason]);
  return [...section(title), ...table(['count', 'category', 'reason'], body, 'rll')];
}

export function renderText(report: Report, options: RenderOptions = {}): string {
  const zone = options.timeZone ?? 'UTC';
  const limit = options.rows ?? 10;
  const m = report.messages;
  const out: string[] = [];
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
  });
  out.push(
    `mailpulse report: ${report.period.from ?? '-'} .. ${report.period.to ?? '-'} (days and hours in ${zone})`,
  );

  const rate = report.delivery_rate === null ? 'n/a' : `${(report.delivery_rate * 100).toFixed(2)} %`;
  out.push(
    ...section('Grand totals'),
    ...table(
      ['messages', 'count', 'note'],
      [
        ['received', n(m.received), bytes(report.bytes.received)],
        ['delivered (recipients)', n(m.delivered), bytes(report.bytes.delivered)],
        ['internal hops (content filter)', n(m.internal_hops), 'not deliveries'],
        ['forwarded (local aliases)', n(m.forwarded), ''],
        ['deferred (messages)', n(m.deferred), `${n(m.deferrals)} deferral attempts`],
        ['bounced (recipients)', n(m.bounced), ''],
        ['expired (messages)', n(m.expired), ''],
        ['rejected', n(m.rejected), 'smtpd + postscreen + cleanup'],
        ['reject warnings', n(m.reject_warnings), ''],
        ['held', n(m.held), ''],
        ['discarded', n(m.discarded), ''],
        ['delivery rate', rate, 'delivered / (delivered + bounced + expired)'],
        ['queue backlog at end', n(report.queue.backlog_at_end), 'messages not removed'],
      ],
      'lrl',
    ),
  );
  const d = report.delays;
  out.push(
    ...section('Delivery delay (delivered recipients)'),
    `  p50 ${seconds(d.p50)}   p95 ${seconds(d.p95)}   p99 ${seconds(d.p99)}   max ${seconds(d.max)}`,
  );

  const days = new Map<string, HourRow>();
  const hoursOfDay = Array.from({ length: 24 }, (_, h) => ({
    hour: String(h),
    received: 0,
    delivered: 0,
    deferred: 0,
    bounced: 0,
    rejected: 0,
  }));
  for (const row of report.per_hour) {
    const { day, hour } = localHour(row.hour, parts);
    const dayRow = days.get(day) ?? {
      hour: day,
      received: 0,
      delivered: 0,
      deferred: 0,
      bounced: 0,
      rejected: 0,
    };
    const hourRow = hoursOfDay[hour] as HourRow;
    for (const target of [dayRow, hourRow]) {
      target.received += row.received;
      target.delivered += row.delivered;
      target.deferred += row.deferred;
      target.bounced += row.bounced;
      target.rejected += row.rejected;
    }
    days.set(day, dayRow);
  }
  const cols = ['received', 'delivered', 'deferrals', 'bounced', 'rejected'];
  const cells = (r: HourRow) => [n(r.received), n(r.delivered), n(r.deferred), n(r.bounced), n(r.rejected)];
  out.push(
    ...section('Per-day traffic'),
    ...table(
      ['date', ...cols],
      [...days.values()].map((r) => [r.hour, ...cells(r)]),
    ),
  );
  const dayCount = Math.max(1, days.size);
  out.push(
    ...section(`Per-hour traffic (sum over ${dayCount} day${dayCount === 1 ? '' : 's'})`),
    ...table(
      ['hour', ...cols],
      hoursOfDay.map((r) => [
        `${r.hour.padStart(2, '0')}:00-${String(Number(r.hour) + 1).padStart(2, '0')}:00`,
        ...cells(r),
      ]),
    ),
  );

  out.push(
    ...section(`Destination domains (top ${limit} of ${report.per_domain.length})`),
    ...table(
      ['domain', 'delivered', 'deferrals', 'bounced'],
      report.per_domain.slice(0, limit).map((r) => [r.domain, n(r.delivered), n(r.deferred), n(r.bounced)]),
    ),
  );
  out.push(
    ...section('Top senders (messages received)'),
    ...table(
      ['sender', 'messages'],
      report.top_senders.slice(0, limit).map((r) => [r.address === '' ? '<>' : r.address, n(r.count)]),
    ),
    ...section('Top recipients (deliveries)'),
    ...table(
      ['recipient', 'deliveries'],
      report.top_recipients.slice(0, limit).map((r) => [r.address, n(r.count)]),
    ),
  );
  out.push(
    ...reasons('Top rejection reasons', report.rejections, limit),
    ...reasons('Top deferral reasons', report.deferral_reasons, limit),
    ...reasons('Top bounce reasons', report.bounce_reasons, limit),
  );
  const l = report.lines;
  out.push(
    ...section('Input'),
    `  ${n(l.total)} lines, ${n(l.postfix)} from Postfix, ${n(l.unparsed)} not understood`,
  );
  if (report.notes.length > 0) out.push(...section('Notes'), ...report.notes.map((x) => `  - ${x}`));
  return `${out.join('\n')}\n`;
}
