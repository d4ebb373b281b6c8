import { randomDataset, truncate } from '../../../test/tree-helpers';
import { familyPredictions } from '../search/evaluate';
import { packTrees, predictPacked } from './packed';
import { prepareData } from './prepared';
import { fitTreeDepths, fitTreePrepared, treeParamsOf } from './train';
import { isTruncation, predictTruncations } from './truncation';

const DEPTHS = [1, 2, 3, 4, 5, 6, 8, 12, 2 ** 31 - 1];

describe('depth shortcut (truncations of the deepest tree)', () => {
  it('predicts every cut of the deepest tree in one walk, and recognises each cut', () => {
    const { x, y } = randomDataset(300, 4, 11, 2);
    const data = prepareData(x, y);
    for (const minSamplesLeaf of [1, 3, 10]) {
      const deep = fitTreePrepared(data, treeParamsOf({ minSamplesLeaf, seed: 2 }));
      const preds = predictTruncations(deep, DEPTHS, x);
      DEPTHS.forEach((depth, k) => {
        const cut = truncate(deep, depth);
        expect(isTruncation(deep, cut, depth)).toBe(true);
        expect(preds[k]).toEqual(predictPacked(packTrees([cut]), x));
      });
    }
  });

  it('is refused when a node differs: another feature, threshold, value or a missing subtree', () => {
    const { x, y } = randomDataset(200, 3, 5);
    const data = prepareData(x, y);
    const deep = fitTreePrepared(data, treeParamsOf({ maxDepth: 6, seed: 0 }));
    const cut = fitTreePrepared(data, treeParamsOf({ maxDepth: 3, seed: 0 }));
    expect(isTruncation(deep, cut, 3)).toBe(true);
    expect(isTruncation(deep, cut, 2)).toBe(false);
    expect(isTruncation(deep, deep, 3)).toBe(false);
    const threshold = Float64Array.from(cut.threshold);
    threshold[0] = (threshold[0] as number) + 1e-9;
    expect(isTruncation(deep, { ...cut, threshold }, 3)).toBe(false);
    const value = Float64Array.from(cut.value);
    value[2] = (value[2] as number) * 2;
    expect(isTruncation(deep, { ...cut, value }, 3)).toBe(false);
    const other = fitTreePrepared(data, treeParamsOf({ maxDepth: 3, minSamplesLeaf: 30, seed: 0 }));
    expect(isTruncation(deep, other, 3)).toBe(false);
  });

  it('familyPredictions equals predicting every independent fit, with and without ties, across grids', () => {
    let shortcuts = 0;
    let fallbacks = 0;
    for (let seed = 0; seed < 6; seed++) {
      // Two decimals: many bit-equal cuts between features, so limits resolve ties differently.
      const { x, y } = randomDataset(250, 5, seed, seed % 2 === 0 ? 1 : undefined);
      const test = randomDataset(80, 5, seed + 100, 1).x;
      const data = prepareData(x, y);
      const depths = DEPTHS.filter((_, k) => (k + seed) % 3 !== 0);
      for (const minSamplesLeaf of [1, 4]) {
        const params = treeParamsOf({ minSamplesLeaf, seed });
        const family = fitTreeDepths(data, params, depths);
        const deep = family[depths.indexOf(Math.max(...depths))];
        if (deep === undefined) throw new Error('no deepest tree');
        const got = familyPredictions(
          'tree',
          family.map((t) => [t]),
          depths,
          test,
        );
        depths.forEach((maxDepth, k) => {
          if (isTruncation(deep, family[k] as never, maxDepth)) shortcuts++;
          else fallbacks++;
          const alone = fitTreePrepared(data, { ...params, maxDepth });
          expect(got[k]).toEqual(predictPacked(packTrees([alone]), test));
        });
      }
    }
    // Both paths were taken.
    expect(shortcuts).toBeGreaterThan(0);
    expect(fallbacks).toBeGreaterThan(0);
  });
});
