/**
 * Hyperparameters of the CART learner, with scikit-learn's meaning so a user's settings carry
 * over from DecisionTreeRegressor / RandomForestRegressor.
 *
 * scikit-learn reads several parameters by Python type: an int is a count, a float a fraction
 * (`max_features=1` is one feature, `max_features=1.0` all of them). A JavaScript number has
 * no such type, so these parameters take an explicit `Amount`; a plain number is read like
 * the Python literal it would be written as — integral → count, otherwise fraction — which
 * means `1` is one feature and "all" must be spelled `fraction(1)` (or `null`).
 */
import { ModelError } from '../../errors';

export type Amount =
  | { readonly kind: 'count'; readonly value: number }
  | { readonly kind: 'fraction'; readonly value: number };

/** An Amount, or a plain number read like a Python literal (integral → count). */
export type CountOrFraction = number | Amount;

export const count = (value: number): Amount => ({ kind: 'count', value });
export const fraction = (value: number): Amount => ({ kind: 'fraction', value });

export function isAmount(value: unknown): value is Amount {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, value: v } = value as { kind?: unknown; value?: unknown };
  return (kind === 'count' || kind === 'fraction') && typeof v === 'number';
}

/** The explicit form of a count-or-fraction parameter (plain numbers: integral → count). */
export function toAmount(value: CountOrFraction): Amount {
  if (isAmount(value)) return value;
  return Number.isInteger(value) ? count(value) : fraction(value);
}

export type MaxFeatures = CountOrFraction | 'sqrt' | 'log2' | null;

/** The parameters that are a count or a fraction depending on their Python type. */
export const COUNT_OR_FRACTION_PARAMS: readonly string[] = [
  'minSamplesSplit',
  'minSamplesLeaf',
  'maxFeatures',
  'maxSamples',
];

/** A learner parameter's value, as stored in model.json and search spaces. */
export type ParamScalar = number | string | boolean | null | Amount;

/**
 * The value as scikit-learn's get_params() would print it — the text logged to MLflow under
 * scikit-learn's names: a count `1` → "1", a fraction `1` → "1.0", null → "None".
 */
export function paramText(key: string, value: ParamScalar | undefined): string {
  if (value === null || value === undefined) return 'None';
  if (
    typeof value === 'object' ||
    (typeof value === 'number' && COUNT_OR_FRACTION_PARAMS.includes(key))
  ) {
    const a = toAmount(value);
    return a.kind === 'fraction' && Number.isInteger(a.value) ? `${a.value}.0` : String(a.value);
  }
  return String(value);
}

/**
 * Params with max_features / max_samples in explicit form, for model.json: a plain number
 * there was read with the old rule (1 = all) by learner 1.0.0, so new files never write one.
 */
export function canonicalParams(
  params: Readonly<Record<string, ParamScalar>>,
): Record<string, ParamScalar> {
  const out: Record<string, ParamScalar> = { ...params };
  for (const key of ['maxFeatures', 'maxSamples']) {
    const value = out[key];
    if (typeof value === 'number') out[key] = toAmount(value);
  }
  return out;
}

export interface TreeParams {
  /** Maximum depth (root = depth 0); null grows until leaves are pure or too small. */
  maxDepth: number | null;
  /** Minimum samples a node needs to be split: a count ≥ 2, or a fraction in (0, 1] of n (ceil). */
  minSamplesSplit: CountOrFraction;
  /** Minimum samples in each leaf: a count ≥ 1, or a fraction in (0, 1) of n (ceil). */
  minSamplesLeaf: CountOrFraction;
  /** A split must decrease the weighted impurity by at least this much (sklearn formula). */
  minImpurityDecrease: number;
  /** Features drawn (without replacement) per split: a count, a fraction in (0, 1], sqrt, log2, null = all. */
  maxFeatures: MaxFeatures;
  /** Seeds the feature draws (and the bootstrap of a forest). */
  seed: number;
}

export interface ForestParams extends TreeParams {
  nEstimators: number;
  bootstrap: boolean;
  /** Bootstrap sample size: null = n, a count ≥ 1, or a positive fraction of n (floored). */
  maxSamples: CountOrFraction | null;
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
  maxFeatures: fraction(1),
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
  const shown = typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
  return new ModelError('PARAMS_INVALID', `${name} must be ${expected}, got ${shown}`);
}

function isNum(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A count-or-fraction parameter, or undefined when the value is neither number nor Amount. */
function amountOf(value: unknown): Amount | undefined {
  if (isAmount(value)) return isNum(value.value) ? value : undefined;
  return isNum(value) ? toAmount(value) : undefined;
}

/** The count, when `a` is a whole count ≥ min. */
const countOf = (a: Amount | undefined, min: number): number | undefined =>
  a?.kind === 'count' && Number.isInteger(a.value) && a.value >= min ? a.value : undefined;

/** min_samples_split / min_samples_leaf: counts ≥ min, fractions of n rounded up. */
function minSamples(
  name: string,
  value: unknown,
  n: number,
  min: number,
  fractionClosed: boolean,
): number {
  const a = amountOf(value);
  const n0 = countOf(a, min);
  if (n0 !== undefined) return n0;
  if (a?.kind === 'fraction' && a.value > 0 && (a.value < 1 || (fractionClosed && a.value === 1))) {
    return Math.max(min, Math.ceil(a.value * n));
  }
  const range = fractionClosed ? '(0, 1]' : '(0, 1)';
  throw invalid(name, value, `a count ≥ ${min} or a fraction in ${range}`);
}

export function resolveMaxFeatures(value: unknown, p: number): number {
  if (value === null) return p;
  if (value === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(p)));
  if (value === 'log2') return Math.max(1, Math.floor(Math.log2(p)));
  const a = amountOf(value);
  if (a?.kind === 'fraction' && a.value > 0 && a.value <= 1) {
    return Math.max(1, Math.floor(a.value * p));
  }
  const k = countOf(a, 1);
  if (k !== undefined) {
    if (k > p) throw invalid('maxFeatures', value, `at most the number of features (${p})`);
    return k;
  }
  throw invalid(
    'maxFeatures',
    value,
    "a count ≥ 1 (1 = one feature), a fraction in (0, 1] ({kind: 'fraction', value: 1} = all), 'sqrt', 'log2' or null",
  );
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
    minSamplesSplit: minSamples('minSamplesSplit', params.minSamplesSplit, n, 2, true),
    minSamplesLeaf: minSamples('minSamplesLeaf', params.minSamplesLeaf, n, 1, false),
    minImpurityDecrease,
    maxFeatures: resolveMaxFeatures(params.maxFeatures, p),
    seed,
  };
}

/**
 * Number of bootstrap draws for `n` rows, as scikit-learn 1.9's _get_n_samples_bootstrap: a
 * count as given (it may exceed n: draws are with replacement), a fraction (any positive real)
 * max(1, floor(fraction · n)).
 */
export function resolveMaxSamples(value: unknown, n: number): number {
  if (value === null) return n;
  const a = amountOf(value);
  if (a?.kind === 'fraction' && a.value > 0) return Math.max(1, Math.floor(a.value * n));
  const draws = countOf(a, 1);
  if (draws !== undefined) return draws;
  throw invalid(
    'maxSamples',
    value,
    "null, a count ≥ 1 or a positive fraction ({kind: 'fraction', value: 1} = n)",
  );
}

export function validateForestParams(params: ForestParams): void {
  const { nEstimators, bootstrap } = params;
  if (!(isNum(nEstimators) && Number.isInteger(nEstimators) && nEstimators >= 1)) {
    throw invalid('nEstimators', nEstimators, 'an integer ≥ 1');
  }
  if (typeof bootstrap !== 'boolean') throw invalid('bootstrap', bootstrap, 'true or false');
}
