/**
 * The median the benchmarks report of their timed passes: the upper middle of an even count
 * (a measured pass, not an average of two), NaN when there is none.
 */
export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
