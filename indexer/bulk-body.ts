/**
 * `_bulk` request bodies, encoded as they are built. An action's two NDJSON lines go into one
 * growing buffer as UTF-8 the moment it is added, so:
 * - a document's JSON text is garbage at once instead of living (and being copied by the
 *   garbage collector into the old generation) until Elasticsearch answers;
 * - the request needs no string join, no length scan and no second UTF-8 encoding: the client
 *   sends the buffer as it is.
 * Before this, joining and re-encoding bodies cost the indexer about 2 of its 45 CPU-seconds per
 * million lines. A refused document's text is decoded back from the buffer (rare).
 */

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

/** Everything before the document: the action line, and for an upsert the wrapper's start. */
function head(a: BulkMeta): string {
  switch (a.op) {
    case 'create':
      if (a.id === undefined) return `{"create":${actionMeta(a)}}\n`;
      if (a.index !== createIndex) {
        createIndex = a.index;
        createPrefix = `{"create":{"_index":${JSON.stringify(a.index)},"_id":`;
      }
      return `${createPrefix}${JSON.stringify(a.id)}}}\n`;
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
  private buf: Buffer;
  private used = 0;
  readonly entries: BulkEntry<M>[] = [];

  constructor(capacity = INITIAL_BYTES) {
    this.buf = Buffer.allocUnsafeSlow(capacity);
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
    return this.used;
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
    return n < maxDocs && this.used + size <= maxBytes;
  }

  add(meta: M, source: string): void {
    const h = head(meta);
    const tail = meta.op === 'upsert' ? UPSERT_TAIL : '\n';
    // A UTF-16 code unit takes at most 3 bytes of UTF-8: room for the worst case, then exact.
    this.reserve(3 * (h.length + source.length) + tail.length);
    const buf = this.buf;
    const at = this.used;
    const sourceAt = at + buf.write(h, at);
    const sourceEnd = sourceAt + buf.write(source, sourceAt);
    this.used = sourceEnd + buf.write(tail, sourceEnd, 'latin1');
    this.entries.push({ meta, at, sourceAt, sourceEnd, end: this.used });
  }

  /** The document of an entry, as JSON text. */
  sourceOf(entry: BulkEntry<M>): string {
    return this.buf.toString('utf8', entry.sourceAt, entry.sourceEnd);
  }

  /** The request body: a view of the internal buffer, valid until the next `add`. */
  payload(): Buffer {
    return this.buf.subarray(0, this.used);
  }

  /** A new body with some of this body's entries, in the order given (to send them again). */
  subset(entries: readonly BulkEntry<M>[]): BulkBody<M> {
    let size = 0;
    for (const e of entries) size += e.end - e.at;
    const out = new BulkBody<M>(Math.max(size, 1));
    for (const e of entries) {
      const at = out.used;
      this.buf.copy(out.buf, at, e.at, e.end);
      out.used += e.end - e.at;
      out.entries.push({
        meta: e.meta,
        at,
        sourceAt: at + (e.sourceAt - e.at),
        sourceEnd: at + (e.sourceEnd - e.at),
        end: out.used,
      });
    }
    return out;
  }

  private reserve(n: number): void {
    if (this.used + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.used + n));
    this.buf.copy(grown, 0, 0, this.used);
    this.buf = grown;
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
