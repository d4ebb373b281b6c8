import {
  canonicalTree,
  expectSameTree,
  maxDepthOf,
  randomDataset,
  sortChildren,
} from '../../../test/tree-helpers';
import type { CanonNode, Dataset } from '../../../test/tree-helpers';
import { buildTree } from './builder';
import { DEFAULT_TREE_PARAMS, resolveTreeParams } from './params';
import type { TreeParams } from './params';
import { prepareData } from './prepared';
import { LEAF } from './tree-nodes';
import type { TreeNodes } from './tree-nodes';

function fit(ds: Dataset, params: Partial<TreeParams> = {}): TreeNodes {
  const resolved = resolveTreeParams({ ...DEFAULT_TREE_PARAMS, ...params }, ds.x.rows, ds.x.cols);
  return buildTree(prepareData(ds.x, ds.y), null, resolved);
}

/**
 * Straightforward CART written from the definition: for every feature, sort the node's rows,
 * try every cut between values more than 1e-7 apart, recompute both sides' sums from scratch
 * (O(n²) per feature), keep the largest Σ_L²/n_L + Σ_R²/n_R. Preorder output.
 */
function referenceTree(ds: Dataset, p: TreeParams): CanonNode {
  const { x, y } = ds;
  const n = x.rows;
  const maxDepth = p.maxDepth ?? Infinity;
  const { minSamplesSplit, minSamplesLeaf } = resolveTreeParams(p, n, x.cols);
  const stats = (rows: number[]): { sum: number; imp: number } => {
    const sum = rows.reduce((a, r) => a + (y[r] as number), 0);
    const mean = sum / rows.length;
    const sq = rows.reduce((a, r) => a + (y[r] as number) ** 2, 0);
    return { sum, imp: sq / rows.length - mean * mean };
  };
  const grow = (rows: number[], depth: number): CanonNode => {
    const { sum, imp } = stats(rows);
    const m = rows.length;
    const node: CanonNode = {
      rows: [...rows].sort((a, b) => a - b),
      value: sum / m,
      impurity: imp,
      samples: m,
      children: [],
    };
    if (depth >= maxDepth || m < minSamplesSplit || m < 2 * minSamplesLeaf || imp <= Number.EPSILON)
      return node;
    let best: { proxy: number; left: number[]; right: number[] } | null = null;
    for (let f = 0; f < x.cols; f++) {
      const sorted = [...rows].sort(
        (a, b) => (x.data[a * x.cols + f] as number) - (x.data[b * x.cols + f] as number),
      );
      for (let k = 1; k < m; k++) {
        const lo = x.data[(sorted[k - 1] as number) * x.cols + f] as number;
        const hi = x.data[(sorted[k] as number) * x.cols + f] as number;
        if (hi <= lo + 1e-7 || k < minSamplesLeaf || m - k < minSamplesLeaf) continue;
        const left = sorted.slice(0, k);
        const right = sorted.slice(k);
        const sL = left.reduce((a, r) => a + (y[r] as number), 0);
        const sR = right.reduce((a, r) => a + (y[r] as number), 0);
        const proxy = (sL * sL) / left.length + (sR * sR) / right.length;
        if (best === null || proxy > best.proxy * (1 + 1e-12)) best = { proxy, left, right };
      }
    }
    if (best === null) return node;
    const iL = stats(best.left).imp;
    const iR = stats(best.right).imp;
    const decrease = (m / n) * (imp - (best.right.length / m) * iR - (best.left.length / m) * iL);
    if (decrease + Number.EPSILON < p.minImpurityDecrease) return node;
    node.children = sortChildren([grow(best.left, depth + 1), grow(best.right, depth + 1)]);
    return node;
  };
  return grow(
    Array.from({ length: n }, (_, i) => i),
    0,
  );
}

describe('buildTree vs a brute-force CART', () => {
  const cases: Array<[string, Dataset, Partial<TreeParams>]> = [
    ['continuous, full depth', randomDataset(60, 3, 1), {}],
    ['tied values (1 decimal)', randomDataset(80, 4, 2, 1), {}],
    ['maxDepth 3', randomDataset(70, 3, 3), { maxDepth: 3 }],
    ['minSamplesLeaf 4', randomDataset(90, 3, 4, 2), { minSamplesLeaf: 4 }],
    ['minSamplesSplit 10', randomDataset(90, 2, 5), { minSamplesSplit: 10 }],
    ['minImpurityDecrease 0.01', randomDataset(90, 3, 6), { minImpurityDecrease: 0.01 }],
  ];
  it.each(cases)('%s: same partitions, values and impurities', (_name, ds, params) => {
    const tree = fit(ds, params);
    const ref = referenceTree(ds, { ...DEFAULT_TREE_PARAMS, ...params });
    // Different features can induce the same partition (a tie broken by the seeded feature
    // order); the partition of the training rows is what must match, node by node.
    expectSameTree(canonicalTree(tree, ds.x), ref);
  });
});

describe('hyperparameters', () => {
  const ds = randomDataset(400, 5, 11, 2);

  it.each([1, 2, 4, 7])('maxDepth %i bounds the depth', (d) => {
    expect(maxDepthOf(fit(ds, { maxDepth: d }))).toBe(d);
  });

  it.each([1, 3, 8, 25])('minSamplesLeaf %i holds in every leaf', (l) => {
    const tree = fit(ds, { minSamplesLeaf: l });
    const leaves = Array.from(tree.samples).filter((_, i) => tree.feature[i] === LEAF);
    expect(Math.min(...leaves)).toBeGreaterThanOrEqual(l);
    if (l === 1) expect(Math.min(...leaves)).toBe(1);
  });

  it('minSamplesSplit stops splitting small nodes', () => {
    const tree = fit(ds, { minSamplesSplit: 30 });
    tree.feature.forEach((f, i) => {
      if (f !== LEAF) expect(tree.samples[i]).toBeGreaterThanOrEqual(30);
    });
    expect(tree.feature.length).toBeLessThan(fit(ds).feature.length);
  });

  it('minImpurityDecrease prunes splits whose weighted decrease is too small', () => {
    const full = fit(ds);
    const pruned = fit(ds, { minImpurityDecrease: 0.005 });
    expect(pruned.feature.length).toBeLessThan(full.feature.length);
    const n = ds.x.rows;
    pruned.feature.forEach((f, i) => {
      if (f === LEAF) return;
      const l = i + 1;
      const r = pruned.right[i]!;
      const w = pruned.samples;
      const decrease =
        (w[i]! / n) *
        (pruned.impurity[i]! -
          (w[r]! / w[i]!) * pruned.impurity[r]! -
          (w[l]! / w[i]!) * pruned.impurity[l]!);
      expect(decrease).toBeGreaterThanOrEqual(0.005 - 1e-12);
    });
  });

  it('maxFeatures draws features with the seed: same seed same tree, other seeds differ', () => {
    const a = fit(ds, { maxFeatures: 'sqrt', seed: 5 });
    const b = fit(ds, { maxFeatures: 'sqrt', seed: 5 });
    const c = fit(ds, { maxFeatures: 'sqrt', seed: 6 });
    expect(Array.from(b.feature)).toEqual(Array.from(a.feature));
    expect(Array.from(b.threshold)).toEqual(Array.from(a.threshold));
    expect(Array.from(c.feature)).not.toEqual(Array.from(a.feature));
  });

  it('maxFeatures = all features gives the best split at the root regardless of seed', () => {
    const roots = [0, 1, 2, 3].map((seed) => fit(ds, { maxDepth: 1, seed }));
    for (const t of roots)
      expect([t.feature[0], t.threshold[0]]).toEqual([
        roots[0]!.feature[0],
        roots[0]!.threshold[0],
      ]);
  });

  it('maxFeatures 1 feature (fraction) makes the root split on a random feature', () => {
    const features = new Set(
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(
        (seed) => fit(ds, { maxDepth: 1, maxFeatures: 0.2, seed }).feature[0],
      ),
    );
    expect(features.size).toBeGreaterThan(1);
  });

  it('bootstrap weights act as repeated rows', () => {
    const small = randomDataset(40, 3, 21);
    const counts = new Float64Array(40).map((_, i) => (i % 3 === 0 ? 0 : i % 3));
    const params = resolveTreeParams(DEFAULT_TREE_PARAMS, 40, 3);
    const weighted = buildTree(prepareData(small.x, small.y), counts, params);
    // The same rows materialised with their multiplicities (one copy per unit of weight).
    const rows: number[] = [];
    counts.forEach((c, i) => {
      for (let k = 0; k < c; k++) rows.push(i);
    });
    const x = new Float64Array(rows.length * 3);
    rows.forEach((r, k) => {
      x.set(small.x.data.subarray(r * 3, r * 3 + 3), k * 3);
    });
    const expanded = buildTree(
      prepareData(
        { data: x, rows: rows.length, cols: 3 },
        Float64Array.from(rows, (r) => small.y[r]!),
      ),
      null,
      params,
    );
    const expandedX = { data: x, rows: rows.length, cols: 3 };
    // Rows drawn zero times take no part, so route only the drawn ones.
    const drawn = rows.filter((r, k) => rows.indexOf(r) === k);
    const drawnX = new Float64Array(drawn.length * 3);
    drawn.forEach((r, k) => {
      drawnX.set(small.x.data.subarray(r * 3, r * 3 + 3), k * 3);
    });
    expectSameTree(
      canonicalTree(weighted, { data: drawnX, rows: drawn.length, cols: 3 }, (k) => drawn[k]!),
      canonicalTree(expanded, expandedX, (r) => rows[r]!),
    );
  });
});
