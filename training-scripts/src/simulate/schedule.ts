/**
 * Arrival times of a Poisson process (pure): independent exponential gaps with mean 1/rate,
 * the irregular spacing real traffic has — bursts and lulls — rather than a metronome.
 */
import type { Rng } from '@wine/model';

/** One gap in milliseconds for `rate` requests per second. */
export function poissonGapMs(rate: number, rng: Rng): number {
  // 1 − u is in (0, 1], so the log is finite.
  return (-Math.log(1 - rng.next()) / rate) * 1000;
}

/** Nearest-rank percentile of values sorted ascending (0 for none). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1] as number;
}
