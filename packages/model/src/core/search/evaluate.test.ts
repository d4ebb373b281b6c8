import { randomDataset } from '../../../test/tree-helpers';
import type { Dataset } from '../../../test/tree-helpers';
import { createRng } from '../rng';
import { count, fraction } from '../tree/params';
import type { ParamValue } from './space';
import { gridCandidates } from './space';
import {
  candidateParams,
  evaluateCandidate,
  evaluateTask,
  groupCandidates,
  makeFolds,
} from './evaluate';
import type { CandidateTask, Validation } from './evaluate';
import type { SearchKind } from './space';

const clock = (): number => 0;

function tasksOf(kind: SearchKind, space: Record<string, ParamValue[]>, seed = 0): CandidateTask[] {
  return gridCandidates(space).map((assignment, index) => ({
    index,
    params: candidateParams(kind, seed, assignment),
  }));
}

/** Integer targets (like wine quality): equal cuts are common, so forks are exercised too. */
function integerTargets(ds: Dataset): Dataset {
  return { x: ds.x, y: ds.y.map((v) => Math.round(v * 2)) };
}

describe('groupCandidates', () => {
  it('puts candidates equal but for max_depth in one task when every feature is examined', () => {
    const candidates = tasksOf('tree', {
      maxDepth: [1, 4, null],
      minSamplesLeaf: [1, 5],
      maxFeatures: [null, 'sqrt', count(4), fraction(0.5)],
    });
    const tasks = groupCandidates(candidates, 4);
    const shared = tasks.filter((t) => t.candidates.length > 1);
    // null and count(4) mean all 4 features: one task per (leaf, max_features) pair.
    expect(shared.map((t) => t.candidates.map((c) => c.params.maxDepth))).toEqual([
      [1, 4, null],
      [1, 4, null],
      [1, 4, null],
      [1, 4, null],
    ]);
    // sqrt(4) = 2 and half of 4 features: drawn per node, each candidate alone.
    expect(tasks.filter((t) => t.candidates.length === 1)).toHaveLength(12);
    expect(tasks.map((t) => t.index)).toEqual(tasks.map((_, i) => i));
    expect(tasks.flatMap((t) => t.candidates.map((c) => c.index)).sort((a, b) => a - b)).toEqual(
      candidates.map((c) => c.index),
    );
    expect(groupCandidates(candidates, 4, false)).toHaveLength(candidates.length);
  });
});

describe('evaluateTask', () => {
  const train = integerTargets(randomDataset(300, 4, 11, 1));
  const validation = integerTargets(randomDataset(120, 4, 12, 1));
  const validations: [string, Validation][] = [
    ['validation rows', validation],
    ['3-fold', { kFold: 3 }],
  ];

  it.each(validations)(
    'scores every candidate of random grids exactly as fitting it alone (%s)',
    (_name, how) => {
      const folds = makeFolds(train, how, 5);
      const rng = createRng(21);
      for (let round = 0; round < 6; round++) {
        const kind: SearchKind = round % 3 === 2 ? 'forest' : 'tree';
        const depths = [1, 2, 3, 5, 8, 13, null].filter(() => rng.next() < 0.6);
        const space: Record<string, ParamValue[]> = {
          maxDepth: depths.length > 0 ? depths : [null],
          minSamplesLeaf: [1 + rng.int(4), fraction(0.02)],
          minImpurityDecrease: [rng.next() < 0.5 ? 0 : 0.001],
          ...(kind === 'forest'
            ? { nEstimators: [3], bootstrap: [rng.next() < 0.7] }
            : { minSamplesSplit: [2 + rng.int(6)] }),
        };
        const candidates = tasksOf(kind, space, round);
        const tasks = groupCandidates(candidates, train.x.cols);
        expect(tasks.some((t) => t.candidates.length > 1)).toBe(depths.length > 1);
        for (const task of tasks) {
          for (const result of evaluateTask(kind, task, folds, clock)) {
            const alone = evaluateCandidate(kind, candidates[result.index]!.params, folds, clock);
            // Bit for bit: the same trees, measured by the same code.
            expect({ index: result.index, ...result.metrics }).toEqual({
              index: result.index,
              ...alone.metrics,
            });
            expect(Object.is(result.metrics.rmse, alone.metrics.rmse)).toBe(true);
          }
        }
      }
    },
  );

  it('credits each candidate of a group an equal share of its fit time', () => {
    let now = 0;
    const ticking = (): number => (now += 1);
    const candidates = tasksOf('tree', { maxDepth: [2, 4, 6, 8] });
    const [task] = groupCandidates(candidates, train.x.cols);
    const results = evaluateTask('tree', task!, makeFolds(train, validation, 0), ticking);
    expect(results.map((r) => r.fitSeconds)).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});
