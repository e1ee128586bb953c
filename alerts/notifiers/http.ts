/**
 * One HTTP POST with the retry policy every notifier shares: exponential backoff with full
 * jitter on 5xx, 429 and network errors or timeouts; a 429's `Retry-After` is honoured
 * (capped); any other 4xx is final, since sending the same request again cannot help.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  readonly maxAttempts: number;
  /** First backoff, ms; doubles each attempt up to `capMs`. */
  readonly baseMs: number;
  readonly capMs: number;
  /** Per attempt, ms. */
  readonly timeoutMs: number;
  /** Longest Retry-After we wait; a longer one is waited for this long. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 6,
  baseMs: 500,
  capMs: 30_000,
  timeoutMs: 10_000,
  maxRetryAfterMs: 120_000,
};

export interface PostResult {
  readonly ok: boolean;
  readonly attempts: number;
  readonly status?: number;
  readonly error?: string;
}

export interface PostRequest {
  readonly url: string;
  readonly body: string;
  /** Called before each attempt: signatures carry the attempt's timestamp. */
  readonly headers: () => Record<string, string>;
}

/** `Retry-After` as seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

export async function postWithRetry(
  req: PostRequest,
  policy: RetryPolicy,
  onRetry?: (info: { attempt: number; waitMs: number; reason: string }) => void,
): Promise<PostResult> {
  let last: PostResult = { ok: false, attempts: 0, error: 'not attempted' };
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    let wait: number | undefined;
    try {
      const res = await fetch(req.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...req.headers() },
        body: req.body,
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      // Drain the body so the connection can be reused.
      const text = await res.text().catch(() => '');
      if (res.ok) return { ok: true, attempts: attempt, status: res.status };
      last = {
        ok: false,
        attempts: attempt,
        status: res.status,
        error: `HTTP ${res.status} ${text.slice(0, 200)}`.trim(),
      };
      if (res.status === 429) {
        const after = retryAfterMs(res.headers.get('retry-after'), Date.now());
        if (after !== undefined) wait = Math.min(after, policy.maxRetryAfterMs);
      } else if (res.status < 500) {
        return last;
      }
    } catch (err) {
      const e = err as Error;
      last = {
        ok: false,
        attempts: attempt,
        error: e.name === 'TimeoutError' ? `timed out after ${policy.timeoutMs} ms` : e.message,
      };
    }
    if (attempt === policy.maxAttempts) break;
    const waitMs = wait ?? backoffMs(attempt, policy);
    onRetry?.({ attempt, waitMs, reason: last.error ?? '' });
    await sleep(waitMs);
  }
  return last;
}
