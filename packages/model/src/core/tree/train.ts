/**
 * Fitting on presorted data (PreparedData): what fitTree / fitForest, the search and its
 * workers share. No model-file code here, so worker threads load only the learner.
 */
import { createRng } from '../rng';
import { buildTree } from './builder';
import {
  DEFAULT_FOREST_PARAMS,
  DEFAULT_TREE_PARAMS,
  resolveMaxSamples,
  resolveTreeParams,
  validateForestParams,
} from './params';
import type { ForestParams, TreeParams } from './params';
import type { PreparedData } from './prepared';
import type { TreeNodes } from './tree-nodes';

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
