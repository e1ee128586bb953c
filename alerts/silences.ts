/**
 * Silences: an alert whose labels match every matcher of an active silence is not notified.
 * Two sources, one shape: silences written in the rules file (reloaded with it) and silences
 * created through the API (kept in the alerts index). Matching is pure.
 */
import type { SilenceInput } from './rules.js';
import type { Silence } from './state-store.js';

export function isActive(s: Pick<Silence, 'starts_at' | 'ends_at'>, now: number): boolean {
  return Date.parse(s.starts_at) <= now && now < Date.parse(s.ends_at);
}

export function matches(s: Pick<Silence, 'matchers'>, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(s.matchers).every(([k, v]) => labels[k] === v);
}

/** The first active silence covering these labels, if any. */
export function silencedBy(
  silences: readonly Silence[],
  labels: Readonly<Record<string, string>>,
  now: number,
): Silence | undefined {
  return silences.find((s) => isActive(s, now) && matches(s, labels));
}

/** Rules-file silences in the stored shape; ids are stable across reloads of the same file. */
export function fileSilences(inputs: readonly SilenceInput[]): Silence[] {
  return inputs.map((s, i) => ({
    id: `file-${i}`,
    matchers: s.matchers,
    starts_at: s.starts_at ?? new Date(0).toISOString(),
    ends_at: s.ends_at,
    comment: s.comment,
    created_by: s.created_by,
    created_at: new Date(0).toISOString(),
  }));
}
