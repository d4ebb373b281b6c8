/**
 * Fitting on presorted data (PreparedData): what fitTree / fitForest, the search and its
 * workers share. No model-file code here, so worker threads load only the learner.
 */
import { createRng } from '../rng';
import { buildTree } from './builder';
import { buildDepthFamily } from './depth-family';
import {
  DEFAULT_FOREST_PARAMS,
  DEFAULT_TREE_PARAMS,
  resolveMaxFeatures,
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
  return buildTree(data, bootstrapWeights(data.rows, params, bootstrapSeed), resolved);
}

/** Bootstrap draw counts per row (null without bootstrap: every row once). */
function bootstrapWeights(n: number, params: ForestParams, seed: number): Float64Array | null {
  if (!params.bootstrap) return null;
  const draws = resolveMaxSamples(params.maxSamples, n);
  const counts = new Float64Array(n);
  const rng = createRng(seed);
  for (let k = 0; k < draws; k++) {
    const i = rng.int(n);
    counts[i] = (counts[i] as number) + 1;
  }
  return counts;
}

export function fitForestPrepared(data: PreparedData, params: ForestParams): TreeNodes[] {
  validateForestParams(params);
  resolveTreeParams(params, data.rows, data.cols);
  return forestTreeSeeds(params.seed, params.nEstimators).map((seeds) =>
    fitForestTree(data, params, seeds),
  );
}

/**
 * Whether fitTreeDepths / fitForestDepths can answer several depth limits at once: they need
 * every feature examined at every node (max_features resolving to all `cols` features).
 */
export function depthFamilyApplies(params: TreeParams, cols: number): boolean {
  return resolveMaxFeatures(params.maxFeatures, cols) === cols;
}

/** The max_depth a fit uses (none = 2^31 − 1, as resolveTreeParams). */
export function resolvedDepth(params: TreeParams): number {
  return params.maxDepth ?? 2 ** 31 - 1;
}

/**
 * fitTreePrepared for each depth limit in `depths` (distinct) with `params` otherwise, from
 * one grow (see depth-family.ts): the same trees, node for node.
 */
export function fitTreeDepths(
  data: PreparedData,
  params: TreeParams,
  depths: readonly number[],
): TreeNodes[] {
  const resolved = resolveTreeParams(params, data.rows, data.cols);
  return buildDepthFamily(data, null, resolved, depths).trees;
}

/** fitForestPrepared for each depth limit in `depths`: result[k] holds the trees for depths[k]. */
export function fitForestDepths(
  data: PreparedData,
  params: ForestParams,
  depths: readonly number[],
): TreeNodes[][] {
  validateForestParams(params);
  const out = depths.map((): TreeNodes[] => []);
  for (const [bootstrapSeed, splitSeed] of forestTreeSeeds(params.seed, params.nEstimators)) {
    const resolved = resolveTreeParams({ ...params, seed: splitSeed }, data.rows, data.cols);
    const weights = bootstrapWeights(data.rows, params, bootstrapSeed);
    buildDepthFamily(data, weights, resolved, depths).trees.forEach((tree, k) => {
      out[k]?.push(tree);
    });
  }
  return out;
}
