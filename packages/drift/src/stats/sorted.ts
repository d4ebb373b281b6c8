/**
 * One merge walk over two sorted samples gives what the numerical methods need: the KS
 * statistic, the Wasserstein-1 distance and the pooled number of distinct values. Both
 * follow scipy's definitions point for point — ECDFs by `searchsorted(..., 'right')`, the
 * same i/n₁ − j/n₂ differences — so the KS statistic is bit-identical to ks_2samp's.
 */
import { DriftError } from '../errors';

/** Copies, checks (finite) and sorts a numeric sample. */
export function sortedSample(values: ArrayLike<number>, column: string): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) {
      throw new DriftError(
        'DRIFT_NON_FINITE',
        `column "${column}" row ${i}: ${String(v)} is not a finite number (drop or fix the row first)`,
      );
    }
    out[i] = v;
  }
  return out.sort();
}

/** Population standard deviation (ddof 0, numpy's default): the Wasserstein normaliser. */
export function populationStd(values: Float64Array): number {
  const n = values.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] as number;
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] as number) - mean;
    sq += d * d;
  }
  return Math.sqrt(sq / n);
}

export interface SortedComparison {
  /** Two-sided KS statistic D = sup |F₁ − F₂| (scipy.stats.ks_2samp's statistic). */
  readonly ks: number;
  /** Wasserstein-1 distance (scipy.stats.wasserstein_distance). */
  readonly wasserstein: number;
  /** Distinct values in the union of both samples (Evidently's n_unique). */
  readonly distinct: number;
}

/** Both samples sorted ascending and non-empty. O(n₁ + n₂). */
export function compareSorted(a: Float64Array, b: Float64Array): SortedComparison {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) {
    throw new DriftError('DRIFT_EMPTY_SAMPLE', 'cannot compare an empty sample');
  }
  let i = 0;
  let j = 0;
  let maxDiff = 0;
  let minDiff = 0;
  let w = 0;
  let distinct = 0;
  while (i < n1 || j < n2) {
    const ai = i < n1 ? (a[i] as number) : Number.POSITIVE_INFINITY;
    const bj = j < n2 ? (b[j] as number) : Number.POSITIVE_INFINITY;
    const v = ai < bj ? ai : bj;
    while (i < n1 && a[i] === v) i++;
    while (j < n2 && b[j] === v) j++;
    distinct++;
    const diff = i / n1 - j / n2;
    if (diff > maxDiff) maxDiff = diff;
    if (diff < minDiff) minDiff = diff;
    if (i < n1 || j < n2) {
      const na = i < n1 ? (a[i] as number) : Number.POSITIVE_INFINITY;
      const nb = j < n2 ? (b[j] as number) : Number.POSITIVE_INFINITY;
      w += Math.abs(diff) * ((na < nb ? na : nb) - v);
    }
  }
  // scipy: minS = clip(−min(cddiffs), 0, 1); two-sided D = minS if minS > maxS else maxS.
  const minS = Math.min(1, -minDiff);
  return { ks: minS > maxDiff ? minS : maxDiff, wasserstein: w, distinct };
}

/** Distinct values of a sorted sample with their counts (numerical columns tested as categories). */
export function valueCounts(sorted: Float64Array): Map<number, number> {
  const counts = new Map<number, number>();
  let i = 0;
  while (i < sorted.length) {
    const v = sorted[i] as number;
    let k = i;
    while (k < sorted.length && sorted[k] === v) k++;
    counts.set(v, k - i);
    i = k;
  }
  return counts;
}

/** Distinct values of a sorted sample. */
export function distinctCount(sorted: Float64Array): number {
  let d = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) d++;
  return d;
}

/** Index of the first element ≥ v (side='left') or > v (side='right'), like numpy.searchsorted. */
export function searchSorted(sorted: Float64Array, v: number, side: 'left' | 'right'): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = sorted[mid] as number;
    if (side === 'left' ? x < v : x <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
