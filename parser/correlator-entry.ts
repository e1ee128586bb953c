/**
 * One message being followed by the correlator: the document under construction plus what the
 * correlator needs to decide where the next line goes. Pure field updates only; which entry a
 * line belongs to, hop links and expiry live in `correlator.ts`.
 */
import type { MailEvent } from '../core/event.js';
import type { MessageDoc, MessageState, Recipient } from '../core/message.js';
import { messageKey, timestampMs } from '../core/message-key.js';

/** Lines that only the start of a message writes: a second one for an open entry means reuse. */
export type Starter = 'client' | 'pickup' | 'message_id';

export interface Entry {
  doc: MessageDoc;
  /** `host/queueId`: the instance-free name hop links use (`queued as X` may cross instances). */
  hostQid: string;
  firstMs: number;
  lastMs: number;
  /** Time of the line that ends the message (`removed`, a cleanup reject/discard); NaN while open. */
  closedMs: number;
  starters: Set<Starter>;
  rcpt: Map<string, Recipient>;
  /** Raw lines already applied (drops exact replays). */
  seen: Set<string>;
  /** Next hops linked while both were in memory: `trace_id` changes flow down to them. */
  children: Entry[];
  /** Sticky outcomes that the recipient table alone cannot show. */
  rejected: boolean;
  discarded: boolean;
  held: boolean;
  /**
   * Where the correlator keeps the entry (-1 until then): its slot, its place in the order of
   * arrival, and the slot of the next entry with the same queue ID (-1: none).
   */
  slot: number;
  seq: number;
  sameQid: number;
}

const FINAL = new Set(['sent', 'bounced', 'expired', 'deliverable', 'undeliverable']);

export function eventMs(ev: MailEvent, fallback: number): number {
  const ms = timestampMs(ev['@timestamp']);
  return Number.isNaN(ms) ? fallback : ms;
}

export function newEntry(ev: MailEvent, qid: string, ms: number): Entry {
  const host = ev.host.name;
  const instance = ev.postfix?.instance ?? 'postfix';
  const key = messageKey(host, instance, qid, ms);
  return {
    doc: {
      '@timestamp': ev['@timestamp'],
      updated: ev['@timestamp'],
      key,
      host: { name: host },
      postfix: { instance },
      email: { local_id: qid },
      state: 'received',
      recipients: [],
      deferrals: 0,
      hops: { previous: [], next: [] },
      trace_id: key,
    },
    hostQid: `${host}/${qid}`,
    firstMs: ms,
    lastMs: ms,
    closedMs: Number.NaN,
    starters: new Set(),
    rcpt: new Map(),
    seen: new Set(),
    children: [],
    rejected: false,
    discarded: false,
    held: false,
    slot: -1,
    seq: -1,
    sameQid: -1,
  };
}

/** Rebuilds the working entry from a stored document (the indexer after a restart). */
export function entryFromDoc(doc: MessageDoc): Entry {
  const host = doc.host.name;
  const qid = doc.email.local_id;
  const firstMs = timestampMs(doc['@timestamp']);
  const lastMs = timestampMs(doc.updated);
  const starters = new Set<Starter>();
  if (doc.origin === 'smtpd') starters.add('client');
  if (doc.origin === 'pickup') starters.add('pickup');
  if (doc.email.message_id !== undefined) starters.add('message_id');
  const rcpt = new Map<string, Recipient>();
  for (const r of doc.recipients) rcpt.set(recipientKey(r.address, r.orig_to), { ...r });
  const ended =
    doc.removed_at ?? (doc.state === 'rejected' || doc.state === 'discarded' ? doc.updated : undefined);
  return {
    doc: {
      ...doc,
      recipients: [...rcpt.values()],
      hops: { ...doc.hops, previous: [...doc.hops.previous], next: [...doc.hops.next] },
    },
    hostQid: `${host}/${qid}`,
    firstMs: Number.isNaN(firstMs) ? 0 : firstMs,
    lastMs: Number.isNaN(lastMs) ? 0 : lastMs,
    closedMs: ended === undefined ? Number.NaN : timestampMs(ended),
    starters,
    rcpt,
    seen: new Set(),
    children: [],
    rejected: doc.state === 'rejected',
    discarded: doc.state === 'discarded',
    held: doc.state === 'held',
    slot: -1,
    seq: -1,
    sameQid: -1,
  };
}

export function recipientKey(address: string, origTo: string | undefined): string {
  return origTo === undefined ? address : `${address}\u0000${origTo}`;
}

export function isClosed(e: Entry): boolean {
  return !Number.isNaN(e.closedMs);
}

function touch(e: Entry, ev: MailEvent, ms: number): void {
  if (ms < e.firstMs) {
    e.firstMs = ms;
    e.doc['@timestamp'] = ev['@timestamp'];
  }
  if (ms >= e.lastMs) {
    e.lastMs = ms;
    e.doc.updated = ev['@timestamp'];
  }
}

function relayText(ev: MailEvent): string | undefined {
  const r = ev.postfix?.relay;
  if (!r?.hostname) return undefined;
  const ip = r.ip ? `[${r.ip}]` : '';
  const port = r.port !== undefined ? `:${r.port}` : '';
  return `${r.hostname}${ip}${port}`;
}

/** A delivery line's effect on its recipient; returns the recipient for hop linking. */
function applyDelivery(e: Entry, ev: MailEvent): Recipient | undefined {
  const p = ev.postfix;
  const address = ev.email?.to?.address;
  const status = p?.status;
  if (address === undefined || status === undefined) return undefined;
  const key = recipientKey(address, p?.orig_to);
  const prev = e.rcpt.get(key);
  // A late deferral line (out of order) must not undo a final status already recorded.
  const keepFinal = prev !== undefined && FINAL.has(prev.status) && !FINAL.has(status);
  let r: Recipient;
  if (keepFinal) {
    r = { ...prev, attempts: prev.attempts + 1 };
  } else {
    r = { address, status, attempts: (prev?.attempts ?? 0) + 1, last_attempt: ev['@timestamp'] };
    if (p?.orig_to !== undefined) r.orig_to = p.orig_to;
    if (p?.dsn !== undefined) r.dsn = p.dsn;
    const relay = relayText(ev);
    if (relay !== undefined) r.relay = relay;
    if (p?.hop === 'internal') r.internal = true;
    const next = p?.next_queue_id;
    if (next !== undefined) {
      r.next_queue_id = next;
      if (/\bforwarded as\b/.test(p?.response ?? '')) r.forwarded = true;
    }
    if (p?.delay !== undefined) r.delay = p.delay;
    if (p?.response !== undefined) r.response = p.response;
    if (p?.reason?.category !== undefined) r.reason_category = p.reason.category;
  }
  if (status === 'deferred') e.doc.deferrals += 1;
  e.rcpt.set(key, r);
  e.doc.recipients = [...e.rcpt.values()];
  return r;
}

/**
 * Applies one line of this message to its entry. Returns the recipient a delivery line touched
 * (the caller links `next_queue_id`), or undefined. The caller recomputes `state` (`stateOf`).
 */
export function applyEvent(e: Entry, ev: MailEvent, ms: number): Recipient | undefined {
  touch(e, ev, ms);
  const d = e.doc;
  const p = ev.postfix;
  let touched: Recipient | undefined;
  switch (ev.event.action) {
    case 'client':
      e.starters.add('client');
      d.origin = 'smtpd';
      if (ev.source?.domain !== undefined || ev.source?.ip !== undefined) {
        const source: NonNullable<MessageDoc['source']> = {};
        if (ev.source.domain !== undefined) source.domain = ev.source.domain;
        if (ev.source.ip !== undefined) source.ip = ev.source.ip;
        d.source = source;
      }
      if (ev.user?.name !== undefined) d.user = { name: ev.user.name };
      break;
    case 'pickup':
      e.starters.add('pickup');
      d.origin = 'pickup';
      if (ev.email?.from !== undefined && d.email.from === undefined)
        d.email.from = { address: ev.email.from.address };
      break;
    case 'message_id':
      e.starters.add('message_id');
      if (ev.email?.message_id !== undefined) d.email.message_id = ev.email.message_id;
      break;
    case 'queued':
      if (ev.email?.from !== undefined) d.email.from = { address: ev.email.from.address };
      if (p?.size !== undefined) d.size = p.size;
      if (p?.nrcpt !== undefined) d.nrcpt = p.nrcpt;
      if (d.queued_at === undefined || ms < timestampMs(d.queued_at)) d.queued_at = ev['@timestamp'];
      e.held = false;
      break;
    case 'delivery':
      touched = applyDelivery(e, ev);
      break;
    case 'expired':
      d.expired_at = ev['@timestamp'];
      if (ev.email?.from !== undefined && d.email.from === undefined)
        d.email.from = { address: ev.email.from.address };
      for (const [k, r] of e.rcpt) if (!FINAL.has(r.status)) e.rcpt.set(k, { ...r, status: 'expired' });
      d.recipients = [...e.rcpt.values()];
      break;
    case 'removed':
      d.removed_at = ev['@timestamp'];
      e.closedMs = ms;
      break;
    case 'reject':
      // cleanup (milter, header/body checks) and smtpd after DATA throw the whole message away;
      // an smtpd RCPT reject with a queue ID only refuses that one recipient.
      if (
        ev.process.name === 'cleanup' ||
        p?.reject?.stage === 'DATA' ||
        p?.reject?.stage === 'END-OF-MESSAGE'
      ) {
        e.rejected = true;
        e.closedMs = ms;
      }
      break;
    case 'discard':
      e.discarded = true;
      if (ev.process.name === 'cleanup') e.closedMs = ms;
      break;
    case 'hold':
      e.held = true;
      break;
    default:
      break;
  }
  return touched;
}

/** The state shown for an entry: sticky outcomes first, then what the recipients say. */
export function stateOf(e: Entry): MessageState {
  if (e.rejected) return 'rejected';
  if (e.discarded) return 'discarded';
  if (e.doc.expired_at !== undefined) return 'expired';
  if (e.held) return 'held';
  let pending = 0;
  let deferred = 0;
  let sent = 0;
  let failed = 0;
  for (const r of e.rcpt.values()) {
    if (r.status === 'deferred') deferred += 1;
    else if (r.status === 'sent' || r.status === 'deliverable') sent += 1;
    else failed += 1;
  }
  const known = e.rcpt.size;
  const expected = e.doc.nrcpt ?? known;
  if (known < expected && !isClosed(e)) pending = expected - known;
  if (deferred > 0 && pending === 0) return 'deferred';
  if (known === 0 || pending > 0 || deferred > 0)
    return e.doc.queued_at !== undefined ? 'active' : 'received';
  if (sent > 0) return 'delivered';
  return failed > 0 ? 'bounced' : 'active';
}

/** A copy the caller may keep: the entry goes on changing. */
export function snapshot(e: Entry): MessageDoc {
  const d = e.doc;
  return {
    ...d,
    email: { ...d.email },
    recipients: d.recipients.map((r) => ({ ...r })),
    hops: { ...d.hops, previous: [...d.hops.previous], next: [...d.hops.next] },
  };
}
