/**
 * `PRIVACY=hash-local-part`: the part of every e-mail address before the `@` is replaced by a
 * keyed hash before anything is indexed, so mail can be counted, traced and grouped by domain
 * without storing who wrote to whom. The hash is HMAC-SHA256 with PRIVACY_KEY: the same address
 * always gives the same value (traces and per-sender tables still work), and without the key
 * nobody can test guesses against it. SASL user names are hashed whole.
 *
 * Applied to each event right after parsing, before correlation, so message documents (and the
 * correlator state rebuilt from them after a restart) only ever hold hashed addresses. The raw
 * line `event.original` and the reply text are rewritten the same way: with privacy on, the
 * stored original is the line with its addresses replaced, not the line exactly.
 */
import { createHmac } from 'node:crypto';
import type { Config } from '../core/config.js';
import type { MailEvent } from '../core/event.js';

export type Redactor = (event: MailEvent) => MailEvent;

/** Addresses as they appear in Postfix lines: `from=<a@b>`, `to=<a@b>`, `sasl_username=a@b`, replies. */
const ADDRESS = /([A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/g;
const SASL_USER = /(sasl_username=)([^,\s@]+)(?=[,\s]|$)/g;

export function createRedactor(key: string): Redactor {
  const cache = new Map<string, string>();
  const hash = (value: string): string => {
    const lower = value.toLowerCase();
    let out = cache.get(lower);
    if (out === undefined) {
      out = `anon-${createHmac('sha256', key).update(lower).digest('hex').slice(0, 16)}`;
      // Bounded: a cache, not a store of every address ever seen.
      if (cache.size >= 50_000) cache.clear();
      cache.set(lower, out);
    }
    return out;
  };
  const address = (a: string): string => {
    const at = a.lastIndexOf('@');
    return at <= 0 ? hash(a) : `${hash(a.slice(0, at))}${a.slice(at)}`;
  };
  const text = (s: string): string =>
    s.replace(ADDRESS, (_m, local: string, domain: string) => `${hash(local)}@${domain}`).replace(
      SASL_USER,
      (_m, k: string, user: string) => `${k}${hash(user)}`,
    );

  return (event) => {
    const out: MailEvent = { ...event, event: { ...event.event, original: text(event.event.original) } };
    const email = event.email;
    if (email?.from || email?.to) {
      out.email = { ...email };
      if (email.from) out.email.from = { ...email.from, address: address(email.from.address) };
      if (email.to) out.email.to = { ...email.to, address: address(email.to.address) };
    }
    if (event.user) out.user = { name: address(event.user.name) };
    const postfix = event.postfix;
    if (postfix && (postfix.orig_to !== undefined || postfix.response !== undefined)) {
      out.postfix = { ...postfix };
      if (postfix.orig_to !== undefined) out.postfix.orig_to = address(postfix.orig_to);
      if (postfix.response !== undefined) out.postfix.response = text(postfix.response);
    }
    return out;
  };
}

/** The redactor the configuration asks for, if any (config validation ensures the key). */
export function redactorFor(config: Config): Redactor | undefined {
  const { mode, key } = config.privacy;
  return mode === 'hash-local-part' && key !== undefined ? createRedactor(key) : undefined;
}
