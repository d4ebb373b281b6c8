/**
 * The depth shortcut of the search: when every tree of a depth family (depth-family.ts) is
 * the deepest one cut at its depth limit, one walk down the deepest tree per validation row
 * answers every limit at once — the prediction of limit d is the value of the node the row
 * reaches at depth d (or of its leaf, if that comes first).
 *
 * When it holds: the split chosen at a node does not depend on the depth limit below it
 * (same rows, same statistics, same min_samples_*, min_impurity_decrease), so the trees of
 * different limits differ only where a node's best cut is tied bit for bit between features
 * and the limits' feature draws pick different ones (a fork or merge in the family). The
 * shortcut is therefore checked, not assumed: `isTruncation` compares each tree with the
 * deepest node for node, and any family that fails falls back to predicting each tree.
 */
import type { Matrix } from '../matrix';
import { LEAF } from './tree-nodes';
import type { TreeNodes } from './tree-nodes';

/**
 * Whether `tree` is `deep` cut at `depth`: the same nodes in the same preorder with the same
 * split, value, samples and impurity, bit for bit, except that nodes at `depth` are leaves.
 */
export function isTruncation(deep: TreeNodes, tree: TreeNodes, depth: number): boolean {
  const n = tree.feature.length;
  if (n === 0) return deep.feature.length === 0;
  // Preorder with an explicit stack of (node in tree, node in deep, depth).
  const stack: number[] = [0, 0, 0];
  let visited = 0;
  while (stack.length > 0) {
    const d = stack.pop() as number;
    const j = stack.pop() as number;
    const i = stack.pop() as number;
    // Preorder: the nodes of `tree` must come in index order.
    if (i !== visited || j >= deep.feature.length) return false;
    visited++;
    if (
      !Object.is(tree.value[i], deep.value[j]) ||
      !Object.is(tree.samples[i], deep.samples[j]) ||
      !Object.is(tree.impurity[i], deep.impurity[j])
    ) {
      return false;
    }
    const f = tree.feature[i] as number;
    if (f === LEAF) {
      if (deep.feature[j] !== LEAF && d < depth) return false;
      continue;
    }
    if (d >= depth || deep.feature[j] !== f || !Object.is(tree.threshold[i], deep.threshold[j])) {
      return false;
    }
    stack.push(tree.right[i] as number, deep.right[j] as number, d + 1, i + 1, j + 1, d + 1);
  }
  return visited === n;
}

/**
 * Predictions of `deep` cut at each of `depths` (ascending, ≥ 1) for every row of `x`, from
 * one walk per row: out[k][r] is the value of the node row r reaches at depth depths[k], or
 * of its leaf when that is shallower. Equal, value for value, to predicting with each
 * truncated tree. NaN goes right, as in the packed predictor.
 */
export function predictTruncations(
  deep: TreeNodes,
  depths: readonly number[],
  x: Matrix,
): Float64Array[] {
  const { rows, cols, data } = x;
  const out = depths.map(() => new Float64Array(rows));
  if (deep.feature.length === 0) return out;
  const { feature, threshold, right, value } = deep;
  const nDepths = depths.length;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let n = 0;
    let d = 0;
    for (let k = 0; k < nDepths; k++) {
      const limit = depths[k] as number;
      let f = feature[n] as number;
      while (d < limit && f !== LEAF) {
        n = (data[base + f] as number) <= (threshold[n] as number) ? n + 1 : (right[n] as number);
        f = feature[n] as number;
        d++;
      }
      (out[k] as Float64Array)[r] = value[n] as number;
    }
  }
  return out;
}
