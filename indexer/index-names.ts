/**
 * Names of the indices, aliases and templates. Daily indices carry the UTC day in their name
 * (`<prefix>-events-2026.11.27`), which is what retention reads: no index metadata, no ILM.
 */

export const INDEX_KINDS = ['events', 'messages', 'deadletter'] as const;
export type IndexKind = (typeof INDEX_KINDS)[number];

/** UTC day of an ISO timestamp as `YYYY.MM.DD`, or undefined when the timestamp is not a date. */
export function utcDay(timestamp: string | number): string | undefined {
  const ms = typeof timestamp === 'number' ? timestamp : Date.parse(timestamp);
  if (!Number.isFinite(ms)) return undefined;
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  // Years outside 4 digits would make a name retention cannot read back.
  if (year < 1000 || year > 9999) return undefined;
  return `${year}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** The alias every daily index of a kind belongs to; readers query this. */
export function aliasName(prefix: string, kind: IndexKind): string {
  return `${prefix}-${kind}`;
}

export function dailyIndexName(prefix: string, kind: IndexKind, day: string): string {
  return `${prefix}-${kind}-${day}`;
}

export function indexPattern(prefix: string, kind: IndexKind): string {
  return `${prefix}-${kind}-*`;
}

export function templateName(prefix: string, kind: IndexKind): string {
  return `${prefix}-${kind}`;
}

/**
 * The day a daily index holds, as UTC midnight in ms, or undefined when the name is not one
 * of ours for this prefix (another prefix that merely starts the same way, a hand-made index).
 */
export function dailyIndexDay(
  prefix: string,
  name: string,
): { kind: IndexKind; dayStart: number } | undefined {
  for (const kind of INDEX_KINDS) {
    const head = `${prefix}-${kind}-`;
    if (!name.startsWith(head)) continue;
    const m = /^(\d{4})\.(\d{2})\.(\d{2})$/.exec(name.slice(head.length));
    if (!m) return undefined;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const dayStart = Date.UTC(y, mo - 1, d);
    const back = new Date(dayStart);
    if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d)
      return undefined;
    return { kind, dayStart };
  }
  return undefined;
}
