/**
 * JSON written straight into a growing byte buffer as UTF-8: for the plain data the indexer
 * writes (objects, arrays, strings, numbers, booleans, null), byte for byte what
 * `Buffer.from(JSON.stringify(value))` gives. An object whose prototype is not Object's (a Date,
 * a class instance) is handed to `JSON.stringify` itself, and a bigint throws as it does there.
 * A plain object's own `toJSON` is not called (checking every object for one cost 0.2 µs per
 * event): the indexer's documents have none.
 *
 * Why not `JSON.stringify` and a copy: V8 builds its result in parts of growing size and joins
 * them as a rope, which the copy into the buffer then flattens, so each event's JSON text was
 * allocated about three times over. The indexer allocated 6.5 KB per line, 4.2 KB with this
 * (sampled over a 1M-line backlog), and needed 325 young-generation collections instead of 477.
 * Here nothing is allocated per document but the odd number's text, and long plain strings (the
 * raw line) are copied by one native call after a regular-expression check that they need no
 * escaping: 2.3 µs per event against 3.1 for `JSON.stringify` and its copy (`node
 * dist/bench/json-bytes.bench.js`).
 */

/** Strings at least this long are checked by `PLAIN` and copied natively; shorter ones byte by byte. */
const NATIVE_FROM = 25;
/** Printable ASCII but `"` and `\`: copied as they are. */
const PLAIN = /^[\u0020\u0021\u0023-\u005b\u005d-\u007e]*$/;
const HEX = '0123456789abcdef';
const QUOTE = 34;
const BACKSLASH = 92;

/**
 * Node's one-byte string copy, which `buf.write(s, at, 'latin1')` calls after sorting out its
 * arguments: called directly it took 0.15 µs less per event. It is not in Node's typings.
 */
type LatinWriter = Buffer & { latin1Write(s: string, at: number): number };

export class JsonBytes {
  /** The bytes written are `buf[0, used)`; `buf` is replaced when it grows. */
  buf: Buffer;
  used = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafeSlow(Math.max(capacity, 1));
  }

  /** Room for `n` more bytes. */
  reserve(n: number): void {
    if (this.used + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.used + n));
    this.buf.copy(grown, 0, 0, this.used);
    this.buf = grown;
  }

  /** Text that is JSON already (or an action line's fixed parts), as UTF-8. */
  raw(text: string): void {
    // A UTF-16 code unit takes at most 3 bytes of UTF-8.
    this.reserve(3 * text.length);
    this.used += this.buf.write(text, this.used);
  }

  /** One ASCII byte. */
  byte(b: number): void {
    this.reserve(1);
    this.buf[this.used++] = b;
  }

  value(v: unknown): void {
    switch (typeof v) {
      case 'string':
        this.string(v);
        return;
      case 'number':
        this.ascii(Number.isFinite(v) ? String(v) : 'null');
        return;
      case 'boolean':
        this.ascii(v ? 'true' : 'false');
        return;
      case 'object':
        if (v === null) this.ascii('null');
        else if (Array.isArray(v)) this.array(v);
        else this.object(v);
        return;
      default:
        // undefined, a function or a symbol at the top: JSON.stringify gives no text for them.
        this.raw(JSON.stringify(v) ?? 'null');
    }
  }

  /** An object's members, then `extra`'s as if they were its own last ones (without copying it). */
  object(o: object, extra?: object): void {
    const proto = Object.getPrototypeOf(o);
    if (proto !== Object.prototype && proto !== null) {
      this.raw(JSON.stringify(extra === undefined ? o : { ...o, ...extra }));
      return;
    }
    this.byte(123);
    const first = this.members(o, true);
    if (extra !== undefined) this.members(extra, first);
    this.byte(125);
  }

  /** Writes the members; true while none was written. */
  private members(o: object, first: boolean): boolean {
    for (const k in o) {
      const v = (o as Record<string, unknown>)[k];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      this.key(k, first);
      first = false;
      this.value(v);
    }
    return first;
  }

  private array(a: readonly unknown[]): void {
    this.byte(91);
    for (let i = 0; i < a.length; i++) {
      if (i > 0) this.byte(44);
      const v = a[i];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') this.ascii('null');
      else this.value(v);
    }
    this.byte(93);
  }

  /** `"key":`, after a comma unless it is the first; a key that needs escaping goes through `string`. */
  private key(k: string, first: boolean): void {
    const n = k.length;
    this.reserve(n + 4);
    const b = this.buf;
    let p = this.used;
    if (!first) b[p++] = 44;
    const start = p;
    b[p++] = QUOTE;
    for (let i = 0; i < n; i++) {
      const c = k.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) {
        this.used = start;
        this.string(k);
        this.byte(58);
        return;
      }
      b[p++] = c;
    }
    b[p++] = QUOTE;
    b[p++] = 58;
    this.used = p;
  }

  /** Text known to be ASCII with nothing to escape (numbers, literals, fixed JSON text). */
  ascii(s: string): void {
    const n = s.length;
    this.reserve(n);
    const b = this.buf;
    let p = this.used;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.used = p;
  }

  private string(s: string): void {
    const n = s.length;
    // Worst case: every unit escaped as \uXXXX.
    this.reserve(6 * n + 2);
    const b = this.buf;
    let p = this.used;
    b[p++] = QUOTE;
    if (n >= NATIVE_FROM && PLAIN.test(s)) {
      p += (b as LatinWriter).latin1Write(s, p);
      b[p++] = QUOTE;
      this.used = p;
      return;
    }
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c !== QUOTE && c !== BACKSLASH) b[p++] = c;
        else p = escaped(b, p, c);
      } else if (c < 0x800) {
        b[p++] = 0xc0 | (c >> 6);
        b[p++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          const cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
          b[p++] = 0xf0 | (cp >> 18);
          b[p++] = 0x80 | ((cp >> 12) & 0x3f);
          b[p++] = 0x80 | ((cp >> 6) & 0x3f);
          b[p++] = 0x80 | (cp & 0x3f);
          i++;
        } else {
          // A lone surrogate: JSON.stringify escapes it (well-formed JSON.stringify, ES2019).
          p = unicodeEscape(b, p, c);
        }
      } else {
        b[p++] = 0xe0 | (c >> 12);
        b[p++] = 0x80 | ((c >> 6) & 0x3f);
        b[p++] = 0x80 | (c & 0x3f);
      }
    }
    b[p++] = QUOTE;
    this.used = p;
  }
}

function unicodeEscape(b: Buffer, p: number, c: number): number {
  b[p++] = BACKSLASH;
  b[p++] = 117;
  b[p++] = HEX.charCodeAt(c >> 12);
  b[p++] = HEX.charCodeAt((c >> 8) & 15);
  b[p++] = HEX.charCodeAt((c >> 4) & 15);
  b[p++] = HEX.charCodeAt(c & 15);
  return p;
}

/** The letter after the backslash of JSON's two-character escapes, by character code; 0: none. */
const SHORT_ESCAPES = new Uint8Array(0x80);
for (const [c, letter] of [
  [0x22, QUOTE],
  [0x5c, BACKSLASH],
  [0x08, 98],
  [0x0c, 102],
  [0x0a, 110],
  [0x0d, 114],
  [0x09, 116],
]) {
  SHORT_ESCAPES[c as number] = letter as number;
}

/** `"`, `\` and the C0 controls, as JSON.stringify writes them. */
function escaped(b: Buffer, p: number, c: number): number {
  const short = SHORT_ESCAPES[c] as number;
  if (short === 0) return unicodeEscape(b, p, c);
  b[p++] = BACKSLASH;
  b[p++] = short;
  return p;
}
