/**
 * `_bulk` request bodies, encoded as they are built. An action's two NDJSON lines go into one
 * growing buffer as UTF-8 the moment it is added, so:
 * - a document given as a value (`addValue`: events, message documents) is written as JSON
 *   straight into the buffer, with no text in between (`json-bytes.ts`); one given as text
 *   (dead letters) is garbage at once instead of living (and being copied by the garbage
 *   collector into the old generation) until Elasticsearch answers;
 * - the request needs no string join, no length scan and no second UTF-8 encoding: the client
 *   sends the buffer as it is.
 * Before this, joining and re-encoding bodies cost the indexer about 2 of its 45 CPU-seconds per
 * million lines. A refused document's text is decoded back from the buffer (rare).
 */

import { JsonBytes } from './json-bytes.js';

/** What to do with a document, without the document. */
export interface BulkMeta {
  /**
   * `create` for events (idempotent by id, 409 = already there); `index` for message documents
   * from Kafka (with `version`) and dead letters; `upsert` (partial update with `doc_as_upsert`,
   * the whole document) for message documents of direct writes.
   */
  op: 'create' | 'upsert' | 'index';
  /**
   * With `index`: the document replaces the stored one only if its version is not lower
   * (`external_gte`); a 409 then means a newer copy is stored, which is success.
   */
  version?: number;
  /** What the document is, for the caller's bookkeeping of refusals. */
  kind?: 'event' | 'message' | 'deadletter';
  index: string;
  id?: string;
}

export interface BulkAction extends BulkMeta {
  /** The document as JSON text. */
  source: string;
}

/** One action in a body: its metadata and where its bytes are. */
export interface BulkEntry<M extends BulkMeta> {
  meta: M;
  /** Start of the action line; the document runs from `sourceAt` to `sourceEnd`; `end` is past the body line. */
  at: number;
  sourceAt: number;
  sourceEnd: number;
  end: number;
}

/** The action line's metadata object as JSON text, built directly (one per document, so it counts). */
function actionMeta(a: BulkMeta, extra = ''): string {
  const id = a.id === undefined ? '' : `,"_id":${JSON.stringify(a.id)}`;
  return `{"_index":${JSON.stringify(a.index)}${id}${extra}}`;
}

/** The create line up to its id, for the last index name seen: a batch's events share one. */
let createIndex: string | undefined;
let createPrefix = '';

/**
 * Everything before the document: the action line, and for an upsert the wrapper's start. An
 * event's create line is written in its parts, with no string built for it (one per line).
 */
function writeHead(out: JsonBytes, a: BulkMeta): void {
  if (a.op === 'create' && a.id !== undefined) {
    if (a.index !== createIndex) {
      createIndex = a.index;
      createPrefix = `{"create":{"_index":${JSON.stringify(a.index)},"_id":`;
    }
    out.raw(createPrefix);
    out.value(a.id);
    out.ascii('}}\n');
  } else out.raw(head(a));
}

function head(a: BulkMeta): string {
  switch (a.op) {
    case 'create':
      return `{"create":${actionMeta(a)}}\n`;
    case 'index':
      return a.version === undefined
        ? `{"index":${actionMeta(a)}}\n`
        : `{"index":${actionMeta(a, `,"version":${a.version},"version_type":"external_gte"`)}}\n`;
    case 'upsert':
      // Two indexers can race on one message during a rebalance; the later whole document wins.
      return `{"update":${actionMeta(a, ',"retry_on_conflict":5')}}\n{"doc":`;
  }
}

const UPSERT_TAIL = ',"doc_as_upsert":true}\n';
const INITIAL_BYTES = 256 * 1024;

export class BulkBody<M extends BulkMeta = BulkMeta> {
  private readonly out: JsonBytes;
  readonly entries: BulkEntry<M>[] = [];

  constructor(capacity = INITIAL_BYTES) {
    this.out = new JsonBytes(capacity);
  }

  static of<A extends BulkAction>(actions: readonly A[]): BulkBody<A> {
    const body = new BulkBody<A>();
    for (const a of actions) body.add(a, a.source);
    return body;
  }

  get count(): number {
    return this.entries.length;
  }

  get bytes(): number {
    return this.out.used;
  }

  /**
   * Whether an action with this document keeps the body within `maxDocs` documents and about
   * `maxBytes` bytes (JSON text length, and an allowance for the action line). An empty body
   * takes any: a document larger than the limit goes in a request of its own.
   */
  fits(meta: BulkMeta, source: string, maxDocs: number, maxBytes: number): boolean {
    const n = this.entries.length;
    if (n === 0) return true;
    const size = source.length + meta.index.length + (meta.id?.length ?? 0) + 64;
    return n < maxDocs && this.out.used + size <= maxBytes;
  }

  /**
   * For a document whose size is known only once written (`addValue`): when it took the body
   * past `maxBytes` and is not alone in it, it moves to a new body, returned (the caller sends
   * this one). As with `fits`, only a single document larger than the limit makes a larger body.
   */
  splitOver(maxBytes: number): BulkBody<M> | undefined {
    if (this.out.used <= maxBytes || this.entries.length < 2) return undefined;
    const last = this.entries.pop() as BulkEntry<M>;
    const next = this.subset([last]);
    this.out.used = last.at;
    return next;
  }

  /** An action with its document as JSON text. */
  add(meta: M, source: string): void {
    const at = this.out.used;
    writeHead(this.out, meta);
    const sourceAt = this.out.used;
    this.out.raw(source);
    this.finish(meta, at, sourceAt);
  }

  /**
   * An action with its document as a value, written as JSON straight into the body
   * (`JsonBytes`), with `extra`'s members appended to it.
   */
  addValue(meta: M, doc: object, extra?: object): void {
    const at = this.out.used;
    writeHead(this.out, meta);
    const sourceAt = this.out.used;
    this.out.object(doc, extra);
    this.finish(meta, at, sourceAt);
  }

  private finish(meta: M, at: number, sourceAt: number): void {
    const sourceEnd = this.out.used;
    this.out.ascii(meta.op === 'upsert' ? UPSERT_TAIL : '\n');
    this.entries.push({ meta, at, sourceAt, sourceEnd, end: this.out.used });
  }

  /** The document of an entry, as JSON text. */
  sourceOf(entry: BulkEntry<M>): string {
    return this.out.buf.toString('utf8', entry.sourceAt, entry.sourceEnd);
  }

  /** The request body: a view of the internal buffer, valid until the next action is added. */
  payload(): Buffer {
    return this.out.buf.subarray(0, this.out.used);
  }

  /** A new body with some of this body's entries, in the order given (to send them again). */
  subset(entries: readonly BulkEntry<M>[]): BulkBody<M> {
    let size = 0;
    for (const e of entries) size += e.end - e.at;
    const copy = new BulkBody<M>(size);
    const out = copy.out;
    for (const e of entries) {
      const at = out.used;
      this.out.buf.copy(out.buf, at, e.at, e.end);
      out.used += e.end - e.at;
      copy.entries.push({
        meta: e.meta,
        at,
        sourceAt: at + (e.sourceAt - e.at),
        sourceEnd: at + (e.sourceEnd - e.at),
        end: out.used,
      });
    }
    return copy;
  }
}

/** Bodies of at most `maxDocs` documents and about `maxBytes` bytes, in order. */
export function bulkBodies<A extends BulkAction>(
  actions: readonly A[],
  maxDocs: number,
  maxBytes: number,
): BulkBody<A>[] {
  const bodies: BulkBody<A>[] = [];
  let current = new BulkBody<A>();
  for (const a of actions) {
    if (!current.fits(a, a.source, maxDocs, maxBytes)) {
      bodies.push(current);
      current = new BulkBody<A>();
    }
    current.add(a, a.source);
  }
  if (current.count > 0) bodies.push(current);
  return bodies;
}
