/**
 * Message identity and timestamp reading, without zod: the correlator and the report need these
 * on every line, and loading the schema library costs ~100 ms of start-up that a one-shot
 * `mailpulse report` would pay for nothing. `core/message.ts` re-exports them.
 */

/**
 * Stable identity of one message: reuse of a queue ID later gets a different key. `firstSeen`
 * is the `@timestamp` of the first line the correlator took for it (ISO string or epoch ms).
 */
export function messageKey(host: string, instance: string, queueId: string, firstSeen: string | number): string {
  return `${host}/${instance}/${queueId}/${typeof firstSeen === 'number' ? firstSeen : timestampMs(firstSeen)}`;
}

let cachedSecond = '';
let cachedSecondMs = 0;

/**
 * Epoch ms of an event or document timestamp (NaN if unreadable). The parser writes
 * `YYYY-MM-DDTHH:MM:SS.mmmZ`, and consecutive lines mostly share their second, so that form is
 * read from a one-entry cache; anything else goes through `Date.parse`.
 */
export function timestampMs(iso: string): number {
  if (iso.length === 24 && iso.charCodeAt(23) === 90 && iso.charCodeAt(19) === 46) {
    const second = iso.slice(0, 19);
    if (second !== cachedSecond) {
      const ms = Date.parse(`${second}Z`);
      if (Number.isNaN(ms)) return Date.parse(iso);
      cachedSecond = second;
      cachedSecondMs = ms;
    }
    const a = iso.charCodeAt(20) - 48;
    const b = iso.charCodeAt(21) - 48;
    const c = iso.charCodeAt(22) - 48;
    if (a >= 0 && a <= 9 && b >= 0 && b <= 9 && c >= 0 && c <= 9) return cachedSecondMs + a * 100 + b * 10 + c;
  }
  return Date.parse(iso);
}
