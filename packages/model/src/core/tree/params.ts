/**
 * Hyperparameters of the CART learner, with scikit-learn's meaning so a user's settings carry
 * over from DecisionTreeRegressor / RandomForestRegressor.
 *
 * JavaScript has one number type, so sklearn's int-vs-float distinction is decided by value:
 * numbers in (0, 1] are fractions (1 = all features / all samples), integers ≥ 2 are counts.
 */
import { ModelError } from '../../errors';

export type MaxFeatures = number | 'sqrt' | 'log2' | null;

export interface TreeParams {
  /** Maximum depth (root = depth 0); null grows until leaves are pure or too small. */
  maxDepth: number | null;
  /** Minimum samples a node needs to be split: integer ≥ 2, or a fraction in (0, 1) of n (ceil). */
  minSamplesSplit: number;
  /** Minimum samples in each leaf: integer ≥ 1, or a fraction in (0, 1) of n (ceil). */
  minSamplesLeaf: number;
  /** A split must decrease the weighted impurity by at least this much (sklearn formula). */
  minImpurityDecrease: number;
  /** Features drawn (without replacement) per split: count ≥ 2, fraction in (0,1], sqrt, log2, null = all. */
  maxFeatures: MaxFeatures;
  /** Seeds the feature draws (and the bootstrap of a forest). */
  seed: number;
}

export interface ForestParams extends TreeParams {
  nEstimators: number;
  bootstrap: boolean;
  /** Bootstrap sample size: null = n, fraction in (0, 1], or a count ≥ 2. */
  maxSamples: number | null;
}

/** scikit-learn's DecisionTreeRegressor defaults (random_state 0). */
export const DEFAULT_TREE_PARAMS: Readonly<TreeParams> = Object.freeze({
  maxDepth: null,
  minSamplesSplit: 2,
  minSamplesLeaf: 1,
  minImpurityDecrease: 0,
  maxFeatures: null,
  seed: 0,
});

/** scikit-learn's RandomForestRegressor defaults (max_features 1.0 = all features). */
export const DEFAULT_FOREST_PARAMS: Readonly<ForestParams> = Object.freeze({
  ...DEFAULT_TREE_PARAMS,
  maxFeatures: 1,
  nEstimators: 100,
  bootstrap: true,
  maxSamples: null,
});

/** Parameters turned into the integers the builder uses for a dataset of `n` rows, `p` columns. */
export interface ResolvedTreeParams {
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  minImpurityDecrease: number;
  maxFeatures: number;
  seed: number;
}

function invalid(name: string, value: unknown, expected: string): ModelError {
  return new ModelError('PARAMS_INVALID', `${name} must be ${expected}, got ${String(value)}`);
}

function isNum(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Count-or-fraction parameter: integers ≥ minCount are counts, values in (0, 1) fractions of n. */
function countOrFraction(name: string, value: unknown, n: number, minCount: number): number {
  if (isNum(value) && Number.isInteger(value) && value >= minCount) return value;
  if (isNum(value) && value > 0 && value < 1) return Math.max(minCount, Math.ceil(value * n));
  throw invalid(name, value, `an integer ≥ ${minCount} or a fraction in (0, 1)`);
}

export function resolveMaxFeatures(value: unknown, p: number): number {
  if (value === null) return p;
  if (value === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(p)));
  if (value === 'log2') return Math.max(1, Math.floor(Math.log2(p)));
  if (isNum(value) && value > 0 && value <= 1) return Math.max(1, Math.floor(value * p));
  if (isNum(value) && Number.isInteger(value) && value >= 2) {
    if (value > p) throw invalid('maxFeatures', value, `at most the number of features (${p})`);
    return value;
  }
  throw invalid('maxFeatures', value, "a count ≥ 2, a fraction in (0, 1], 'sqrt', 'log2' or null");
}

export function resolveTreeParams(params: TreeParams, n: number, p: number): ResolvedTreeParams {
  const { maxDepth, minImpurityDecrease, seed } = params;
  if (maxDepth !== null && !(isNum(maxDepth) && Number.isInteger(maxDepth) && maxDepth >= 1)) {
    throw invalid('maxDepth', maxDepth, 'an integer ≥ 1 or null');
  }
  if (!isNum(minImpurityDecrease) || minImpurityDecrease < 0) {
    throw invalid('minImpurityDecrease', minImpurityDecrease, 'a number ≥ 0');
  }
  if (!isNum(seed)) throw invalid('seed', seed, 'a finite number');
  return {
    maxDepth: maxDepth ?? 2 ** 31 - 1,
    minSamplesSplit: countOrFraction('minSamplesSplit', params.minSamplesSplit, n, 2),
    minSamplesLeaf: countOrFraction('minSamplesLeaf', params.minSamplesLeaf, n, 1),
    minImpurityDecrease,
    maxFeatures: resolveMaxFeatures(params.maxFeatures, p),
    seed,
  };
}

/** Number of bootstrap draws for `n` rows (sklearn: round(fraction · n), at least 1). */
export function resolveMaxSamples(value: unknown, n: number): number {
  if (value === null) return n;
  if (isNum(value) && value > 0 && value <= 1) return Math.max(1, Math.round(value * n));
  if (isNum(value) && Number.isInteger(value) && value >= 2) return value;
  throw invalid('maxSamples', value, 'null, a fraction in (0, 1] or a count ≥ 2');
}

export function validateForestParams(params: ForestParams): void {
  const { nEstimators, bootstrap } = params;
  if (!(isNum(nEstimators) && Number.isInteger(nEstimators) && nEstimators >= 1)) {
    throw invalid('nEstimators', nEstimators, 'an integer ≥ 1');
  }
  if (typeof bootstrap !== 'boolean') throw invalid('bootstrap', bootstrap, 'true or false');
}
