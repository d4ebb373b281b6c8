import { maxDepthOf, randomDataset } from '../../test/tree-helpers';
import { ModelError } from '../errors';
import { TreeEnsemble } from './ensemble';
import { fitForest, fitTree } from './fit';
import type { Matrix } from './matrix';
import { rmse } from './metrics';

function grid1d(xs: number[]): Matrix {
  return { data: Float64Array.from(xs), rows: xs.length, cols: 1 };
}

describe('fitTree', () => {
  it('recovers a piecewise-constant function exactly, between and beyond the training points', () => {
    const step = (v: number): number => (v < 2 ? 1 : v < 5 ? 4 : v < 7 ? 2.5 : -1);
    const xs = Array.from({ length: 100 }, (_, i) => i / 10);
    const model = fitTree(grid1d(xs), Float64Array.from(xs, step));
    // Thresholds sit at the midpoints 1.95, 4.95 and 6.95.
    const probe = [-3, 0.05, 1.93, 2.03, 4.93, 5.03, 6.93, 7.03, 42];
    expect(Array.from(model.predict(grid1d(probe)))).toEqual(probe.map(step));
    // Four constant pieces need exactly three splits.
    expect(model.trees[0]!.feature.length).toBe(7);
  });

  it('fits a sine curve within tolerance', () => {
    const xs = Array.from({ length: 400 }, (_, i) => (i / 400) * 2 * Math.PI);
    const model = fitTree(grid1d(xs), Float64Array.from(xs, Math.sin), { maxDepth: 8 });
    const probe = Array.from({ length: 997 }, (_, i) => (i / 997) * 2 * Math.PI);
    const pred = model.predict(grid1d(probe));
    expect(rmse(probe.map(Math.sin), pred)).toBeLessThan(0.02);
  });

  it('is a 1-tree ensemble whose depth obeys maxDepth', () => {
    const ds = randomDataset(200, 4, 3);
    const model = fitTree(ds.x, ds.y, { maxDepth: 5 });
    expect(model.kind).toBe('tree');
    expect(model.nTrees).toBe(1);
    expect(model.columns).toEqual(['x0', 'x1', 'x2', 'x3']);
    expect(maxDepthOf(model.trees[0]!)).toBe(5);
  });

  it.each([
    [{ maxDepth: 0 }, /maxDepth must be an integer ≥ 1/],
    [{ minSamplesLeaf: 0 }, /minSamplesLeaf/],
    [{ minSamplesSplit: 1 }, /minSamplesSplit/],
    [{ maxFeatures: 9 }, /maxFeatures must be at most the number of features \(4\)/],
    [{ maxFeatures: 'half' as unknown as null }, /maxFeatures/],
    [{ minImpurityDecrease: -1 }, /minImpurityDecrease/],
  ])('rejects %p with PARAMS_INVALID', (params, message) => {
    const ds = randomDataset(20, 4, 3);
    expect(() => fitTree(ds.x, ds.y, params)).toThrow(message);
    expect(() => fitTree(ds.x, ds.y, params)).toThrow(ModelError);
  });

  it('rejects non-finite training values', () => {
    const ds = randomDataset(20, 2, 3);
    ds.x.data[5] = Number.NaN;
    expect(() => fitTree(ds.x, ds.y)).toThrow(/row 2, column 1 is NaN/);
  });
});

describe('fitForest', () => {
  const train = randomDataset(300, 5, 7);
  const test = randomDataset(200, 5, 8);

  it('is deterministic by seed and varies with it', () => {
    const a = fitForest(train.x, train.y, { nEstimators: 15, seed: 3 });
    const b = fitForest(train.x, train.y, { nEstimators: 15, seed: 3 });
    const c = fitForest(train.x, train.y, { nEstimators: 15, seed: 4 });
    expect(Array.from(b.predict(test.x))).toEqual(Array.from(a.predict(test.x)));
    expect(Array.from(c.predict(test.x))).not.toEqual(Array.from(a.predict(test.x)));
    expect(a.kind).toBe('forest');
    expect(a.nTrees).toBe(15);
  });

  it('predicts the mean of its trees and beats a single deep tree', () => {
    const forest = fitForest(train.x, train.y, { nEstimators: 40, seed: 1 });
    const tree = fitTree(train.x, train.y);
    const perTree = forest.trees.map((t) =>
      new TreeEnsemble('tree', forest.columns, [t]).predict(test.x),
    );
    const mean = Array.from(
      test.y,
      (_, r) => perTree.reduce((a, p) => a + p[r]!, 0) / perTree.length,
    );
    forest.predict(test.x).forEach((v, r) => {
      expect(v).toBeCloseTo(mean[r]!, 12);
    });
    expect(rmse(test.y, forest.predict(test.x))).toBeLessThan(rmse(test.y, tree.predict(test.x)));
  });

  it('without bootstrap and with all features, every tree is the same tree', () => {
    const forest = fitForest(train.x, train.y, { nEstimators: 3, bootstrap: false, maxDepth: 4 });
    const [t0, t1] = forest.trees;
    expect(Array.from(t1!.threshold)).toEqual(Array.from(t0!.threshold));
  });

  it('bootstrap uses maxSamples draws per tree', () => {
    const forest = fitForest(train.x, train.y, { nEstimators: 2, maxSamples: 0.5 });
    expect(forest.trees[0]!.samples[0]).toBe(150);
  });

  it('rejects a bad nEstimators', () => {
    expect(() => fitForest(train.x, train.y, { nEstimators: 0 })).toThrow(/nEstimators/);
  });
});
