import { createRng } from '../rng';
import type { Rng } from '../rng';
import type { Matrix } from '../matrix';
import { buildTree } from './builder';
import { buildDepthFamily } from './depth-family';
import { DEFAULT_TREE_PARAMS, fraction, resolveTreeParams } from './params';
import type { ResolvedTreeParams, TreeParams } from './params';
import { prepareData } from './prepared';
import type { PreparedData } from './prepared';
import type { TreeNodes } from './tree-nodes';
import { truncate } from '../../../test/tree-helpers';

const UNLIMITED = 2 ** 31 - 1;
const FIELDS = ['feature', 'threshold', 'left', 'right', 'value', 'samples', 'impurity'] as const;

/** Where two trees differ first (bit for bit), or null when they are identical. */
function firstDifference(a: TreeNodes, b: TreeNodes): string | null {
  for (const field of FIELDS) {
    const x = a[field];
    const y = b[field];
    if (x.length !== y.length) return `${field}: ${x.length} vs ${y.length} nodes`;
    for (let i = 0; i < x.length; i++) {
      if (!Object.is(x[i], y[i])) return `${field}[${i}]: ${x[i]} vs ${y[i]}`;
    }
  }
  return null;
}

interface Case {
  name: string;
  data: PreparedData;
  weights: Float64Array | null;
  params: ResolvedTreeParams;
  depths: number[];
}

const pick = <T>(rng: Rng, values: readonly T[]): T => values[rng.int(values.length)] as T;

/**
 * Random data built to make equal cuts common: few distinct values, integer targets, copied
 * and mirrored columns (the same two groups, on the same or opposite sides), constant columns.
 */
function randomCase(seed: number): Case {
  const rng = createRng(seed);
  const rows = 30 + rng.int(370);
  const base = 1 + rng.int(5);
  const decimals = pick(rng, [0, 1, 2, 6]);
  const integerTarget = rng.next() < 0.7;
  const extras = ['copy', 'mirror', 'constant'].filter(() => rng.next() < 0.4);
  const cols = base + extras.length;
  const data = new Float64Array(rows * cols);
  const y = new Float64Array(rows);
  const scale = 10 ** decimals;
  for (let r = 0; r < rows; r++) {
    let target = 0;
    for (let c = 0; c < base; c++) {
      const v = Math.round(rng.next() * 4 * scale) / scale;
      data[r * cols + c] = v;
      target += (c % 2 === 0 ? 1 : -1) * (c + 1) * v;
    }
    extras.forEach((kind, k) => {
      const first = data[r * cols] as number;
      data[r * cols + base + k] = kind === 'copy' ? first * 2 : kind === 'mirror' ? -first : 3;
    });
    const noisy = target + rng.next() * 2;
    y[r] = integerTarget ? Math.round(noisy) : noisy;
  }
  const x: Matrix = { data, rows, cols };
  let weights: Float64Array | null = null;
  if (rng.next() < 0.4) {
    weights = new Float64Array(rows);
    for (let k = 0; k < rows; k++) {
      const i = rng.int(rows);
      weights[i] = (weights[i] as number) + 1;
    }
  }
  const given: TreeParams = {
    ...DEFAULT_TREE_PARAMS,
    minSamplesLeaf: rng.next() < 0.8 ? 1 + rng.int(5) : fraction(0.01 + rng.next() * 0.05),
    minSamplesSplit: rng.next() < 0.7 ? 2 : 2 + rng.int(12),
    minImpurityDecrease: rng.next() < 0.7 ? 0 : rng.next() * 0.01,
    seed: rng.int(1000),
  };
  const depths = Array.from({ length: 14 }, (_, i) => i + 1).filter(() => rng.next() < 0.6);
  if (rng.next() < 0.5 || depths.length === 0) depths.push(UNLIMITED);
  const name = `seed ${seed}: ${rows}×${cols} (${extras.join('+') || 'plain'}), ${integerTarget ? 'integer' : 'real'} y, ${weights === null ? 'unit' : 'bootstrap'} weights, depths ${depths.join(',')}`;
  return {
    name,
    data: prepareData(x, y),
    weights,
    params: resolveTreeParams(given, rows, cols),
    depths,
  };
}

const CASES = Array.from({ length: 60 }, (_, i) => randomCase(i + 1));

describe('buildDepthFamily', () => {
  const totals = { forks: 0, merges: 0, truncationWrong: 0 };

  it.each(CASES.map((c) => [c.name, c] as const))(
    'fits every depth limit exactly as buildTree does: %s',
    (_name, c) => {
      const family = buildDepthFamily(c.data, c.weights, c.params, c.depths);
      const deepest = buildTree(c.data, c.weights, {
        ...c.params,
        maxDepth: Math.max(...c.depths),
      });
      c.depths.forEach((maxDepth, k) => {
        const alone = buildTree(c.data, c.weights, { ...c.params, maxDepth });
        expect({ maxDepth, diff: firstDifference(family.trees[k] as TreeNodes, alone) }).toEqual({
          maxDepth,
          diff: null,
        });
        if (firstDifference(truncate(deepest, maxDepth), alone) !== null) totals.truncationWrong++;
      });
      totals.forks += family.forks;
      totals.merges += family.merges;
    },
  );

  it('the random cases exercise forks, merges, and trees that truncation gets wrong', () => {
    // Equal cuts decided by the feature draws: without replaying each limit's draws, the
    // deepest tree cut at depth d is not always the depth-d fit.
    expect(totals.forks).toBeGreaterThan(0);
    expect(totals.merges).toBeGreaterThan(0);
    expect(totals.truncationWrong).toBeGreaterThan(0);
  });

  it('gives buildTree the same generator per limit (scikit-learn draws included)', () => {
    const c = CASES[0] as Case;
    let made = 0;
    const rngOf = (): Rng => {
      made++;
      return createRng(99);
    };
    const family = buildDepthFamily(c.data, null, c.params, [2, 5], rngOf);
    expect(made).toBe(2);
    expect(
      firstDifference(
        family.trees[1] as TreeNodes,
        buildTree(c.data, null, { ...c.params, maxDepth: 5 }, createRng(99)),
      ),
    ).toBeNull();
  });

  it('needs every feature examined at every node, and distinct limits', () => {
    const c = CASES.find((k) => k.data.cols > 1) as Case;
    expect(() => buildDepthFamily(c.data, null, { ...c.params, maxFeatures: 1 }, [3])).toThrow(
      /max_features = all/,
    );
    expect(() => buildDepthFamily(c.data, null, c.params, [3, 3])).toThrow(/distinct/);
  });
});
