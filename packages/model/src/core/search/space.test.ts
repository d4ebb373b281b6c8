import { ModelError } from '../../errors';
import {
  checkSpace,
  DEFAULT_FOREST_SPACE,
  DEFAULT_TREE_SPACE,
  gridCandidates,
  randomCandidates,
} from './space';

describe('parameter spaces', () => {
  it('the default tree grid is max_depth 1–20 × min_samples_leaf {1,2,5,10,20}, depth outermost', () => {
    const grid = gridCandidates(DEFAULT_TREE_SPACE);
    expect(grid).toHaveLength(100);
    expect(grid.slice(0, 6)).toEqual([
      { maxDepth: 1, minSamplesLeaf: 1 },
      { maxDepth: 1, minSamplesLeaf: 2 },
      { maxDepth: 1, minSamplesLeaf: 5 },
      { maxDepth: 1, minSamplesLeaf: 10 },
      { maxDepth: 1, minSamplesLeaf: 20 },
      { maxDepth: 2, minSamplesLeaf: 1 },
    ]);
    expect(grid[99]).toEqual({ maxDepth: 20, minSamplesLeaf: 20 });
  });

  it('the default forest space is a valid forest grid', () => {
    checkSpace(DEFAULT_FOREST_SPACE, 'forest');
    expect(gridCandidates(DEFAULT_FOREST_SPACE)).toHaveLength(6);
  });

  it('random search over lists samples the grid without replacement, deterministically', () => {
    const a = randomCandidates(DEFAULT_TREE_SPACE, 10, 7);
    expect(a).toHaveLength(10);
    expect(new Set(a.map((c) => JSON.stringify(c))).size).toBe(10);
    expect(randomCandidates(DEFAULT_TREE_SPACE, 10, 7)).toEqual(a);
    expect(randomCandidates(DEFAULT_TREE_SPACE, 10, 8)).not.toEqual(a);
    expect(randomCandidates(DEFAULT_TREE_SPACE, 500, 1)).toHaveLength(100);
  });

  it('random search draws ranges (log-uniform, integer) within bounds', () => {
    const space = {
      maxDepth: { min: 2, max: 12, integer: true },
      minImpurityDecrease: { min: 1e-6, max: 1e-2, log: true },
      minSamplesLeaf: [1, 5],
    };
    const draws = randomCandidates(space, 200, 3);
    expect(draws).toHaveLength(200);
    for (const d of draws) {
      expect(Number.isInteger(d.maxDepth)).toBe(true);
      expect(d.maxDepth).toBeGreaterThanOrEqual(2);
      expect(d.maxDepth).toBeLessThanOrEqual(12);
      expect(d.minImpurityDecrease).toBeGreaterThanOrEqual(1e-6);
      expect(d.minImpurityDecrease).toBeLessThanOrEqual(1e-2);
    }
    const small = draws.filter((d) => (d.minImpurityDecrease as number) < 1e-4).length;
    // Log-uniform: half the mass lies below the geometric midpoint 1e-4.
    expect(small).toBeGreaterThan(70);
    expect(small).toBeLessThan(130);
  });

  it.each([
    [
      { max_depth: [1, 2] },
      'tree',
      /unknown tree hyperparameter "max_depth" \(did you mean "maxDepth"\?\)/,
    ],
    [{ nEstimators: [10] }, 'tree', /unknown tree hyperparameter "nEstimators"/],
    [{ maxDepth: [] }, 'tree', /lists no values/],
    [{ maxDepth: { min: 5, max: 1 } }, 'tree', /min ≤ max/],
  ] as const)('rejects %p for a %s', (space, kind, message) => {
    expect(() => {
      checkSpace(space, kind);
    }).toThrow(message);
  });

  it('a grid refuses ranges', () => {
    expect(() => gridCandidates({ maxDepth: { min: 1, max: 3 } })).toThrow(ModelError);
  });
});
