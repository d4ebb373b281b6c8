/**
 * Our CART against trees grown by scikit-learn (sklearn-trees.json, written by
 * make_sklearn_fixtures.py with the scikit-learn version it records): every node's feature,
 * threshold, children, value, impurity, n_node_samples and weighted_n_node_samples, and the
 * predictions, for single trees and for forest trees grown on scikit-learn's own bootstrap
 * weights (so min_samples_leaf counts distinct rows while the sums are weighted).
 *
 * Our builder is run with scikit-learn's splitter generator (sklearn-rng.ts), so features are
 * drawn in the same order at every node: with max_features < p the same features are
 * examined, and where two features give the same best improvement the first one drawn wins in
 * both. The data are float32-exact (scikit-learn fits on float32), so thresholds — midpoints
 * a/2 + b/2 — must match bit for bit.
 *
 * The tie rule. A node may still pick a different (feature, threshold) than scikit-learn when
 * two features cut the node's rows into the same two groups — typical in nodes of 2–5 rows —
 * and only the last bit of the sums decides between them: scikit-learn recomputes each node's
 * total from its rows, we carry it down from the parent (right = parent − left), so the
 * proxies Σ_L²/W_L + Σ_R²/W_R of two equal cuts can round apart in either direction. Such a
 * node is accepted when both cuts send exactly the same rows left, or the same groups to
 * opposite sides (then our left subtree is compared with scikit-learn's right one); the
 * subtrees below are compared as usual and every accepted tie is counted, with the counts
 * pinned in EXPECTED_TIES. A cut that splits the rows differently always fails. Values and
 * impurities are compared to 1e-12 / 1e-10 relative (summation order), counts exactly.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Matrix } from '../../src/core/matrix';
import { buildTree } from '../../src/core/tree/builder';
import { resolveMaxSamples, resolveTreeParams } from '../../src/core/tree/params';
import type { ForestParams } from '../../src/core/tree/params';
import { prepareData } from '../../src/core/tree/prepared';
import type { PreparedData } from '../../src/core/tree/prepared';
import { forestParamsOf } from '../../src/core/tree/train';
import { LEAF } from '../../src/core/tree/tree-nodes';
import type { TreeNodes } from '../../src/core/tree/tree-nodes';
import { sklearnRng } from './sklearn-rng';

interface SklearnTree {
  children_left: number[];
  children_right: number[];
  feature: number[];
  threshold: number[];
  value: number[];
  impurity: number[];
  n_node_samples: number[];
  weighted_n_node_samples: number[];
}

interface Fixture {
  about: { sklearn: string; numpy: string; generator: string };
  data: Record<string, { x: number[][]; y: number[]; rows: number; cols: number }>;
  cases: {
    name: string;
    data: string;
    kind: 'tree' | 'forest';
    sklearn: Record<string, string>;
    params: Partial<ForestParams>;
    trees: { rand_r_seed: number; weights?: number[]; tree_: SklearnTree }[];
    predict: number[];
  }[];
}

const fixture = JSON.parse(
  readFileSync(path.join(__dirname, 'sklearn-trees.json'), 'utf8'),
) as Fixture;

/**
 * Nodes per case where an equal cut on another feature won (see the tie rule above); only the
 * continuous-target full-depth tree has any. Integer targets keep every sum exact.
 */
const EXPECTED_TIES: Readonly<Record<string, number>> = { 'tree-defaults': 9 };

interface Comparison {
  mismatches: string[];
  ties: number;
  nodes: number;
}

function matrixOf(x: number[][]): Matrix {
  const rows = x.length;
  const cols = x[0]?.length ?? 0;
  return { data: Float64Array.from(x.flat()), rows, cols };
}

/** Rows (with positive weight) reaching each node of our tree. */
function rowsPerNode(tree: TreeNodes, data: PreparedData, weights: Float64Array | null) {
  const rows: number[][] = Array.from({ length: tree.feature.length }, () => []);
  for (let r = 0; r < data.rows; r++) {
    if (weights !== null && (weights[r] as number) <= 0) continue;
    let i = 0;
    for (;;) {
      rows[i]?.push(r);
      const f = tree.feature[i] as number;
      if (f === LEAF) break;
      i =
        (data.columns[f]![r] as number) <= (tree.threshold[i] as number)
          ? (tree.left[i] as number)
          : (tree.right[i] as number);
    }
  }
  return rows;
}

function compareTrees(
  ours: TreeNodes,
  theirs: SklearnTree,
  data: PreparedData,
  weights: Float64Array | null,
): Comparison {
  const out: Comparison = { mismatches: [], ties: 0, nodes: 0 };
  const reach = rowsPerNode(ours, data, weights);
  const close = (a: number, b: number, tol: number) =>
    Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
  const visit = (i: number, j: number): void => {
    out.nodes++;
    const at = `node ${j}`;
    const rows = reach[i] ?? [];
    if (rows.length !== theirs.n_node_samples[j]) {
      out.mismatches.push(`${at}: n_node_samples ${rows.length} vs ${theirs.n_node_samples[j]}`);
    }
    if (ours.samples[i] !== theirs.weighted_n_node_samples[j]) {
      out.mismatches.push(
        `${at}: weighted_n_node_samples ${ours.samples[i]} vs ${theirs.weighted_n_node_samples[j]}`,
      );
    }
    if (!close(ours.value[i] as number, theirs.value[j] as number, 1e-12)) {
      out.mismatches.push(`${at}: value ${ours.value[i]} vs ${theirs.value[j]}`);
    }
    if (!close(ours.impurity[i] as number, theirs.impurity[j] as number, 1e-10)) {
      out.mismatches.push(`${at}: impurity ${ours.impurity[i]} vs ${theirs.impurity[j]}`);
    }
    const ourLeaf = ours.feature[i] === LEAF;
    const theirLeaf = theirs.children_left[j] === -1;
    if (ourLeaf || theirLeaf) {
      if (ourLeaf !== theirLeaf) {
        out.mismatches.push(
          `${at}: ${ourLeaf ? 'we stop, scikit-learn splits' : 'we split, scikit-learn stops'}`,
        );
      }
      return;
    }
    const f = ours.feature[i] as number;
    const t = ours.threshold[i] as number;
    const g = theirs.feature[j] as number;
    const u = theirs.threshold[j] as number;
    let mirrored = false;
    if (f !== g || t !== u) {
      const oursLeft = (r: number) => (data.columns[f]![r] as number) <= t;
      const theirsLeft = (r: number) => (data.columns[g]![r] as number) <= u;
      const same = rows.every((r) => oursLeft(r) === theirsLeft(r));
      // The same two groups on opposite sides: the features order them the other way round.
      mirrored = !same && rows.every((r) => oursLeft(r) !== theirsLeft(r));
      if (!same && !mirrored) {
        out.mismatches.push(`${at}: split x${f} <= ${t} vs scikit-learn x${g} <= ${u}`);
        return;
      }
      out.ties++;
    }
    const [left, right] = mirrored
      ? [theirs.children_right[j], theirs.children_left[j]]
      : [theirs.children_left[j], theirs.children_right[j]];
    visit(i + 1, left as number);
    visit(ours.right[i] as number, right as number);
  };
  visit(0, 0);
  return out;
}

function predict(trees: readonly TreeNodes[], x: Matrix): Float64Array {
  const out = new Float64Array(x.rows);
  for (let r = 0; r < x.rows; r++) {
    let sum = 0;
    for (const tree of trees) {
      let i = 0;
      while (tree.feature[i] !== LEAF) {
        const f = tree.feature[i] as number;
        i =
          (x.data[r * x.cols + f] as number) <= (tree.threshold[i] as number)
            ? (tree.left[i] as number)
            : (tree.right[i] as number);
      }
      sum += tree.value[i] as number;
    }
    out[r] = sum / trees.length;
  }
  return out;
}

describe(`CART vs scikit-learn ${fixture.about.sklearn} golden trees`, () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const set = fixture.data[c.data]!;
    const x = matrixOf(set.x);
    const data = prepareData(x, Float64Array.from(set.y));
    const params = forestParamsOf(c.params);
    const resolved = resolveTreeParams(params, data.rows, data.cols);
    const totals = { ties: 0, nodes: 0 };
    const trees = c.trees.map((t) => {
      const weights = t.weights === undefined ? null : Float64Array.from(t.weights);
      if (weights !== null) {
        // Our max_samples rule gives scikit-learn's number of bootstrap draws.
        expect(resolveMaxSamples(params.maxSamples, data.rows)).toBe(
          weights.reduce((a, b) => a + b, 0),
        );
      }
      const tree = buildTree(data, weights, resolved, sklearnRng(t.rand_r_seed));
      const result = compareTrees(tree, t.tree_, data, weights);
      expect(result.mismatches).toEqual([]);
      expect(result.nodes).toBe(t.tree_.feature.length);
      expect(tree.feature.length).toBe(t.tree_.feature.length);
      totals.ties += result.ties;
      totals.nodes += result.nodes;
      return tree;
    });
    expect(totals.nodes).toBeGreaterThan(10);
    expect(totals.ties).toBe(EXPECTED_TIES[c.name] ?? 0);
    const ours = predict(trees, x);
    c.predict.forEach((p, r) => {
      expect(Math.abs((ours[r] as number) - p)).toBeLessThanOrEqual(
        1e-12 * Math.max(1, Math.abs(p)),
      );
    });
  });
});
