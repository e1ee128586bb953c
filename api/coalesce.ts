/**
 * Identical requests in flight share one answer. Dashboards open on several screens refresh
 * the same panels at the same moment; with `now` rounded to the minute (metrics/range.ts) their
 * parsed queries are equal, and one Elasticsearch round trip and one shaping answer them all.
 * Nothing is kept once the answer is out: a request arriving after it starts its own, so no
 * answer is older than a request that was already running when the caller asked.
 */
export type Coalesce<T> = (key: string, compute: () => Promise<T>) => Promise<T>;

export function coalescer<T>(): Coalesce<T> {
  const inFlight = new Map<string, Promise<T>>();
  return (key, compute) => {
    const running = inFlight.get(key);
    if (running) return running;
    const answer = compute().finally(() => inFlight.delete(key));
    inFlight.set(key, answer);
    return answer;
  };
}
