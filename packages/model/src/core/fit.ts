/**
 * Entry points of the learner: a single CART tree and a random forest, both returned as a
 * TreeEnsemble. The `*Prepared` variants take presorted data so a search or a worker sorts
 * each dataset once and fits many models on it.
 */
import { TreeEnsemble } from './ensemble';
import type { Matrix } from './matrix';
import { MODEL_COLUMNS } from './matrix';
import { createRng } from './rng';
import { buildTree } from './tree/builder';
import {
  DEFAULT_FOREST_PARAMS,
  DEFAULT_TREE_PARAMS,
  resolveMaxSamples,
  resolveTreeParams,
  validateForestParams,
} from './tree/params';
import type { ForestParams, TreeParams } from './tree/params';
import { prepareData } from './tree/prepared';
import type { PreparedData } from './tree/prepared';
import type { TreeNodes } from './tree/tree-nodes';

/** Column names for a matrix: the model's contract columns, or x0…x{p-1} for other shapes. */
export function columnsFor(cols: number): readonly string[] {
  return cols === MODEL_COLUMNS.length
    ? MODEL_COLUMNS
    : Array.from({ length: cols }, (_, i) => `x${i}`);
}

function withDefaults<T extends object>(defaults: T, given: Partial<T> | undefined): T {
  const merged = { ...defaults };
  for (const [key, value] of Object.entries(given ?? {})) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

export function treeParamsOf(given?: Partial<TreeParams>): TreeParams {
  return withDefaults<TreeParams>(DEFAULT_TREE_PARAMS, given);
}

export function forestParamsOf(given?: Partial<ForestParams>): ForestParams {
  return withDefaults<ForestParams>(DEFAULT_FOREST_PARAMS, given);
}

export function fitTreePrepared(data: PreparedData, params: TreeParams): TreeNodes {
  return buildTree(data, null, resolveTreeParams(params, data.rows, data.cols));
}

/** Fits one CART regression tree (scikit-learn DecisionTreeRegressor semantics). */
export function fitTree(x: Matrix, y: Float64Array, params?: Partial<TreeParams>): TreeEnsemble {
  const tree = fitTreePrepared(prepareData(x, y), treeParamsOf(params));
  return new TreeEnsemble('tree', columnsFor(x.cols), [tree]);
}

/** Per-tree seeds (bootstrap, feature draws), drawn in order so tree t never depends on the pool size. */
export function forestTreeSeeds(seed: number, nEstimators: number): Array<[number, number]> {
  const rng = createRng(seed);
  return Array.from({ length: nEstimators }, () => [rng.int(2 ** 32), rng.int(2 ** 32)]);
}

/** Fits tree `t` of a forest; workers call this for their share of the trees. */
export function fitForestTree(
  data: PreparedData,
  params: ForestParams,
  seeds: readonly [number, number],
): TreeNodes {
  const [bootstrapSeed, splitSeed] = seeds;
  const resolved = resolveTreeParams({ ...params, seed: splitSeed }, data.rows, data.cols);
  if (!params.bootstrap) return buildTree(data, null, resolved);
  const n = data.rows;
  const draws = resolveMaxSamples(params.maxSamples, n);
  const counts = new Float64Array(n);
  const rng = createRng(bootstrapSeed);
  for (let k = 0; k < draws; k++) {
    const i = rng.int(n);
    counts[i] = (counts[i] as number) + 1;
  }
  return buildTree(data, counts, resolved);
}

export function fitForestPrepared(data: PreparedData, params: ForestParams): TreeNodes[] {
  validateForestParams(params);
  resolveTreeParams(params, data.rows, data.cols);
  return forestTreeSeeds(params.seed, params.nEstimators).map((seeds) =>
    fitForestTree(data, params, seeds),
  );
}

/** Fits a random forest: bootstrap rows + per-split feature sampling, mean of the trees. */
export function fitForest(
  x: Matrix,
  y: Float64Array,
  params?: Partial<ForestParams>,
): TreeEnsemble {
  const trees = fitForestPrepared(prepareData(x, y), forestParamsOf(params));
  return new TreeEnsemble('forest', columnsFor(x.cols), trees);
}
