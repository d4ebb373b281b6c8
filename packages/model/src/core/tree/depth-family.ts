/**
 * Every depth limit of one CART from one grow: the trees buildTree would fit with
 * maxDepth = d for each d in `depths`, identical node for node, for the cost of about one
 * fit of the deepest.
 *
 * Why not simply truncate the deepest tree: with max_features = all, the best cut at a node
 * does not depend on anything below it — except where two features cut equally well (equal
 * proxies, bit for bit; common in small nodes with integer targets). Then the feature drawn
 * first wins, and the draws at a node depend on how many draws the nodes before it in
 * preorder consumed — which a deeper limit changes (it splits more nodes first). So each
 * depth limit keeps its own feature-draw state (generator, feature permutation, constant
 * list: DrawState), replayed node by node in its own preorder with builder.drawFeatures. A
 * node is scanned once for all limits; each limit's draw order picks its winner among the
 * equal cuts, and where limits pick different cuts the node forks: each group grows its own
 * subtree (the row lists are restored in between). Every limit sees exactly the nodes,
 * draws and choices of its own fit, so the trees are buildTree's.
 *
 * It needs max_features = all features: with a random subset per node, limits would examine
 * different features at almost every node after the first divergence (no sharing left).
 */
import { ModelError } from '../../errors';
import { createRng } from '../rng';
import type { Rng } from '../rng';
import {
  CONSTANT,
  cutThreshold,
  drawFeatures,
  EPSILON,
  leftStatsOf,
  partitionRows,
  scanNodeFeature,
  selectRows,
  variance,
} from './builder';
import type { ChildStats, DrawState } from './builder';
import type { ResolvedTreeParams } from './params';
import type { PreparedData } from './prepared';
import type { ScanBest } from './scan';
import { LEAF, NodeStore } from './tree-nodes';
import type { TreeNodes } from './tree-nodes';

export interface DepthFamily {
  /** trees[k]: the tree buildTree fits with maxDepth = depths[k]. */
  readonly trees: TreeNodes[];
  /** Node instances grown (a node shared by every limit counts once). */
  readonly nodes: number;
  /** Extra subtrees grown because limits chose different equal cuts. */
  readonly forks: number;
  /** Nodes where limits chose different features that cut the rows the same way (one subtree). */
  readonly merges: number;
}

/** One depth limit's fit: its draw state and its output. */
interface Limit extends DrawState {
  readonly maxDepth: number;
  readonly store: NodeStore;
}

interface NodeStats {
  start: number;
  end: number;
  depth: number;
  weight: number;
  sum: number;
  sq: number;
  impurity: number;
  /** Constant features inherited from the parent (the count; which ones: `known`). */
  nKnown: number;
}

/** Per-depth scratch, so the recursion allocates nothing per node. */
interface Level {
  /** Features constant in this node (inherited ones included). */
  readonly constant: Uint8Array;
  /** For the cuts as good as the best: their position; -1 for every other feature. */
  readonly cutPos: Int32Array;
  /** This node's id in each limit's store. */
  readonly ids: Int32Array;
  /** The winning feature of each splitting limit. */
  readonly winner: Int32Array;
  readonly tied: number[];
}

interface Grow {
  readonly data: PreparedData;
  readonly params: ResolvedTreeParams;
  readonly w: Float64Array;
  readonly wy: Float64Array;
  readonly idx: Int32Array[];
  readonly unit: boolean;
  readonly wTotal: number;
  readonly limits: Limit[];
  readonly levels: Level[];
  readonly goLeft: Uint8Array;
  /** All zero between uses (goLeft keeps stale flags). */
  readonly mark: Uint8Array;
  readonly tmp: Int32Array;
  readonly best: ScanBest;
  /** drawFeatures' visitor for the node being grown: records the first equal-best feature drawn. */
  readonly visit: (f: number) => boolean;
  first: number;
  constant: Uint8Array;
  cutPos: Int32Array;
  nodes: number;
  forks: number;
  merges: number;
}

/**
 * Fits the trees for every depth limit in `depths` (distinct, ≥ 1; 2^31 − 1 for none) with
 * `params` otherwise (its maxDepth is ignored). `rngOf` makes each limit's feature-draw
 * generator, as buildTree's `rng` (default seeded from params.seed).
 */
export function buildDepthFamily(
  data: PreparedData,
  weights: Float64Array | null,
  params: ResolvedTreeParams,
  depths: readonly number[],
  rngOf: () => Rng = () => createRng(params.seed),
): DepthFamily {
  const { rows: n, cols: p, y } = data;
  if (params.maxFeatures !== p) {
    throw new ModelError(
      'PARAMS_INVALID',
      `a depth family needs max_features = all ${p} features, got ${params.maxFeatures}`,
    );
  }
  if (new Set(depths).size !== depths.length) {
    throw new ModelError('PARAMS_INVALID', `depth limits must be distinct: ${depths.join(', ')}`);
  }
  const limits: Limit[] = depths.map((maxDepth) => {
    const features = new Int32Array(p);
    for (let f = 0; f < p; f++) features[f] = f;
    return {
      maxDepth,
      rng: rngOf(),
      features,
      constantFeatures: new Int32Array(p),
      store: new NodeStore(),
    };
  });
  const w = weights ?? new Float64Array(n).fill(1);
  const wy = new Float64Array(n);
  for (let i = 0; i < n; i++) wy[i] = (w[i] as number) * (y[i] as number);
  const idx = selectRows(data, weights);
  const m = idx[0]?.length ?? 0;
  let wTotal = 0;
  let sTotal = 0;
  let sqTotal = 0;
  for (const i of idx[0] ?? []) {
    wTotal += w[i] as number;
    sTotal += wy[i] as number;
    sqTotal += (wy[i] as number) * (y[i] as number);
  }
  const g: Grow = {
    data,
    params,
    w,
    wy,
    idx,
    unit: weights === null,
    wTotal,
    limits,
    levels: [],
    goLeft: new Uint8Array(n),
    mark: new Uint8Array(n),
    tmp: new Int32Array(m),
    best: { proxy: -Infinity, tiePos: -1 },
    visit: (f) => {
      if (g.constant[f] === 1) return false;
      if (g.first < 0 && (g.cutPos[f] as number) >= 0) g.first = f;
      return true;
    },
    first: -1,
    constant: new Uint8Array(p),
    cutPos: new Int32Array(p),
    nodes: 0,
    forks: 0,
    merges: 0,
  };
  if (m > 0) {
    const root: NodeStats = {
      start: 0,
      end: m,
      depth: 0,
      weight: wTotal,
      sum: sTotal,
      sq: sqTotal,
      impurity: variance(wTotal, sTotal, sqTotal),
      nKnown: 0,
    };
    grow(
      g,
      root,
      new Uint8Array(p),
      limits.map((_, k) => k),
      null,
      false,
    );
  }
  const { nodes, forks, merges } = g;
  return { trees: limits.map((l) => l.store.finish()), nodes, forks, merges };
}

function levelAt(g: Grow, depth: number): Level {
  for (let d = g.levels.length; d <= depth; d++) {
    const p = g.data.cols;
    g.levels.push({
      constant: new Uint8Array(p),
      cutPos: new Int32Array(p),
      ids: new Int32Array(g.limits.length),
      winner: new Int32Array(g.limits.length),
      tied: [],
    });
  }
  return g.levels[depth] as Level;
}

/**
 * Grows one node for the limits `active` (indices into g.limits) whose fits contain it,
 * then its subtrees; `parentIds` holds the parent's id in each limit's store.
 */
function grow(
  g: Grow,
  node: NodeStats,
  known: Uint8Array,
  active: readonly number[],
  parentIds: Int32Array | null,
  isLeft: boolean,
): void {
  g.nodes++;
  const level = levelAt(g, node.depth);
  const { ids } = level;
  const { start, end, depth, weight, sum, impurity } = node;
  const nNode = end - start;
  const { minSamplesSplit, minSamplesLeaf, minImpurityDecrease } = g.params;
  const value = sum / weight;
  const add = (k: number, feature: number, threshold: number): void => {
    const limit = g.limits[k] as Limit;
    const id = limit.store.add(feature, threshold, value, weight, impurity);
    ids[k] = id;
    if (parentIds !== null && !isLeft) limit.store.setRight(parentIds[k] as number, id);
  };
  const leafByData = nNode < minSamplesSplit || nNode < 2 * minSamplesLeaf || impurity <= EPSILON;
  const splitting: number[] = [];
  for (const k of active) {
    if (leafByData || depth >= (g.limits[k] as Limit).maxDepth) add(k, LEAF, 0);
    else splitting.push(k);
  }
  if (splitting.length === 0) return;

  scanNode(g, node, known, level);
  // Each limit draws its features in its own order; the first equal-best cut drawn wins.
  const { constant, winner } = level;
  const cuts: Cut[] = [];
  for (const k of splitting) {
    g.first = -1;
    drawFeatures(g.limits[k] as Limit, g.params.maxFeatures, node.nKnown, g.visit);
    const f = g.first;
    winner[k] = f;
    if (f >= 0 && !cuts.some((c) => c.feature === f)) cuts.push(cutOf(g, node, level, f));
  }
  for (const k of splitting) if ((winner[k] as number) < 0) add(k, LEAF, 0);
  if (cuts.length === 0) return;
  const groups = groupCuts(g, start, cuts);
  g.merges += cuts.length - groups.length;
  let nConstant = 0;
  for (let f = 0; f < constant.length; f++) nConstant += constant[f] as number;
  const saved = groups.length > 1 ? saveRows(g, start, end, constant) : null;
  let partitioned = false;
  for (const group of groups) {
    const cut = group[0] as Cut;
    const members = splitting.filter((k) => group.some((c) => c.feature === winner[k]));
    const { left, wR, sR, sqR, impL, impR } = cut;
    const improvement =
      (weight / g.wTotal) * (impurity - (wR / weight) * impR - (left.weight / weight) * impL);
    if (improvement + EPSILON < minImpurityDecrease) {
      for (const k of members) add(k, LEAF, 0);
      continue;
    }
    for (const k of members) {
      const c = group.find((x) => x.feature === winner[k]) as Cut;
      add(k, c.feature, c.threshold);
    }
    if (partitioned && saved !== null) {
      restoreRows(g, start, saved);
      g.forks++;
    }
    partitionRows(g.idx, cut.feature, cut.pos, start, end, g.goLeft, g.tmp, constant);
    partitioned = true;
    // The children read this level's ids and constants; deeper levels have their own.
    const common = { depth: depth + 1, nKnown: nConstant };
    grow(
      g,
      { ...common, start, end: cut.pos, ...left, impurity: impL },
      constant,
      members,
      ids,
      true,
    );
    grow(
      g,
      { ...common, start: cut.pos, end, weight: wR, sum: sR, sq: sqR, impurity: impR },
      constant,
      members,
      ids,
      false,
    );
  }
}

/** A winning cut of a node and the statistics of its two sides. */
interface Cut {
  feature: number;
  pos: number;
  threshold: number;
  left: ChildStats;
  wR: number;
  sR: number;
  sqR: number;
  impL: number;
  impR: number;
}

function cutOf(g: Grow, node: NodeStats, level: Level, f: number): Cut {
  const { start, weight, sum, sq } = node;
  const pos = level.cutPos[f] as number;
  const left = leftStatsOf(g.idx, g.w, g.wy, g.data.y, f, start, pos);
  const wR = weight - left.weight;
  const sR = sum - left.sum;
  const sqR = sq - left.sq;
  return {
    feature: f,
    pos,
    threshold: cutThreshold(g.idx[f] as Int32Array, g.data.columns[f] as Float64Array, pos),
    left,
    wR,
    sR,
    sqR,
    impL: variance(left.weight, left.sum, left.sq),
    impR: variance(wR, sR, sqR),
  };
}

/**
 * Groups cuts that send the same rows left with bit-identical side statistics: their
 * children are the same nodes (same rows, same sums, same constants), so the limits that
 * chose them share one subtree and only this node's feature and threshold differ.
 */
function groupCuts(g: Grow, start: number, cuts: readonly Cut[]): Cut[][] {
  const groups: Cut[][] = [];
  for (const cut of cuts) {
    const same = groups.find((group) => sameSides(g, start, group[0] as Cut, cut));
    if (same === undefined) groups.push([cut]);
    else same.push(cut);
  }
  return groups;
}

function sameSides(g: Grow, start: number, a: Cut, b: Cut): boolean {
  if (
    a.pos !== b.pos ||
    a.left.weight !== b.left.weight ||
    a.left.sum !== b.left.sum ||
    a.left.sq !== b.left.sq
  ) {
    return false;
  }
  const segA = g.idx[a.feature] as Int32Array;
  const segB = g.idx[b.feature] as Int32Array;
  const mark = g.mark;
  for (let j = start; j < a.pos; j++) mark[segA[j] as number] = 1;
  let same = true;
  for (let j = start; j < b.pos && same; j++) same = mark[segB[j] as number] === 1;
  for (let j = start; j < a.pos; j++) mark[segA[j] as number] = 0;
  return same;
}

/**
 * Scans every feature not known to be constant: marks the constant ones and records every
 * feature whose best cut equals the node's best proxy (with its first such position) in
 * level.cutPos. Candidates are visited in index order; which of the equal ones wins is up to
 * each limit's draws.
 */
function scanNode(g: Grow, node: NodeStats, known: Uint8Array, level: Level): void {
  const { constant, cutPos, tied } = level;
  g.constant = constant;
  g.cutPos = cutPos;
  constant.set(known);
  cutPos.fill(-1);
  tied.length = 0;
  const best = g.best;
  best.proxy = -Infinity;
  for (let f = 0; f < constant.length; f++) {
    if (known[f] === 1) continue;
    const pos = scanNodeFeature(g, f, node, best);
    if (pos === CONSTANT) {
      constant[f] = 1;
      continue;
    }
    if (pos >= 0) {
      for (const t of tied) cutPos[t] = -1;
      tied.length = 0;
      tied.push(f);
      cutPos[f] = pos;
    } else if (best.tiePos >= 0) {
      tied.push(f);
      cutPos[f] = best.tiePos;
    }
  }
}

/** Copies of the node's row lists (non-constant features), to grow a second subtree from. */
function saveRows(
  g: Grow,
  start: number,
  end: number,
  constant: Uint8Array,
): (Int32Array | null)[] {
  return g.idx.map((seg, f) => (constant[f] === 1 ? null : seg.slice(start, end)));
}

function restoreRows(g: Grow, start: number, saved: readonly (Int32Array | null)[]): void {
  saved.forEach((rows, f) => {
    if (rows !== null) (g.idx[f] as Int32Array).set(rows, start);
  });
}
