/**
 * Retry policy, pure so it can be tested without a clock or a network. Mirrors the Python
 * client (mlflow/utils/request_utils.py): transient statuses and connection errors are retried
 * with exponential backoff plus jitter, Retry-After is honoured; 4xx other than 408/429 never.
 */

export interface BackoffOptions {
  /** Delay before the first retry, doubled for each further one. */
  readonly initialDelayMs: number;
  /** Upper bound for one delay, also for a server's Retry-After. */
  readonly maxDelayMs: number;
  /** Up to this much random delay is added, so clients that failed together do not retry together. */
  readonly jitterMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialDelayMs: 500,
  maxDelayMs: 15_000,
  jitterMs: 500,
};

export type AttemptOutcome =
  | { readonly kind: 'response'; readonly status: number }
  | { readonly kind: 'connection-error' }
  | { readonly kind: 'timeout' };

/** 408 and 429 are the only 4xx worth repeating; every 5xx may be a restart or overload. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

export function shouldRetry(outcome: AttemptOutcome): boolean {
  return outcome.kind !== 'response' || isRetryableStatus(outcome.status);
}

/**
 * Delay before retry number `retry` (1-based). `random` is injected (Math.random in
 * production) so tests can pin the jitter.
 */
export function backoffDelayMs(
  retry: number,
  options: BackoffOptions,
  random: () => number,
  retryAfterMs?: number,
): number {
  const exponential = options.initialDelayMs * 2 ** Math.max(0, retry - 1);
  const base = Math.min(options.maxDelayMs, Math.max(exponential, retryAfterMs ?? 0));
  return Math.round(base + random() * options.jitterMs);
}

/** Retry-After is either delta-seconds or an HTTP date; anything else is ignored. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
