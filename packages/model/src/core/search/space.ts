/**
 * Declared hyperparameter spaces and their expansion into candidates: the full grid (first
 * key outermost, last key fastest, as scikit-learn's ParameterGrid) or seeded random draws.
 */
import { ModelError } from '../../errors';
import { createRng, shuffleInPlace } from '../rng';
import type { Rng } from '../rng';
import { fraction } from '../tree/params';
import type { ParamScalar } from '../tree/params';

/** A listed value: count-or-fraction params take {kind, value} or a plain number (integral → count). */
export type ParamValue = ParamScalar;

/**
 * A continuous range, only for random search (log-uniform with `log`, rounded with `integer`).
 * Draws are plain numbers: for max_features and friends a non-integral draw is a fraction, an
 * `integer` range gives counts.
 */
export interface ParamRange {
  min: number;
  max: number;
  log?: boolean;
  integer?: boolean;
}

export type ParamSpace = Record<string, readonly ParamValue[] | ParamRange>;

export type ParamAssignment = Record<string, ParamValue>;

export type SearchKind = 'tree' | 'forest';

const TREE_KEYS = [
  'maxDepth',
  'minSamplesSplit',
  'minSamplesLeaf',
  'minImpurityDecrease',
  'maxFeatures',
  'seed',
];
const FOREST_KEYS = [...TREE_KEYS, 'nEstimators', 'bootstrap', 'maxSamples'];

/** The seed's search: max_depth 1–20 × min_samples_leaf {1, 2, 5, 10, 20} = 100 candidates. */
export const DEFAULT_TREE_SPACE: ParamSpace = Object.freeze({
  maxDepth: Array.from({ length: 20 }, (_, i) => i + 1),
  minSamplesLeaf: [1, 2, 5, 10, 20],
});

/**
 * Forests of 100 trees: the features drawn per split (sklearn's default all = 1.0, half, √p) ×
 * leaf size. Six candidates keep `--model forest` to seconds; depth stays unlimited as usual.
 */
export const DEFAULT_FOREST_SPACE: ParamSpace = Object.freeze({
  maxFeatures: [fraction(1), fraction(0.5), 'sqrt'],
  minSamplesLeaf: [1, 3],
});

function isRange(value: readonly ParamValue[] | ParamRange): value is ParamRange {
  return !Array.isArray(value);
}

/** Rejects unknown names (with a hint for snake_case) and empty or malformed entries. */
export function checkSpace(space: ParamSpace, kind: SearchKind): void {
  const allowed = kind === 'tree' ? TREE_KEYS : FOREST_KEYS;
  for (const [key, values] of Object.entries(space)) {
    if (!allowed.includes(key)) {
      const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      const hint = allowed.includes(camel) ? ` (did you mean "${camel}"?)` : '';
      throw new ModelError(
        'PARAMS_INVALID',
        `unknown ${kind} hyperparameter "${key}"${hint}; searchable: ${allowed.join(', ')}`,
      );
    }
    if (isRange(values)) {
      const { min, max } = values;
      if (!(Number.isFinite(min) && Number.isFinite(max) && min <= max)) {
        throw new ModelError('PARAMS_INVALID', `range for "${key}" needs finite min ≤ max`);
      }
      if (values.log === true && min <= 0) {
        throw new ModelError('PARAMS_INVALID', `log range for "${key}" needs min > 0`);
      }
    } else if (values.length === 0) {
      throw new ModelError('PARAMS_INVALID', `"${key}" lists no values`);
    }
  }
}

/** Every combination, first key outermost. */
export function gridCandidates(space: ParamSpace): ParamAssignment[] {
  let out: ParamAssignment[] = [{}];
  for (const [key, values] of Object.entries(space)) {
    if (isRange(values)) {
      throw new ModelError(
        'PARAMS_INVALID',
        `"${key}" is a range: a grid needs a list of values (use random search for ranges)`,
      );
    }
    out = out.flatMap((partial) => values.map((v) => ({ ...partial, [key]: v })));
  }
  return out;
}

function draw(values: readonly ParamValue[] | ParamRange, rng: Rng): ParamValue {
  if (!isRange(values)) return values[rng.int(values.length)] ?? null;
  const { min, max } = values;
  const u = rng.next();
  const v =
    values.log === true
      ? Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min)))
      : min + u * (max - min);
  return values.integer === true ? Math.min(max, Math.floor(v + 0.5)) : v;
}

/**
 * `count` seeded random candidates. When every entry is a list, they are drawn without
 * replacement from the grid (at most the grid's size), as scikit-learn's ParameterSampler.
 */
export function randomCandidates(
  space: ParamSpace,
  count: number,
  seed: number,
): ParamAssignment[] {
  if (!Number.isInteger(count) || count < 1) {
    throw new ModelError('PARAMS_INVALID', `random search needs a count ≥ 1, got ${count}`);
  }
  const rng = createRng(seed);
  const entries = Object.entries(space);
  if (entries.every(([, values]) => !isRange(values))) {
    const grid = gridCandidates(space);
    const order = Int32Array.from(grid, (_, i) => i);
    shuffleInPlace(order, rng);
    return Array.from(order.subarray(0, Math.min(count, grid.length)), (i) => grid[i] ?? {});
  }
  return Array.from({ length: count }, () =>
    Object.fromEntries(entries.map(([key, values]) => [key, draw(values, rng)])),
  );
}
