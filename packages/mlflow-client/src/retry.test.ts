import { backoffDelayMs, isRetryableStatus, parseRetryAfter, shouldRetry } from './retry';

const options = { initialDelayMs: 100, maxDelayMs: 1000, jitterMs: 50 };

describe('retry policy', () => {
  it.each([
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
  ])('status %i retryable: %s', (status, expected) => {
    expect(isRetryableStatus(status)).toBe(expected);
    expect(shouldRetry({ kind: 'response', status })).toBe(expected);
  });

  it('always retries connection errors and timeouts', () => {
    expect(shouldRetry({ kind: 'connection-error' })).toBe(true);
    expect(shouldRetry({ kind: 'timeout' })).toBe(true);
  });

  it('doubles the delay, caps it and adds jitter', () => {
    const noJitter = () => 0;
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, options, noJitter))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    expect(backoffDelayMs(1, options, () => 1)).toBe(150);
  });

  it('waits at least Retry-After, but never beyond the cap', () => {
    expect(backoffDelayMs(1, options, () => 0, 700)).toBe(700);
    expect(backoffDelayMs(1, options, () => 0, 60_000)).toBe(1000);
  });

  it('parses Retry-After seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
