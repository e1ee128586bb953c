/**
 * The correlator: parsed lines in, one message document per (host, instance, queue ID,
 * first-seen time) out. Pure and synchronous: no I/O, no clock (time is the lines' own
 * `@timestamp`, and `expire(now)` is told the time).
 *
 * API (exported from `parser/index.ts`):
 *
 *   const c = createCorrelator(options?: CorrelatorOptions): Correlator
 *   c.push(event: MailEvent, ms?: number): MessageDoc[]  // every document this line changed (whole docs)
 *   c.expire(nowMs: number): MessageDoc[]    // documents that left memory since the last call
 *   c.drain(): MessageDoc[]                  // end of input: everything still in memory leaves
 *   c.restore(docs: Iterable<MessageDoc>): void  // seed state from stored docs after a restart
 *   c.size: number                           // messages held in memory
 *   c.lastKey: string | undefined            // key of the message the last pushed line belongs to
 *   c.keyOf(host, instance, queueId)         // key of the message that queue ID names now, if any
 *
 * Guarantees:
 * - `push` returns whole documents (upsert them by `key`; arrays replace). Usually one; two or
 *   more when a hop link changes the previous hop and the next one (and its own next hops, whose
 *   `trace_id` follows). With `snapshots: true` (default) they are copies the caller may keep.
 * - A message is closed by `removed` (or a cleanup reject/discard). A closed message still takes
 *   lines for `lateGraceMs` after its last line's time (out-of-order syslog), except a line that
 *   starts a message (`client=`, pickup, `message-id=`, qmgr `from=`) timestamped after the
 *   close: that is the queue ID being reused, and opens a new document with a new key. The
 *   same holds for a start line that an open message has already seen (its `removed` was lost).
 *   The message a queue ID no longer names is released at once (no line can reach it).
 * - Lines repeated exactly (at-least-once delivery replays) change nothing (`dedupe`, default
 *   on), as long as the message is in memory: `restore` does not bring back the lines already
 *   applied, so after a restart the indexer should replay from the offset its last document
 *   write covered, not earlier.
 * - Hop links: a delivery with `queued as X` / `forwarded as X` and a bounce daemon's
 *   `sender non-delivery notification: X` link to message X of the same host (any instance)
 *   whose first line is within `linkWindowMs`; X takes the first hop's `trace_id`. A `queued as`
 *   that names a queue ID of this host marks that recipient `internal` (a content-filter hop),
 *   also when X shows up after the delivery line.
 * - Bounded memory: `expire(now)` releases closed messages older than `lateGraceMs` and open
 *   ones silent for `idleTimeoutMs` (lost `removed` lines); more than `maxMessages` releases the
 *   oldest at once. Every released document is returned by the next `expire` (or `drain`),
 *   exactly once, in its final form: the report aggregates these; the indexer may ignore them.
 * - `restore` rebuilds entries from stored documents, including pending hop links (a
 *   document's `hops.next` not yet seen); call it before pushing the replayed lines.
 */
import type { MailEvent } from '../core/event.js';
import type { HopKind, MessageDoc } from '../core/message.js';
import {
  applyEvent,
  type Entry,
  entryFromDoc,
  eventMs,
  isClosed,
  newEntry,
  type Starter,
  snapshot,
  stateOf,
} from './correlator-entry.js';

export interface CorrelatorOptions {
  /** How long a closed message still takes late lines, in ms of log time. Default 5 min. */
  lateGraceMs?: number;
  /** An open message silent this long (log time) is released. Default 6 days (> Postfix's 5-day queue lifetime). */
  idleTimeoutMs?: number;
  /** Max distance between a hop line and the next message's first line, ms. Default 2 min. */
  linkWindowMs?: number;
  /** Messages held at most; beyond it the oldest is released early. Default 1,000,000. */
  maxMessages?: number;
  /**
   * What `push` returns: copies (true, default); nothing (false, for callers that only read
   * `expire`); or `'live'`: the documents themselves, which later lines go on changing. A caller
   * that serializes once per batch (the indexer) gets each document's state at the end of the
   * batch without a copy per line.
   */
  snapshots?: boolean | 'live';
  /** Drop byte-identical repeated lines (at-least-once replays). Default true; a one-shot file report turns it off. */
  dedupe?: boolean;
}

export interface Correlator {
  /** `ms`: the event's time if the caller has already read `@timestamp` (saves reading it twice). */
  push(event: MailEvent, ms?: number): MessageDoc[];
  expire(nowMs: number): MessageDoc[];
  drain(): MessageDoc[];
  restore(docs: Iterable<MessageDoc>): void;
  readonly size: number;
  /**
   * The key of the message the last `push`ed line belongs to (also for an exact replay), or
   * undefined when it belongs to none. Lets a line be tagged with its message, so that distinct
   * messages are counted by message, not by a queue ID that Postfix reuses.
   */
  readonly lastKey: string | undefined;
  /**
   * The key of the message in memory that (host, instance, queue ID) names now, if any: for a
   * line the caller does not push again (already applied to a restored message).
   */
  keyOf(host: string, instance: string, queueId: string): string | undefined;
}

/** Actions that may open a document; other lines with a queue ID only join an existing one. */
const OPENING = new Set([
  'client',
  'pickup',
  'message_id',
  'resent_message_id',
  'queued',
  'delivery',
  'removed',
  'expired',
  'reject',
  'reject_warning',
  'hold',
  'discard',
  'redirect',
  'filter',
  'bounce_notification',
]);

const NONE: MessageDoc[] = [];
Object.freeze(NONE);

const STARTERS: Record<string, Starter | undefined> = {
  client: 'client',
  pickup: 'pickup',
  message_id: 'message_id',
};

interface PendingLink {
  parent: Entry;
  kind: HopKind;
  ms: number;
}

/**
 * The entries one line changed: nearly always one or two, so an array with a linear check; a
 * Set allocates a new table on every `clear()`, which showed in the report's profile.
 */
class Changed implements Iterable<Entry> {
  private readonly items: Entry[] = [];

  add(e: Entry): void {
    if (!this.items.includes(e)) this.items.push(e);
  }

  clear(): void {
    this.items.length = 0;
  }

  [Symbol.iterator](): Iterator<Entry> {
    return this.items[Symbol.iterator]();
  }
}

export function createCorrelator(options: CorrelatorOptions = {}): Correlator {
  const lateGraceMs = options.lateGraceMs ?? 5 * 60_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 6 * 86_400_000;
  const linkWindowMs = options.linkWindowMs ?? 120_000;
  const maxMessages = options.maxMessages ?? 1_000_000;
  const snapshots = options.snapshots ?? true;
  const dedupe = options.dedupe ?? true;

  /**
   * Every entry in memory sits in `slots`, and the tables below hold slot numbers, not entries.
   * A Set or Map copies its table as it grows, shrinks and sheds deleted entries; a copy that had
   * reached the old generation still points at the entries of its day after it is dropped, and
   * young-generation collections take such pointers as live until the next full collection. So
   * with tables of entries every entry outlived its message and was copied into the old
   * generation with its document, recipients and lines (about 200 bytes per indexed line).
   */
  const slots: (Entry | undefined)[] = [];
  const freeSlots: number[] = [];
  /** Arrival number → slot of every entry in memory, oldest first (insertion order). */
  const order = new Map<number, number>();
  let arrivals = 0;
  /**
   * queue ID → slot of the first entry with it; the others, one per (host, instance), follow
   * through `sameQid`. Keyed by the queue ID alone (a string the line already has; no key to
   * build per line): hosts and instances sharing one queue ID at once are rare, so the chain is
   * nearly always one long.
   */
  const live = new Map<string, number>();

  function at(slot: number): Entry {
    return slots[slot] as Entry;
  }

  function inMemory(e: Entry): boolean {
    return e.slot >= 0 && slots[e.slot] === e;
  }

  function liveGet(host: string, instance: string, qid: string): Entry | undefined {
    for (let s = live.get(qid) ?? -1; s >= 0; ) {
      const e = at(s);
      if (e.doc.host.name === host && e.doc.postfix.instance === instance) return e;
      s = e.sameQid;
    }
    return undefined;
  }

  /** The newest entry of this host with the queue ID, any instance (hop links may cross instances). */
  function onHost(host: string, qid: string): Entry | undefined {
    let best: Entry | undefined;
    for (let s = live.get(qid) ?? -1; s >= 0; ) {
      const e = at(s);
      if (e.doc.host.name === host && (best === undefined || e.firstMs > best.firstMs)) best = e;
      s = e.sameQid;
    }
    return best;
  }

  /** Takes `e` out of its queue ID's chain, if it is in it. */
  function leaveChain(e: Entry): void {
    const qid = e.doc.email.local_id;
    const head = live.get(qid);
    if (head === undefined) return;
    if (head === e.slot) {
      if (e.sameQid < 0) live.delete(qid);
      else live.set(qid, e.sameQid);
      return;
    }
    for (let prev = at(head); prev.sameQid >= 0; ) {
      const next = at(prev.sameQid);
      if (next === e) {
        prev.sameQid = e.sameQid;
        return;
      }
      prev = next;
    }
  }

  /** Puts `e` in its queue ID's chain in place of the entry of the same host and instance, or last. */
  function joinChain(e: Entry): void {
    const qid = e.doc.email.local_id;
    e.sameQid = -1;
    const head = live.get(qid);
    if (head === undefined) {
      live.set(qid, e.slot);
      return;
    }
    const same = liveGet(e.doc.host.name, e.doc.postfix.instance, qid);
    if (same !== undefined) {
      // The replaced entry stays in memory until it expires; no line can reach it any more.
      e.sameQid = same.sameQid;
      if (head === same.slot) live.set(qid, e.slot);
      else
        for (let prev = at(head); ; prev = at(prev.sameQid))
          if (prev.sameQid === same.slot) {
            prev.sameQid = e.slot;
            break;
          }
      return;
    }
    let last = at(head);
    while (last.sameQid >= 0) last = at(last.sameQid);
    last.sameQid = e.slot;
  }
  /** `host/qid` of a next hop named before its first line was seen. */
  const pending = new Map<string, PendingLink>();
  let released: MessageDoc[] = [];
  let lastMs = 0;
  let lastKey: string | undefined;
  /** Entries the current line changed (reused across lines: `push` is hot). */
  const changed = new Changed();

  function add(e: Entry): void {
    const slot = freeSlots.pop() ?? slots.length;
    slots[slot] = e;
    e.slot = slot;
    e.seq = arrivals++;
    order.set(e.seq, slot);
    joinChain(e);
    if (order.size > maxMessages) {
      const oldest = order.values().next().value;
      if (oldest !== undefined) release(at(oldest));
    }
  }

  function release(e: Entry): void {
    leaveChain(e);
    order.delete(e.seq);
    slots[e.slot] = undefined;
    freeSlots.push(e.slot);
    released.push(e.doc);
  }

  /** Whether this line belongs to a new message reusing the queue ID of `e`. */
  function startsNew(e: Entry, ev: MailEvent, ms: number): boolean {
    const starter = STARTERS[ev.event.action];
    const restarts = ev.event.action === 'queued' ? false : starter !== undefined && e.starters.has(starter);
    if (!isClosed(e)) return restarts;
    if (starter !== undefined || ev.event.action === 'queued') return restarts || ms > e.closedMs;
    return ms > e.closedMs + lateGraceMs;
  }

  function setTrace(e: Entry, traceId: string, changed: Changed): void {
    if (e.doc.trace_id === traceId) return;
    e.doc.trace_id = traceId;
    changed.add(e);
    for (const child of e.children) setTrace(child, traceId, changed);
  }

  function attach(parent: Entry, child: Entry, kind: HopKind, changed: Changed): void {
    const qid = parent.doc.email.local_id;
    if (!child.doc.hops.previous.includes(qid)) child.doc.hops.previous.push(qid);
    child.doc.hops.kind = kind;
    changed.add(child);
    parent.children.push(child);
    if (kind === 'internal') markInternal(parent, child.doc.email.local_id, changed);
    setTrace(child, parent.doc.trace_id, changed);
  }

  /** A `queued as X` naming a queue ID of this host is a hop to a content filter, not a delivery. */
  function markInternal(parent: Entry, childQid: string, changed: Changed): void {
    for (const [k, r] of parent.rcpt) {
      if (r.next_queue_id === childQid && !r.forwarded && r.internal !== true) {
        parent.rcpt.set(k, { ...r, internal: true });
        changed.add(parent);
      }
    }
    parent.doc.recipients = [...parent.rcpt.values()];
  }

  function link(parent: Entry, childQid: string, kind: HopKind, ms: number, changed: Changed): void {
    if (!parent.doc.hops.next.includes(childQid)) {
      parent.doc.hops.next.push(childQid);
      changed.add(parent);
    }
    const hostQid = `${parent.doc.host.name}/${childQid}`;
    const child = onHost(parent.doc.host.name, childQid);
    if (child !== undefined && child !== parent && Math.abs(child.firstMs - ms) <= linkWindowMs) {
      if (child.doc.hops.previous.length === 0) attach(parent, child, kind, changed);
      else if (kind === 'internal') markInternal(parent, childQid, changed);
      return;
    }
    pending.set(hostQid, { parent, kind, ms });
  }

  function adoptPending(e: Entry, ms: number, changed: Changed): void {
    const p = pending.get(e.hostQid);
    if (p === undefined) return;
    pending.delete(e.hostQid);
    if (Math.abs(ms - p.ms) > linkWindowMs) return;
    if (inMemory(p.parent)) {
      attach(p.parent, e, p.kind, changed);
      return;
    }
    // The previous hop already left memory: link this side only.
    e.doc.hops.previous.push(p.parent.doc.email.local_id);
    e.doc.hops.kind = p.kind;
    e.doc.trace_id = p.parent.doc.trace_id;
  }

  function push(ev: MailEvent, knownMs?: number): MessageDoc[] {
    lastKey = undefined;
    const qid = ev.email?.local_id;
    if (qid === undefined || qid === 'NOQUEUE') return NONE;
    const ms = knownMs !== undefined && !Number.isNaN(knownMs) ? knownMs : eventMs(ev, lastMs);
    if (ms > lastMs) lastMs = ms;
    changed.clear();
    let e = liveGet(ev.host.name, ev.postfix?.instance ?? 'postfix', qid);
    // The raw line is the replay fingerprint: a re-sent line is byte-identical.
    const fp = ev.event.original;
    if (dedupe && e?.seen.has(fp)) {
      lastKey = e?.doc.key;
      return NONE;
    }
    if (e !== undefined && startsNew(e, ev, ms)) {
      // The queue ID now names another message: no line can reach the old one any more.
      release(e);
      e = undefined;
    }
    if (e === undefined) {
      if (!OPENING.has(ev.event.action)) return NONE;
      e = newEntry(ev, qid, ms);
      add(e);
      adoptPending(e, ms, changed);
    }
    if (dedupe) e.seen.add(fp);
    lastKey = e.doc.key;
    changed.add(e);
    const touched = applyEvent(e, ev, ms);
    const next = ev.postfix?.next_queue_id;
    if (next !== undefined) {
      const kind: HopKind =
        ev.event.action === 'bounce_notification'
          ? 'notification'
          : touched?.forwarded
            ? 'forwarded'
            : 'internal';
      if (ev.event.action === 'bounce_notification' || touched?.status === 'sent')
        link(e, next, kind, ms, changed);
    }
    for (const c of changed) c.doc.state = stateOf(c);
    if (snapshots === false) return NONE;
    const docs: MessageDoc[] = [];
    for (const c of changed) if (inMemory(c)) docs.push(snapshots === 'live' ? c.doc : snapshot(c));
    return docs;
  }

  function expire(nowMs: number): MessageDoc[] {
    // Deleting the entry being visited is allowed during a Map's iteration.
    for (const slot of order.values()) {
      const e = at(slot);
      const done = isClosed(e) ? nowMs - e.closedMs > lateGraceMs : nowMs - e.lastMs > idleTimeoutMs;
      if (done) release(e);
    }
    for (const [k, p] of pending) if (nowMs - p.ms > linkWindowMs) pending.delete(k);
    const out = released;
    released = [];
    return out;
  }

  function drain(): MessageDoc[] {
    for (const slot of order.values()) release(at(slot));
    pending.clear();
    const out = released;
    released = [];
    return out;
  }

  function restore(docs: Iterable<MessageDoc>): void {
    const restored: Entry[] = [];
    for (const doc of docs) {
      const e = entryFromDoc(doc);
      const current = liveGet(e.doc.host.name, e.doc.postfix.instance, e.doc.email.local_id);
      if (current !== undefined && current.firstMs > e.firstMs) continue;
      add(e);
      restored.push(e);
      if (e.lastMs > lastMs) lastMs = e.lastMs;
    }
    for (const e of restored) {
      for (const childQid of e.doc.hops.next) {
        const child = onHost(e.doc.host.name, childQid);
        if (child?.doc.hops.previous.includes(e.doc.email.local_id)) {
          e.children.push(child);
        } else {
          const r = e.doc.recipients.find((x) => x.next_queue_id === childQid);
          const kind: HopKind = r === undefined ? 'notification' : r.forwarded ? 'forwarded' : 'internal';
          pending.set(`${e.doc.host.name}/${childQid}`, { parent: e, kind, ms: e.lastMs });
        }
      }
    }
  }

  return {
    push,
    expire,
    drain,
    restore,
    get size() {
      return order.size;
    },
    get lastKey() {
      return lastKey;
    },
    keyOf: (host, instance, queueId) => liveGet(host, instance, queueId)?.doc.key,
  };
}
