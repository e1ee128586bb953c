/**
 * The report's metric math: pure functions and small bounded counters, each with table tests.
 * Counting rules (contract §3) are applied in `accumulate.ts`; here is only the arithmetic.
 */

/** delivered / (delivered + bounced + expired); null when nothing reached a final outcome. */
export function deliveryRate(delivered: number, bounced: number, expired: number): number | null {
  const denominator = delivered + bounced + expired;
  if (denominator === 0) return null;
  return Math.round((delivered / denominator) * 1e6) / 1e6;
}

/** The UTC hour a timestamp falls in, as ISO 8601 (`2023-03-14T09:00:00Z`); undefined if unreadable. */
export function hourOf(ms: number): string | undefined {
  if (!Number.isFinite(ms)) return undefined;
  const hour = Math.floor(ms / 3_600_000);
  if (hour !== cachedHour) {
    cachedHour = hour;
    cachedHourKey = `${new Date(hour * 3_600_000).toISOString().slice(0, 13)}:00:00Z`;
  }
  return cachedHourKey;
}

let cachedHour = Number.NaN;
let cachedHourKey = '';

/** Domain part of an address, lowercased; `(local)` for a bare local part, `(none)` for `<>`. */
export function domainOf(address: string): string {
  if (address === '') return '(none)';
  const at = address.lastIndexOf('@');
  if (at < 0) return '(local)';
  return address.slice(at + 1).toLowerCase();
}

/**
 * Exact nearest-rank percentiles over a value → count histogram. Postfix logs delays with at
 * most two significant decimals, so the histogram of a year of logs stays small.
 */
export class Histogram {
  private readonly counts = new Map<number, number>();
  private n = 0;
  private readonly maxDistinct: number;

  constructor(maxDistinct = 200_000) {
    this.maxDistinct = maxDistinct;
  }

  add(value: number): void {
    if (!Number.isFinite(value) || value < 0) return;
    // Past the cap, values with more precision than Postfix prints are bucketed to 3 digits.
    const v =
      this.counts.size >= this.maxDistinct && !this.counts.has(value) ? Number(value.toPrecision(3)) : value;
    this.counts.set(v, (this.counts.get(v) ?? 0) + 1);
    this.n += 1;
  }

  get count(): number {
    return this.n;
  }

  /** value → count pairs, for moving a histogram across threads (`merge`). */
  entries(): Array<[number, number]> {
    return [...this.counts.entries()];
  }

  merge(entries: ReadonlyArray<readonly [number, number]>): void {
    for (const [v, c] of entries) {
      this.counts.set(v, (this.counts.get(v) ?? 0) + c);
      this.n += c;
    }
  }

  /** Values at each requested percentile (0 < p ≤ 100): the smallest v with count(≤ v) ≥ ⌈p·n/100⌉. */
  percentiles(ps: readonly number[]): number[] {
    if (this.n === 0) return ps.map(() => 0);
    const sorted = [...this.counts.entries()].sort((a, b) => a[0] - b[0]);
    return ps.map((p) => {
      const rank = Math.max(1, Math.ceil((p / 100) * this.n));
      let seen = 0;
      for (const [v, c] of sorted) {
        seen += c;
        if (seen >= rank) return v;
      }
      return sorted[sorted.length - 1]?.[0] ?? 0;
    });
  }
}

/** Nearest-rank percentile of a plain list (the generator's truth uses this). */
export function percentileOf(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/**
 * Top-k counter with bounded memory: exact while it holds at most `2 × capacity` distinct keys;
 * past that it keeps the `capacity` largest and drops the rest (a dropped key that comes back
 * starts again from zero), so the heavy hitters of a huge input survive with counts that may be
 * low by what they had before a prune. `exact` says whether that ever happened.
 */
export class TopCounter {
  private readonly counts = new Map<string, number>();
  private readonly capacity: number;
  private exactFlag = true;

  constructor(capacity = 10_000) {
    this.capacity = capacity;
  }

  add(key: string, by = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + by);
    if (this.counts.size >= 2 * this.capacity) this.prune();
  }

  private prune(): void {
    this.exactFlag = false;
    const keep = this.sorted().slice(0, this.capacity);
    this.counts.clear();
    for (const [k, v] of keep) this.counts.set(k, v);
  }

  private sorted(): Array<[string, number]> {
    return [...this.counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** key → count pairs and exactness, for moving a counter across threads (`merge`). */
  state(): { entries: Array<[string, number]>; exact: boolean } {
    return { entries: [...this.counts.entries()], exact: this.exactFlag };
  }

  merge(state: { entries: ReadonlyArray<readonly [string, number]>; exact: boolean }): void {
    if (!state.exact) this.exactFlag = false;
    for (const [k, v] of state.entries) this.add(k, v);
  }

  /** Whether every count is exact (no prune happened). */
  get exact(): boolean {
    return this.exactFlag;
  }

  get size(): number {
    return this.counts.size;
  }

  /** The k largest, count descending then key ascending (stable output for tests and diffs). */
  top(k: number): Array<[string, number]> {
    return this.sorted().slice(0, k);
  }
}
