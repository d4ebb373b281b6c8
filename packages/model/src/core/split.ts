import { ModelError } from '../errors';
import type { Matrix } from './matrix';
import { createRng, shuffleInPlace } from './rng';

/** Row indices of one split; both arrays are sorted ascending and disjoint. */
export interface SplitIndices {
  train: Int32Array;
  test: Int32Array;
}

export interface TrainTestSplitOptions {
  /** Share of rows held out, in (0, 1); default 0.2. The test size is ceil(n·f), as in scikit-learn. */
  testFraction?: number;
  seed: number;
  /** One class label per row: each class is split in (as nearly as possible) the same proportion. */
  stratify?: ArrayLike<number>;
}

function invalid(message: string): ModelError {
  return new ModelError('PARAMS_INVALID', message);
}

function sortedInt32(values: number[]): Int32Array {
  return Int32Array.from(values).sort();
}

function complement(n: number, test: Int32Array): Int32Array {
  const inTest = new Uint8Array(n);
  for (const i of test) inTest[i] = 1;
  const train = new Int32Array(n - test.length);
  let k = 0;
  for (let i = 0; i < n; i++) if (inTest[i] === 0) train[k++] = i;
  return train;
}

/**
 * Seeded train/test split over row indices 0..n-1. Same n, options and seed → same split on
 * every platform (mulberry32, see rng.ts).
 */
export function trainTestSplit(n: number, opts: TrainTestSplitOptions): SplitIndices {
  const fraction = opts.testFraction ?? 0.2;
  if (!Number.isInteger(n) || n < 2) throw invalid(`trainTestSplit needs n ≥ 2 rows, got ${n}`);
  if (!(fraction > 0 && fraction < 1)) {
    throw invalid(`testFraction must be in (0, 1), got ${fraction}`);
  }
  const nTest = Math.ceil(n * fraction);
  if (nTest >= n) {
    throw invalid(`testFraction ${fraction} of ${n} rows leaves no training rows`);
  }
  const rng = createRng(opts.seed);
  const test =
    opts.stratify === undefined
      ? randomSubset(n, nTest, rng)
      : stratifiedSubset(n, nTest, opts.stratify, rng);
  return { train: complement(n, test), test };
}

function randomSubset(n: number, nTest: number, rng: ReturnType<typeof createRng>): Int32Array {
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(perm, rng);
  return perm.slice(0, nTest).sort();
}

/**
 * Per-class test counts by largest remainder, so they add up to nTest exactly; ties go to
 * the larger class, then the smaller label, which keeps the result independent of row order.
 */
function stratifiedSubset(
  n: number,
  nTest: number,
  labels: ArrayLike<number>,
  rng: ReturnType<typeof createRng>,
): Int32Array {
  if (labels.length !== n) {
    throw invalid(`stratify has ${labels.length} labels for ${n} rows`);
  }
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const label = labels[i] as number;
    if (!Number.isFinite(label)) throw invalid(`stratify label at row ${i} is ${label}`);
    const members = byClass.get(label);
    if (members === undefined) byClass.set(label, [i]);
    else members.push(i);
  }
  const classes = [...byClass.entries()].sort((a, b) => a[0] - b[0]);
  const quotas = classes.map(([label, rows]) => {
    const exact = (rows.length * nTest) / n;
    return { label, size: rows.length, take: Math.floor(exact), rest: exact - Math.floor(exact) };
  });
  let missing = nTest - quotas.reduce((sum, q) => sum + q.take, 0);
  const order = [...quotas].sort((a, b) => b.rest - a.rest || b.size - a.size || a.label - b.label);
  for (const q of order) {
    if (missing === 0) break;
    q.take += 1;
    missing -= 1;
  }
  const test: number[] = [];
  classes.forEach(([, rows], c) => {
    shuffleInPlace(rows, rng);
    test.push(...rows.slice(0, quotas[c]?.take ?? 0));
  });
  return sortedInt32(test);
}

/**
 * Seeded k-fold partition of rows 0..n-1: every row is in exactly one test fold. Fold sizes
 * differ by at most one (the first n mod k folds get the extra row, as in scikit-learn's KFold).
 */
export function kFold(n: number, opts: { k: number; seed: number }): SplitIndices[] {
  const { k } = opts;
  if (!Number.isInteger(k) || k < 2) throw invalid(`kFold needs an integer k ≥ 2, got ${k}`);
  if (!Number.isInteger(n) || n < k) throw invalid(`kFold needs at least k=${k} rows, got ${n}`);
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(perm, createRng(opts.seed));
  const folds: SplitIndices[] = [];
  const base = Math.floor(n / k);
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = base + (f < n % k ? 1 : 0);
    const test = perm.slice(start, start + size).sort();
    start += size;
    folds.push({ train: complement(n, test), test });
  }
  return folds;
}

/** The rows `idx` of `m`, in `idx` order, as a new matrix. */
export function takeRows(m: Matrix, idx: Int32Array): Matrix {
  const { cols } = m;
  const data = new Float64Array(idx.length * cols);
  for (let r = 0; r < idx.length; r++) {
    const src = idx[r] as number;
    if (src < 0 || src >= m.rows) throw invalid(`row index ${src} outside 0..${m.rows - 1}`);
    data.set(m.data.subarray(src * cols, src * cols + cols), r * cols);
  }
  return { data, rows: idx.length, cols };
}

/** The values `idx` of `v`, in `idx` order. */
export function takeValues(v: Float64Array, idx: Int32Array): Float64Array {
  const out = new Float64Array(idx.length);
  for (let r = 0; r < idx.length; r++) {
    const src = idx[r] as number;
    if (src < 0 || src >= v.length) throw invalid(`index ${src} outside 0..${v.length - 1}`);
    out[r] = v[src] as number;
  }
  return out;
}
