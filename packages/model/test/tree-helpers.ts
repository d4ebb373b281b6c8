/**
 * Small synthetic datasets and tree walkers shared by the learner's tests.
 */
import type { Matrix } from '../src/core/matrix';
import { createRng } from '../src/core/rng';
import { LEAF } from '../src/core/tree/tree-nodes';
import type { TreeNodes } from '../src/core/tree/tree-nodes';

export interface Dataset {
  x: Matrix;
  y: Float64Array;
}

/** Uniform features in [0, 1) (rounded to `decimals` to create ties when given) and a noisy target. */
export function randomDataset(
  rows: number,
  cols: number,
  seed: number,
  decimals?: number,
): Dataset {
  const rng = createRng(seed);
  const data = new Float64Array(rows * cols);
  const y = new Float64Array(rows);
  const scale = decimals === undefined ? 0 : 10 ** decimals;
  for (let i = 0; i < rows; i++) {
    let target = 0;
    for (let c = 0; c < cols; c++) {
      const raw = rng.next();
      const v = scale > 0 ? Math.round(raw * scale) / scale : raw;
      data[i * cols + c] = v;
      target += (c + 1) * v * (c % 2 === 0 ? 1 : -1);
    }
    y[i] = target + rng.next() * 0.5;
  }
  return { x: { data, rows, cols }, y };
}

/** Depth of every node (root 0), from the preorder layout. */
export function nodeDepths(tree: TreeNodes): Int32Array {
  const depth = new Int32Array(tree.feature.length);
  for (let i = 0; i < tree.feature.length; i++) {
    if (tree.feature[i] === LEAF) continue;
    const d = (depth[i] as number) + 1;
    depth[i + 1] = d;
    depth[tree.right[i] as number] = d;
  }
  return depth;
}

export function maxDepthOf(tree: TreeNodes): number {
  return nodeDepths(tree).reduce((a, b) => Math.max(a, b), 0);
}

/** Row ids of `x` reaching each node (routing by the stored thresholds). */
export function rowsPerNode(tree: TreeNodes, x: Matrix): number[][] {
  const out: number[][] = Array.from({ length: tree.feature.length }, () => []);
  for (let r = 0; r < x.rows; r++) {
    let node = 0;
    for (;;) {
      out[node]?.push(r);
      const f = tree.feature[node] as number;
      if (f === LEAF) break;
      const v = x.data[r * x.cols + f] as number;
      node = v <= (tree.threshold[node] as number) ? node + 1 : (tree.right[node] as number);
    }
  }
  return out;
}

/** A tree as nested row sets, children ordered by their smallest row id (orientation-free). */
export interface CanonNode {
  rows: number[];
  value: number;
  impurity: number;
  samples: number;
  children: CanonNode[];
}

/**
 * Canonical form of a fitted tree over the rows of `x`. Ties between features that induce the
 * same partition may flip which side is "left"; the partition itself is what must match.
 * `mapRow` folds duplicated rows back onto their original id.
 */
export function canonicalTree(
  tree: TreeNodes,
  x: Matrix,
  mapRow: (row: number) => number = (r) => r,
): CanonNode {
  const rows = rowsPerNode(tree, x);
  const build = (i: number): CanonNode => {
    const ids = [...new Set((rows[i] ?? []).map(mapRow))].sort((a, b) => a - b);
    const children =
      tree.feature[i] === LEAF ? [] : sortChildren([build(i + 1), build(tree.right[i] as number)]);
    return {
      rows: ids,
      value: tree.value[i] as number,
      impurity: tree.impurity[i] as number,
      samples: tree.samples[i] as number,
      children,
    };
  };
  return build(0);
}

export function sortChildren(children: CanonNode[]): CanonNode[] {
  return children.sort((a, b) => (a.rows[0] ?? 0) - (b.rows[0] ?? 0));
}

/** Asserts two canonical trees have the same partitions and (to 1e-10) values and impurities. */
export function expectSameTree(actual: CanonNode, expected: CanonNode, path = 'root'): void {
  expect({ path, rows: actual.rows }).toEqual({ path, rows: expected.rows });
  expect({ path, leaf: actual.children.length === 0 }).toEqual({
    path,
    leaf: expected.children.length === 0,
  });
  expect(actual.value).toBeCloseTo(expected.value, 10);
  expect(actual.impurity).toBeCloseTo(expected.impurity, 10);
  expect(actual.samples).toBe(expected.samples);
  actual.children.forEach((child, k) => {
    const other = expected.children[k];
    if (other !== undefined) expectSameTree(child, other, `${path}.${k}`);
  });
}

export /** The tree cut at `depth`: nodes at that depth become leaves (what "truncation" would give). */
function truncate(tree: TreeNodes, depth: number): TreeNodes {
  const keep: number[] = [];
  const right: number[] = [];
  const visit = (i: number, d: number): number => {
    const id = keep.length;
    keep.push(i);
    right.push(LEAF);
    if (tree.feature[i] !== LEAF && d < depth) {
      visit(i + 1, d + 1);
      right[id] = visit(tree.right[i] as number, d + 1);
    }
    return id;
  };
  visit(0, 0);
  const cut = (k: number): boolean => right[k] === LEAF;
  const feature = Int32Array.from(keep, (i, k) => (cut(k) ? LEAF : (tree.feature[i] as number)));
  return {
    feature,
    threshold: Float64Array.from(keep, (i, k) => (cut(k) ? 0 : (tree.threshold[i] as number))),
    left: Int32Array.from(keep, (_, k) => (cut(k) ? LEAF : k + 1)),
    right: Int32Array.from(right),
    value: Float64Array.from(keep, (i) => tree.value[i] as number),
    samples: Float64Array.from(keep, (i) => tree.samples[i] as number),
    impurity: Float64Array.from(keep, (i) => tree.impurity[i] as number),
  };
}
