/**
 * The reference sample: training rows with the model's predictions (and true quality), kept
 * in the model directory so drift against the training data is computed exactly rather than
 * from coarse bins. All rows up to `maxRows` (10,000 by default), a seeded uniform sample
 * without replacement above, in the rows' original order.
 */
import { ModelError } from '../errors';
import type { Matrix } from './matrix';
import { createRng } from './rng';
import { FEATURE_NAMES } from './features';
import type { FeatureName, WineType } from './features';
import { WINE_TYPE_COLUMN } from './matrix';
import type { WineColumns } from './wine-columns';

export const REFERENCE_SAMPLE_MAX_ROWS = 10_000;

/** Rows to keep: 0..n−1 when n ≤ maxRows, else maxRows seeded uniform picks, ascending. */
export function sampleRowIndices(n: number, maxRows: number, seed: number): Int32Array {
  if (!Number.isInteger(maxRows) || maxRows < 1) {
    throw new ModelError('PARAMS_INVALID', `maxRows must be a positive integer, got ${maxRows}`);
  }
  if (n <= maxRows) return Int32Array.from({ length: n }, (_, i) => i);
  // Partial Fisher–Yates: the first maxRows slots end up a uniform sample without replacement.
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const rng = createRng(seed);
  for (let i = 0; i < maxRows; i++) {
    const j = i + rng.int(n - i);
    const tmp = perm[i] as number;
    perm[i] = perm[j] as number;
    perm[j] = tmp;
  }
  return perm.slice(0, maxRows).sort();
}

export interface ReferenceSampleOptions {
  readonly seed: number;
  readonly maxRows?: number;
}

/** The sample of a training matrix (MODEL_COLUMNS layout) with its targets and predictions. */
export function referenceSampleColumns(
  x: Matrix,
  target: ArrayLike<number>,
  predictions: ArrayLike<number>,
  options: ReferenceSampleOptions,
): WineColumns {
  if (target.length !== x.rows || predictions.length !== x.rows) {
    throw new ModelError(
      'PARAMS_INVALID',
      `reference sample: ${x.rows} rows, ${target.length} targets, ${predictions.length} predictions`,
    );
  }
  const rows = sampleRowIndices(x.rows, options.maxRows ?? REFERENCE_SAMPLE_MAX_ROWS, options.seed);
  const column = (c: number): Float64Array =>
    Float64Array.from(rows, (r) => x.data[r * x.cols + c] as number);
  const features = {} as Record<FeatureName, Float64Array>;
  FEATURE_NAMES.forEach((name, c) => {
    features[name] = column(c);
  });
  const wineType = Array.from(rows, (r): WineType => {
    const code = x.data[r * x.cols + WINE_TYPE_COLUMN];
    if (code !== 0 && code !== 1) {
      throw new ModelError('PARAMS_INVALID', `row ${r}: wine_type code ${code} is not 0 or 1`);
    }
    return code === 0 ? 'red' : 'white';
  });
  return {
    rows: rows.length,
    features,
    wineType,
    quality: Float64Array.from(rows, (r) => target[r] as number),
    prediction: Float64Array.from(rows, (r) => predictions[r] as number),
  };
}
