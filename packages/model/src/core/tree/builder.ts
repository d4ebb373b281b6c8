/**
 * CART regression on squared error, following scikit-learn's DepthFirstTreeBuilder +
 * BestSplitter (sklearn/tree/_tree.pyx, _splitter.pyx) so hyperparameters mean the same:
 * - a node is a leaf when depth ≥ maxDepth, n < minSamplesSplit, n < 2·minSamplesLeaf, its
 *   impurity ≤ ε, no split leaves minSamplesLeaf rows on both sides, or the weighted impurity
 *   decrease N_t/N·(I − N_R/N_t·I_R − N_L/N_t·I_L) + ε < minImpurityDecrease;
 * - features are drawn without replacement per node with sklearn's Fisher–Yates scheme:
 *   constant features do not count towards maxFeatures and are remembered for descendants;
 * - split candidates sit between consecutive values more than 1e-7 apart (FEATURE_THRESHOLD),
 *   the threshold is their midpoint, the first strictly better proxy wins (deterministic ties);
 * - sample counts (minSamples*) count distinct rows; weights (bootstrap multiplicities) enter
 *   the sums, as sklearn's sample_weight does.
 *
 * Speed: instead of sorting each node's samples per feature, every feature keeps its presorted
 * row list (PreparedData.order) and the lists are stably partitioned down the tree, so a fit
 * costs O(rows · features · depth) with typed arrays only.
 */
import { createRng } from '../rng';
import type { Rng } from '../rng';
import type { ResolvedTreeParams } from './params';
import type { PreparedData } from './prepared';
import { FEATURE_THRESHOLD, scanUnit, scanWeighted } from './scan';
import type { ScanBest, ScanInput } from './scan';
import { LEAF, NodeStore } from './tree-nodes';
import type { TreeNodes } from './tree-nodes';

/** Impurities at or below this are pure; improvements within it of the minimum pass (sklearn). */
export const EPSILON = Number.EPSILON;

interface NodeTask {
  start: number;
  end: number;
  depth: number;
  parent: number;
  isLeft: boolean;
  weight: number;
  sum: number;
  sq: number;
  impurity: number;
  nConstant: number;
}

interface Split {
  feature: number;
  pos: number;
  threshold: number;
}

/** Per-fit state shared by the node loop and the split search. */
interface Workspace {
  readonly data: PreparedData;
  readonly w: Float64Array;
  readonly wy: Float64Array;
  readonly idx: Int32Array[];
  /** All weights are 1 (no bootstrap): the left weight is a row count. */
  readonly unit: boolean;
  readonly features: Int32Array;
  readonly constantFeatures: Int32Array;
  readonly rng: Rng;
  readonly params: ResolvedTreeParams;
  /** Constant-feature count after the last findSplit (for the children). */
  nTotalConstant: number;
}

/**
 * Fits one tree. `weights` (per row, e.g. bootstrap counts) may be null for unit weights; rows
 * with weight 0 take no part, as in scikit-learn. `rng` orders the feature draws (default
 * seeded from params.seed; the scikit-learn golden test passes scikit-learn's own generator).
 */
export function buildTree(
  data: PreparedData,
  weights: Float64Array | null,
  params: ResolvedTreeParams,
  rng: Rng = createRng(params.seed),
): TreeNodes {
  const { rows: n, cols: p, y } = data;
  const w = weights ?? new Float64Array(n).fill(1);
  const wy = new Float64Array(n);
  for (let i = 0; i < n; i++) wy[i] = (w[i] as number) * (y[i] as number);
  const idx = selectRows(data, weights);
  const m = idx[0]?.length ?? 0;
  const features = new Int32Array(p);
  for (let f = 0; f < p; f++) features[f] = f;
  const ws: Workspace = {
    data,
    w,
    wy,
    idx,
    unit: weights === null,
    features,
    constantFeatures: new Int32Array(p),
    rng,
    params,
    nTotalConstant: 0,
  };
  const store = new NodeStore();
  if (m === 0) return store.finish();

  let wTotal = 0;
  let sTotal = 0;
  let sqTotal = 0;
  for (const i of idx[0] as Int32Array) {
    wTotal += w[i] as number;
    sTotal += wy[i] as number;
    sqTotal += (wy[i] as number) * (y[i] as number);
  }
  const goLeft = new Uint8Array(n);
  const tmp = new Int32Array(m);
  const childConstant = new Uint8Array(p);
  const { maxDepth, minSamplesSplit, minSamplesLeaf, minImpurityDecrease } = params;
  const stack: NodeTask[] = [
    {
      start: 0,
      end: m,
      depth: 0,
      parent: -1,
      isLeft: false,
      weight: wTotal,
      sum: sTotal,
      sq: sqTotal,
      impurity: variance(wTotal, sTotal, sqTotal),
      nConstant: 0,
    },
  ];
  for (let task = stack.pop(); task !== undefined; task = stack.pop()) {
    const { start, end, depth, weight, sum, impurity } = task;
    const nNode = end - start;
    let isLeaf =
      depth >= maxDepth ||
      nNode < minSamplesSplit ||
      nNode < 2 * minSamplesLeaf ||
      impurity <= EPSILON;
    let split: Split | null = null;
    let left: ChildStats | null = null;
    if (!isLeaf) {
      split = findSplit(ws, task);
      if (split !== null) {
        left = leftStats(ws, split, start);
        const wR = weight - left.weight;
        const impL = variance(left.weight, left.sum, left.sq);
        const impR = variance(wR, sum - left.sum, task.sq - left.sq);
        const improvement =
          (weight / wTotal) * (impurity - (wR / weight) * impR - (left.weight / weight) * impL);
        isLeaf = improvement + EPSILON < minImpurityDecrease;
      } else {
        isLeaf = true;
      }
    }
    const id =
      isLeaf || split === null
        ? store.add(LEAF, 0, sum / weight, weight, impurity)
        : store.add(split.feature, split.threshold, sum / weight, weight, impurity);
    if (task.parent >= 0 && !task.isLeft) store.setRight(task.parent, id);
    if (isLeaf || split === null || left === null) continue;

    const nConstant = ws.nTotalConstant;
    childConstant.fill(0);
    for (let k = 0; k < nConstant; k++) childConstant[ws.constantFeatures[k] as number] = 1;
    partitionRows(ws.idx, split.feature, split.pos, start, end, goLeft, tmp, childConstant);
    const wR = weight - left.weight;
    const sR = sum - left.sum;
    const sqR = task.sq - left.sq;
    const common = { depth: depth + 1, parent: id, nConstant };
    stack.push(
      {
        ...common,
        start: split.pos,
        end,
        isLeft: false,
        weight: wR,
        sum: sR,
        sq: sqR,
        impurity: variance(wR, sR, sqR),
      },
      {
        ...common,
        start,
        end: split.pos,
        isLeft: true,
        weight: left.weight,
        sum: left.sum,
        sq: left.sq,
        impurity: variance(left.weight, left.sum, left.sq),
      },
    );
  }
  return store.finish();
}

export function variance(weight: number, sum: number, sq: number): number {
  const mean = sum / weight;
  return sq / weight - mean * mean;
}

/** Presorted row lists restricted to rows with non-zero weight (order preserved). */
export function selectRows(data: PreparedData, weights: Float64Array | null): Int32Array[] {
  if (weights === null) return data.order.map((o) => o.slice());
  let m = 0;
  for (let i = 0; i < data.rows; i++) if ((weights[i] as number) > 0) m++;
  const keep = new Uint8Array(data.rows);
  for (let i = 0; i < data.rows; i++) keep[i] = +((weights[i] as number) > 0);
  return data.order.map((o) => {
    // Branch-free: about a third of a bootstrap's rows are not drawn, in no predictable order.
    const out = new Int32Array(m + 1);
    let k = 0;
    for (let j = 0; j < o.length; j++) {
      const i = o[j] as number;
      out[k] = i;
      k += keep[i] as number;
    }
    return out.subarray(0, m);
  });
}

export interface ChildStats {
  weight: number;
  sum: number;
  sq: number;
}

function leftStats(ws: Workspace, split: Split, start: number): ChildStats {
  return leftStatsOf(ws.idx, ws.w, ws.wy, ws.data.y, split.feature, start, split.pos);
}

/** Weight, Σ w·y and Σ w·y² of the rows [start, pos) of `feature`'s list (the left child). */
export function leftStatsOf(
  idx: readonly Int32Array[],
  w: Float64Array,
  wy: Float64Array,
  y: Float64Array,
  feature: number,
  start: number,
  pos: number,
): ChildStats {
  const seg = idx[feature] as Int32Array;
  let weight = 0;
  let sum = 0;
  let sq = 0;
  for (let j = start; j < pos; j++) {
    const i = seg[j] as number;
    weight += w[i] as number;
    sum += wy[i] as number;
    sq += (wy[i] as number) * (y[i] as number);
  }
  return { weight, sum, sq };
}

/** sklearn's node_split_best: random feature order, constants skipped and remembered. */
function findSplit(ws: Workspace, task: NodeTask): Split | null {
  const best: Split & ScanBest = {
    feature: -1,
    pos: -1,
    threshold: 0,
    proxy: -Infinity,
    tiePos: -1,
  };
  ws.nTotalConstant = drawFeatures(ws, ws.params.maxFeatures, task.nConstant, (f) =>
    scanFeature(ws, f, task, best),
  );
  return best.feature < 0 ? null : best;
}

/** The feature-draw state a fit carries from node to node (sklearn's splitter.features). */
export interface DrawState {
  /** A permutation of the features; [0, nKnown) holds the node's known constants. */
  readonly features: Int32Array;
  /** Constant features in the order found, shared down each path of the tree. */
  readonly constantFeatures: Int32Array;
  readonly rng: Rng;
}

/**
 * The feature loop of sklearn's node_split_best: draws features without replacement
 * (Fisher–Yates on `features`) until `maxFeatures` non-constant ones have been visited or
 * none are left, skipping the `nKnown` constants inherited from the ancestors. `visit(f)`
 * examines a drawn feature and returns false when it is constant in the node. Updates the
 * state for the next node and returns the node's constant count (known + found).
 */
export function drawFeatures(
  state: DrawState,
  maxFeatures: number,
  nKnown: number,
  visit: (f: number) => boolean,
): number {
  const { features, constantFeatures, rng } = state;
  const p = features.length;
  let fi = p;
  let nVisited = 0;
  let nFound = 0;
  let nDrawn = 0;
  let nTotal = nKnown;
  while (fi > nTotal && (nVisited < maxFeatures || nVisited <= nFound + nDrawn)) {
    nVisited++;
    let fj = nDrawn + rng.int(fi - nFound - nDrawn);
    if (fj < nKnown) {
      swap(features, nDrawn, fj);
      nDrawn++;
      continue;
    }
    fj += nFound;
    const f = features[fj] as number;
    if (!visit(f)) {
      swap(features, fj, nTotal);
      nFound++;
      nTotal++;
      continue;
    }
    fi--;
    swap(features, fi, fj);
  }
  for (let k = 0; k < nKnown; k++) features[k] = constantFeatures[k] as number;
  for (let k = nKnown; k < nKnown + nFound; k++) constantFeatures[k] = features[k] as number;
  return nTotal;
}

function swap(a: Int32Array, i: number, j: number): void {
  const t = a[i] as number;
  a[i] = a[j] as number;
  a[j] = t;
}

/**
 * Evaluates every admissible threshold of feature `f`, updating `best` when the proxy
 * Σ_L²/W_L + Σ_R²/W_R (sklearn's proxy_impurity_improvement) is strictly higher.
 * Returns false when the feature is constant in the node.
 */
function scanFeature(ws: Workspace, f: number, task: NodeTask, best: Split & ScanBest): boolean {
  const pos = scanNodeFeature(ws, f, task, best);
  if (pos === CONSTANT) return false;
  if (pos >= 0) {
    best.feature = f;
    best.pos = pos;
    best.threshold = cutThreshold(ws.idx[f] as Int32Array, ws.data.columns[f] as Float64Array, pos);
  }
  return true;
}

/** What a feature scan needs of a fit (the builder's and the depth family's state). */
export interface ScanContext {
  readonly data: PreparedData;
  readonly idx: readonly Int32Array[];
  readonly w: Float64Array;
  readonly wy: Float64Array;
  /** All weights are 1: the left weight is a row count. */
  readonly unit: boolean;
  readonly params: { readonly minSamplesLeaf: number };
}

/** scanNodeFeature's answer for a feature constant in the node. */
export const CONSTANT = -2;

/**
 * Scans feature `f` over the node's rows: CONSTANT when its values span at most
 * FEATURE_THRESHOLD, else scanUnit / scanWeighted's answer (a better cut's position or -1,
 * `best` updated).
 */
export function scanNodeFeature(
  ctx: ScanContext,
  f: number,
  node: {
    readonly start: number;
    readonly end: number;
    readonly weight: number;
    readonly sum: number;
  },
  best: ScanBest,
): number {
  const seg = ctx.idx[f] as Int32Array;
  const col = ctx.data.columns[f] as Float64Array;
  const { start, end } = node;
  if (
    (col[seg[end - 1] as number] as number) <=
    (col[seg[start] as number] as number) + FEATURE_THRESHOLD
  ) {
    return CONSTANT;
  }
  const scan: ScanInput = {
    seg,
    col,
    wy: ctx.wy,
    w: ctx.w,
    start,
    end,
    weight: node.weight,
    sum: node.sum,
    minSamplesLeaf: ctx.params.minSamplesLeaf,
  };
  return ctx.unit ? scanUnit(scan, best) : scanWeighted(scan, best);
}

/** The threshold between positions pos − 1 and pos: the midpoint, or the lower value when the midpoint rounds up to the upper. */
export function cutThreshold(seg: Int32Array, col: Float64Array, pos: number): number {
  const lo = col[seg[pos - 1] as number] as number;
  const hi = col[seg[pos] as number] as number;
  const mid = lo / 2 + hi / 2;
  return mid < hi ? mid : lo;
}

/**
 * Stable partition of every non-constant feature's row list into [start, pos) left and
 * [pos, end) right; the split feature's list is already in that shape.
 */
export function partitionRows(
  idx: readonly Int32Array[],
  feature: number,
  pos: number,
  start: number,
  end: number,
  goLeft: Uint8Array,
  tmp: Int32Array,
  constant: Uint8Array,
): void {
  const splitSeg = idx[feature] as Int32Array;
  for (let j = start; j < pos; j++) goLeft[splitSeg[j] as number] = 1;
  for (let j = pos; j < end; j++) goLeft[splitSeg[j] as number] = 0;
  for (let f = 0; f < idx.length; f++) {
    if (f === feature || constant[f] === 1) continue;
    const seg = idx[f] as Int32Array;
    let l = start;
    let r = 0;
    // Branch-free: write the row to both sides and advance one cursor. Which side a row
    // takes is unpredictable, and a mispredicted branch costs more than a spare store.
    for (let j = start; j < end; j++) {
      const i = seg[j] as number;
      const g = goLeft[i] as number;
      seg[l] = i;
      tmp[r] = i;
      l += g;
      r += 1 - g;
    }
    for (let q = 0; q < r; q++) seg[l + q] = tmp[q] as number;
  }
}
