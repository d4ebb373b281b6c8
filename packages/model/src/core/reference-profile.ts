import { ModelError } from '../errors';
import { FEATURE_NAMES, WINE_TYPES } from './features';
import type { WineType } from './features';
import { MODEL_COLUMNS, WINE_TYPE_CODE, WINE_TYPE_COLUMN } from './matrix';
import type { Matrix } from './matrix';

/**
 * Reference distribution of one numeric column, the "expected" side of PSI and friends.
 *
 * Bins are right-closed: with inner cut points e₀ < e₁ < … < e_{k-2},
 * bin 0 = (-∞, e₀], bin i = (e_{i-1}, e_i], bin k-1 = (e_{k-2}, +∞). Live values below the
 * training minimum land in bin 0 and values above the maximum in bin k-1, so the drift
 * detector needs no extra "out of range" bins. `binIndex` is the one implementation of
 * this rule; the proportions here were counted with it.
 */
export interface BinnedDistribution {
  /** Ascending, distinct inner cut points: k-1 of them for k bins (empty for a constant column). */
  edges: number[];
  /** Share of reference rows in each bin; k of them, summing to 1, none zero. */
  proportions: number[];
  count: number;
  min: number;
  max: number;
  mean: number;
  /** Population standard deviation (ddof 0, as numpy and Evidently's normed Wasserstein use). */
  std: number;
  /**
   * The 101 percentiles (p = 0, 0.01, …, 1; linear interpolation like numpy's default), a
   * fixed-size sketch of the distribution for Wasserstein or approximate KS against a window.
   */
  quantiles?: number[];
}

/** The exact reference sample stored next to model.json (see model-dir/reference-sample.ts). */
export interface ReferenceSampleInfo {
  /** File name inside the model directory. */
  file: 'reference_sample.csv.gz';
  rows: number;
  /** Training rows the sample was drawn from (rows = sourceRows when ≤ 10,000). */
  sourceRows: number;
  seed: number;
  /** sha256 of the uncompressed CSV text. */
  sha256: string;
}

export interface ReferenceProfile {
  version: 1;
  /** Requested bins per column; a column with few distinct values may have fewer. */
  bins: number;
  /** The 11 numeric features, by contract name. */
  features: Record<string, BinnedDistribution>;
  categorical: { wine_type: Record<WineType, number> };
  prediction: BinnedDistribution;
  target?: BinnedDistribution;
  /** Absent in models trained before reference samples: drift then falls back to these bins. */
  sample?: ReferenceSampleInfo;
}

export interface ReferenceProfileOptions {
  /** Quantile bins per column, default 10 (deciles). */
  bins?: number;
  /** True target values of the same rows, when the profile should describe them too. */
  target?: ArrayLike<number>;
}

/**
 * Index of the bin holding `value` under the right-closed rule above: the number of edges
 * strictly below `value`. Works for any finite or infinite value; NaN has no bin.
 */
export function binIndex(edges: readonly number[], value: number): number {
  if (Number.isNaN(value)) {
    throw new ModelError('PARAMS_INVALID', 'binIndex: NaN has no bin');
  }
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((edges[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Type-1 (inverted CDF) quantile of sorted values: the smallest observed x with F(x) ≥ p.
 * Edges are therefore observed values, which with right-closed bins makes every bin non-empty.
 */
function lowerQuantile(sorted: ArrayLike<number>, p: number): number {
  const rank = Math.max(1, Math.ceil(p * sorted.length - 1e-9));
  return sorted[rank - 1] as number;
}

function linearQuantile(sorted: Float64Array, p: number): number {
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const a = sorted[lo] as number;
  return a + (pos - lo) * ((sorted[hi] as number) - a);
}

/**
 * Inner cut points of `bins` equal-frequency bins of a sorted, non-empty column: type-1
 * quantiles at i/bins. Duplicate quantiles (few distinct values) collapse into one edge; an
 * edge equal to the maximum would leave the last bin empty, so it is dropped too. The drift
 * package bins reference samples with this same rule, so its PSI matches a stored profile's.
 */
export function quantileBinEdges(sorted: ArrayLike<number>, bins: number): number[] {
  const max = sorted[sorted.length - 1] as number;
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const e = lowerQuantile(sorted, i / bins);
    if (e < max && (edges.length === 0 || e > (edges[edges.length - 1] as number))) edges.push(e);
  }
  return edges;
}

/** Bins, proportions and summary statistics of one column of reference values. */
export function describeDistribution(values: ArrayLike<number>, bins = 10): BinnedDistribution {
  const n = values.length;
  if (n === 0) throw new ModelError('PARAMS_INVALID', 'cannot profile an empty column');
  if (!Number.isInteger(bins) || bins < 1) {
    throw new ModelError('PARAMS_INVALID', `bins must be a positive integer, got ${bins}`);
  }
  const sorted = Float64Array.from(values).sort();
  if (sorted.some((v) => !Number.isFinite(v))) {
    throw new ModelError('PARAMS_INVALID', 'cannot profile non-finite values');
  }
  const min = sorted[0] as number;
  const max = sorted[n - 1] as number;
  const edges = quantileBinEdges(sorted, bins);
  const counts = new Array<number>(edges.length + 1).fill(0);
  let sum = 0;
  for (const v of sorted) {
    const b = binIndex(edges, v);
    counts[b] = (counts[b] as number) + 1;
    sum += v;
  }
  const mean = sum / n;
  let sq = 0;
  for (const v of sorted) sq += (v - mean) * (v - mean);
  return {
    edges,
    proportions: counts.map((c) => c / n),
    count: n,
    min,
    max,
    mean,
    std: Math.sqrt(sq / n),
    quantiles: Array.from({ length: 101 }, (_, i) => linearQuantile(sorted, i / 100)),
  };
}

/**
 * The drift reference stored in model.json: computed on the training matrix (MODEL_COLUMNS
 * layout) and the model's predictions for those rows.
 */
export function computeReferenceProfile(
  x: Matrix,
  predictions: ArrayLike<number>,
  opts: ReferenceProfileOptions = {},
): ReferenceProfile {
  const bins = opts.bins ?? 10;
  if (x.cols !== MODEL_COLUMNS.length) {
    throw new ModelError(
      'PARAMS_INVALID',
      `reference profile needs the ${MODEL_COLUMNS.length} model columns, got ${x.cols}`,
    );
  }
  if (x.rows === 0) throw new ModelError('PARAMS_INVALID', 'reference profile needs rows');
  for (const [name, arr] of [
    ['predictions', predictions],
    ['target', opts.target],
  ] as const) {
    if (arr !== undefined && arr.length !== x.rows) {
      throw new ModelError('PARAMS_INVALID', `${name} has ${arr.length} values for ${x.rows} rows`);
    }
  }
  const features: Record<string, BinnedDistribution> = {};
  const column = new Float64Array(x.rows);
  FEATURE_NAMES.forEach((name, c) => {
    for (let r = 0; r < x.rows; r++) column[r] = x.data[r * x.cols + c] as number;
    features[name] = describeDistribution(column, bins);
  });
  const wineType = { red: 0, white: 0 } as Record<WineType, number>;
  for (let r = 0; r < x.rows; r++) {
    const code = x.data[r * x.cols + WINE_TYPE_COLUMN];
    const type = WINE_TYPES.find((t) => WINE_TYPE_CODE[t] === code);
    if (type === undefined) {
      throw new ModelError('PARAMS_INVALID', `row ${r}: wine_type code ${code} is not 0 or 1`);
    }
    wineType[type] += 1;
  }
  for (const t of WINE_TYPES) wineType[t] /= x.rows;
  const profile: ReferenceProfile = {
    version: 1,
    bins,
    features,
    categorical: { wine_type: wineType },
    prediction: describeDistribution(predictions, bins),
  };
  if (opts.target !== undefined) profile.target = describeDistribution(opts.target, bins);
  return profile;
}
