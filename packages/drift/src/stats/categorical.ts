/**
 * Tests on category counts, as Evidently's stattests compute them (chisquare_stattest.py,
 * z_stattest.py, jensenshannon.py + utils.get_binned_data) with scipy's formulas. Keys are
 * category labels, or the distinct values of a numerical column tested as categories.
 */
import { chiSquareSf, normalCdf } from '../special/gamma';

export type Counts<K> = ReadonlyMap<K, number>;

export interface TestResult {
  readonly pValue: number;
  /** The test statistic; null when it is infinite (a category absent from the reference). */
  readonly statistic: number | null;
}

function total<K>(counts: Counts<K>): number {
  let n = 0;
  for (const c of counts.values()) n += c;
  return n;
}

function unionKeys<K>(a: Counts<K>, b: Counts<K>): K[] {
  return [...new Set([...a.keys(), ...b.keys()])];
}

/**
 * Pearson chi-square of the current counts against the reference shares scaled to the
 * current size (scipy.stats.chisquare). One category only: scipy's p is NaN (0 degrees of
 * freedom); reported as p = 1, statistic 0.
 */
export function chiSquareTest<K>(reference: Counts<K>, current: Counts<K>): TestResult {
  const keys = unionKeys(reference, current);
  if (keys.length <= 1) return { pValue: 1, statistic: 0 };
  const kNorm = total(current) / total(reference);
  let stat = 0;
  for (const key of keys) {
    const expected = (reference.get(key) ?? 0) * kNorm;
    const observed = current.get(key) ?? 0;
    stat += ((observed - expected) * (observed - expected)) / expected;
  }
  if (!Number.isFinite(stat)) return { pValue: 0, statistic: null };
  return { pValue: chiSquareSf(stat, keys.length - 1), statistic: stat };
}

function compareKeys<K>(a: K, b: K): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * Two-proportion Z-test: the share of "not the first category (sorted)" in each sample,
 * pooled variance, two-sided p = 2(1 − Φ(|z|)) exactly as Evidently writes it.
 */
export function zTest<K>(reference: Counts<K>, current: Counts<K>): TestResult {
  const keys = unionKeys(reference, current).sort(compareKeys);
  const first = keys[0];
  // Evidently: one value on both sides → p = 1 without a statistic.
  if (keys.length <= 1 || first === undefined) return { pValue: 1, statistic: null };
  const n1 = total(reference);
  const n2 = total(current);
  const p1 = (n1 - (reference.get(first) ?? 0)) / n1;
  const p2 = (n2 - (current.get(first) ?? 0)) / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return { pValue: 2 * (1 - normalCdf(Math.abs(z))), statistic: z };
}

/** x·ln(x/y) with scipy.special.rel_entr's conventions (0 when x = 0). */
function relEntr(x: number, y: number): number {
  if (x === 0) return 0;
  return x * Math.log(x / y);
}

/** scipy.spatial.distance.jensenshannon(p, q) with the natural log: the JS *distance*. */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i] as number;
    sq += q[i] as number;
  }
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = (p[i] as number) / sp;
    const qi = (q[i] as number) / sq;
    const m = (pi + qi) / 2;
    js += relEntr(pi, m) + relEntr(qi, m);
  }
  return Math.sqrt(Math.max(0, js) / 2);
}

/** Shares per key of the union (Evidently's per-value binning, no zero fill). */
export function sharesOverUnion<K>(
  reference: Counts<K>,
  current: Counts<K>,
): { reference: Float64Array; current: Float64Array } {
  const keys = unionKeys(reference, current);
  const nr = total(reference);
  const nc = total(current);
  return {
    reference: Float64Array.from(keys, (k) => (reference.get(k) ?? 0) / nr),
    current: Float64Array.from(keys, (k) => (current.get(k) ?? 0) / nc),
  };
}
