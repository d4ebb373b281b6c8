/** Two-sample Kolmogorov–Smirnov p-value, scipy.stats.ks_2samp(..., method="asymp"). */
import { kolmogorovSf } from '../special/kolmogorov';

/** numpy.round: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 ? 2 * Math.round(x / 2) : r;
}

/**
 * p = kstwo.sf(D, round(n₁n₂/(n₁+n₂))), clipped to [0, 1]. scipy returns NaN when the
 * effective size rounds to 0 (one value on each side); that is reported as 1 — no evidence
 * of drift — so a result is never NaN.
 */
export function ksAsymptoticPValue(d: number, n1: number, n2: number): number {
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  const p = kolmogorovSf(roundHalfEven(en), d);
  return Number.isNaN(p) ? 1 : Math.min(1, Math.max(0, p));
}
