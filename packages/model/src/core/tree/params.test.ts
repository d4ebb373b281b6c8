import { randomDataset } from '../../../test/tree-helpers';
import { ModelError } from '../../errors';
import { fitForest, fitTree } from '../fit';
import {
  canonicalParams,
  count,
  DEFAULT_FOREST_PARAMS,
  fraction,
  paramText,
  resolveMaxFeatures,
  resolveMaxSamples,
  resolveTreeParams,
  toAmount,
} from './params';

describe('count-or-fraction parameters (scikit-learn: int = count, float = fraction)', () => {
  it('reads max_features 1 as one feature and fraction 1 (1.0) as all of them', () => {
    expect(resolveMaxFeatures(1, 11)).toBe(1);
    expect(resolveMaxFeatures(count(1), 11)).toBe(1);
    expect(resolveMaxFeatures(fraction(1), 11)).toBe(11);
    expect(resolveMaxFeatures(0.5, 11)).toBe(5); // max(1, int(0.5 · 11))
    expect(resolveMaxFeatures(fraction(0.01), 11)).toBe(1);
    expect(resolveMaxFeatures(null, 11)).toBe(11);
    expect(resolveMaxFeatures('sqrt', 11)).toBe(3);
    expect(DEFAULT_FOREST_PARAMS.maxFeatures).toEqual(fraction(1));
  });

  it('reads max_samples 1 as one bootstrap draw and fractions as floor(f · n), like scikit-learn 1.9', () => {
    expect(resolveMaxSamples(1, 100)).toBe(1);
    expect(resolveMaxSamples(fraction(1), 100)).toBe(100);
    expect(resolveMaxSamples(fraction(0.5), 5)).toBe(2); // int(2.5), not round
    expect(resolveMaxSamples(fraction(0.001), 100)).toBe(1);
    expect(resolveMaxSamples(250, 100)).toBe(250); // with replacement: more draws than rows
    expect(resolveMaxSamples(null, 100)).toBe(100);
  });

  it('min_samples_split takes a fraction up to 1.0, min_samples_leaf below 1', () => {
    expect(
      resolveTreeParams({ ...DEFAULT_FOREST_PARAMS, minSamplesSplit: fraction(1) }, 40, 3),
    ).toMatchObject({ minSamplesSplit: 40 });
    expect(
      resolveTreeParams({ ...DEFAULT_FOREST_PARAMS, minSamplesLeaf: 0.1 }, 45, 3),
    ).toMatchObject({ minSamplesLeaf: 5 });
  });

  it.each([
    ['maxFeatures', 0, /maxFeatures must be a count ≥ 1 \(1 = one feature\)/],
    ['maxFeatures', fraction(1.5), /fraction in \(0, 1\]/],
    ['maxFeatures', count(2.5), /maxFeatures/],
    ['maxFeatures', { kind: 'percent', value: 3 }, /"kind":"percent"/],
    ['minSamplesLeaf', fraction(1), /minSamplesLeaf must be a count ≥ 1 or a fraction in \(0, 1\)/],
    ['minSamplesSplit', 1, /minSamplesSplit must be a count ≥ 2/],
  ])('rejects %s = %j with a message saying how to write it', (key, value, message) => {
    const params = { ...DEFAULT_FOREST_PARAMS, [key]: value };
    expect(() => resolveTreeParams(params, 50, 4)).toThrow(ModelError);
    expect(() => resolveTreeParams(params, 50, 4)).toThrow(message);
  });

  it('max_features=1 makes every split look at one random feature; fraction(1) at all of them', () => {
    // Feature 0 explains y; the others are noise. With all features the root always splits
    // on 0; with one feature per split the root's feature follows the seed.
    const ds = randomDataset(300, 4, 7);
    for (let i = 0; i < 300; i++) ds.y[i] = (ds.x.data[i * 4] as number) * 10;
    const roots = (maxFeatures: number | ReturnType<typeof fraction>) =>
      new Set(
        Array.from(
          { length: 12 },
          (_, seed) => fitTree(ds.x, ds.y, { maxDepth: 1, maxFeatures, seed }).trees[0]!.feature[0],
        ),
      );
    expect(roots(fraction(1))).toEqual(new Set([0]));
    expect(roots(1).size).toBeGreaterThan(1);
  });

  it('max_samples=1 grows each forest tree from a single bootstrap row', () => {
    const ds = randomDataset(200, 3, 2);
    const one = fitForest(ds.x, ds.y, { nEstimators: 3, maxSamples: 1, seed: 1 });
    for (const tree of one.trees) expect(Array.from(tree.feature)).toEqual([-1]);
    const all = fitForest(ds.x, ds.y, { nEstimators: 3, maxSamples: fraction(1), seed: 1 });
    for (const tree of all.trees) expect(tree.feature.length).toBeGreaterThan(100);
  });

  it('prints values as scikit-learn does, so the logged params are unambiguous', () => {
    expect(paramText('maxFeatures', fraction(1))).toBe('1.0');
    expect(paramText('maxFeatures', count(1))).toBe('1');
    expect(paramText('maxFeatures', 1)).toBe('1');
    expect(paramText('maxFeatures', 0.5)).toBe('0.5');
    expect(paramText('maxSamples', null)).toBe('None');
    expect(paramText('maxFeatures', 'sqrt')).toBe('sqrt');
    expect(paramText('minSamplesLeaf', 5)).toBe('5');
    expect(paramText('maxDepth', 3)).toBe('3');
    expect(paramText('bootstrap', true)).toBe('true');
  });

  it('writes max_features / max_samples explicitly for model.json', () => {
    expect(canonicalParams({ maxFeatures: 0.5, maxSamples: 1, minSamplesLeaf: 3 })).toEqual({
      maxFeatures: fraction(0.5),
      maxSamples: count(1),
      minSamplesLeaf: 3,
    });
    expect(toAmount(2)).toEqual(count(2));
  });
});
