/**
 * Scoring candidates: fit on each fold's training part, predict its held-out part, average
 * the metrics over folds. Candidates that differ only in max_depth form one task answered
 * by one grow per fold (a depth family, see tree/depth-family.ts) when every feature is
 * examined at every node; any other candidate is its own task. Both paths produce the same
 * trees, so the same metrics bit for bit. Pure; the clock is passed in so fit times can be
 * measured by the caller's timer.
 */
import { ModelError } from '../../errors';
import {
  depthFamilyApplies,
  fitForestDepths,
  fitForestPrepared,
  fitTreeDepths,
  fitTreePrepared,
  forestParamsOf,
  resolvedDepth,
  treeParamsOf,
} from '../tree/train';
import type { Matrix } from '../matrix';
import { regressionMetrics } from '../metrics';
import type { RegressionMetrics } from '../metrics';
import { kFold, takeRows, takeValues } from '../split';
import type { ForestParams, TreeParams } from '../tree/params';
import { packTrees, predictPacked } from '../tree/packed';
import { prepareData } from '../tree/prepared';
import type { PreparedData } from '../tree/prepared';
import type { TreeNodes } from '../tree/tree-nodes';
import { isTruncation, predictTruncations } from '../tree/truncation';
import type { ParamAssignment, SearchKind } from './space';

export interface LabeledMatrix {
  x: Matrix;
  y: Float64Array;
}

/** Held-out rows (the default, as the seed's comparison) or k-fold CV on the training rows. */
export type Validation = LabeledMatrix | { kFold: number };

export interface Fold {
  train: PreparedData;
  test: LabeledMatrix;
}

/** Presorts each fold's training rows once; every candidate reuses them. */
export function makeFolds(train: LabeledMatrix, validation: Validation, seed: number): Fold[] {
  if (!('kFold' in validation)) {
    if (validation.x.cols !== train.x.cols) {
      throw new ModelError(
        'PARAMS_INVALID',
        `validation has ${validation.x.cols} columns, training ${train.x.cols}`,
      );
    }
    return [{ train: prepareData(train.x, train.y), test: validation }];
  }
  const k = validation.kFold;
  return kFold(train.x.rows, { k, seed }).map((fold) => ({
    train: prepareData(takeRows(train.x, fold.train), takeValues(train.y, fold.train)),
    test: { x: takeRows(train.x, fold.test), y: takeValues(train.y, fold.test) },
  }));
}

export function candidateParams(
  kind: SearchKind,
  seed: number,
  assignment: ParamAssignment,
): TreeParams | ForestParams {
  const given = { seed, ...assignment } as Partial<ForestParams>;
  return kind === 'tree' ? treeParamsOf(given) : forestParamsOf(given);
}

export interface Evaluation {
  metrics: RegressionMetrics;
  fitSeconds: number;
}

export interface CandidateTask {
  index: number;
  params: TreeParams | ForestParams;
}

/** One unit of search work: a single candidate, or candidates differing only in max_depth. */
export interface SearchTask {
  index: number;
  candidates: CandidateTask[];
}

export interface CandidateResult extends Evaluation {
  index: number;
}

/**
 * Groups candidates into tasks: those equal but for max_depth, when the depth family applies
 * to them (and `share`), share a task (first appearance order); the rest are tasks of one.
 */
export function groupCandidates(
  candidates: readonly CandidateTask[],
  cols: number,
  share = true,
): SearchTask[] {
  const tasks: SearchTask[] = [];
  const byKey = new Map<string, SearchTask>();
  for (const candidate of candidates) {
    const { maxDepth: _depth, ...rest } = candidate.params;
    const key = share && depthFamilyApplies(candidate.params, cols) ? JSON.stringify(rest) : null;
    const task = key === null ? undefined : byKey.get(key);
    if (task !== undefined) {
      task.candidates.push(candidate);
      continue;
    }
    const created = { index: tasks.length, candidates: [candidate] };
    tasks.push(created);
    if (key !== null) byKey.set(key, created);
  }
  return tasks;
}

function fitTrees(
  kind: SearchKind,
  params: TreeParams | ForestParams,
  data: PreparedData,
): TreeNodes[] {
  return kind === 'tree'
    ? [fitTreePrepared(data, params)]
    : fitForestPrepared(data, forestParamsOf(params));
}

function fitDepths(
  kind: SearchKind,
  params: TreeParams | ForestParams,
  data: PreparedData,
  depths: readonly number[],
): TreeNodes[][] {
  return kind === 'tree'
    ? fitTreeDepths(data, params, depths).map((tree) => [tree])
    : fitForestDepths(data, forestParamsOf(params), depths);
}

/** Metrics of `trees` on the fold's held-out rows, added into `sum`. */
function addFoldMetrics(sum: RegressionMetrics, trees: readonly TreeNodes[], fold: Fold): void {
  // Straight to the packed predictor: workers need not load the model-file schema (zod).
  addMetrics(sum, fold.test.y, predictPacked(packTrees(trees), fold.test.x));
}

const mean = (sum: RegressionMetrics, k: number): RegressionMetrics => ({
  rmse: sum.rmse / k,
  mae: sum.mae / k,
  r2: sum.r2 / k,
});

export function evaluateCandidate(
  kind: SearchKind,
  params: TreeParams | ForestParams,
  folds: readonly Fold[],
  nowSeconds: () => number,
): Evaluation {
  let fitSeconds = 0;
  const sum: RegressionMetrics = { rmse: 0, mae: 0, r2: 0 };
  for (const fold of folds) {
    const started = nowSeconds();
    const trees = fitTrees(kind, params, fold.train);
    fitSeconds += nowSeconds() - started;
    addFoldMetrics(sum, trees, fold);
  }
  return { metrics: mean(sum, folds.length), fitSeconds };
}

/**
 * Predictions on the fold's held-out rows for each depth of a family (`byDepth[k]`: the trees
 * for depths[k]). For trees, the depths whose tree is the deepest one cut at that depth (see
 * tree/truncation.ts — checked node for node, not assumed) are answered together by one walk
 * per row down the deepest tree; the other depths (a limit resolved an exact tie between
 * features differently) and forests predict their own trees. Both give the same numbers.
 */
export function familyPredictions(
  kind: SearchKind,
  byDepth: readonly TreeNodes[][],
  depths: readonly number[],
  x: Matrix,
): Float64Array[] {
  const out = new Array<Float64Array | undefined>(depths.length).fill(undefined);
  let deepest = 0;
  depths.forEach((d, k) => {
    if (d > (depths[deepest] as number)) deepest = k;
  });
  const deep = byDepth[deepest]?.[0];
  if (kind === 'tree' && deep !== undefined) {
    const cut = depths
      .map((d, k) => ({ d, k }))
      .filter(({ d, k }) => {
        const tree = byDepth[k]?.[0];
        return tree !== undefined && isTruncation(deep, tree, d);
      })
      .sort((a, b) => a.d - b.d);
    const preds = predictTruncations(
      deep,
      cut.map((e) => e.d),
      x,
    );
    cut.forEach((e, pos) => {
      out[e.k] = preds[pos];
    });
  }
  return out.map((p, k) => p ?? predictPacked(packTrees(byDepth[k] ?? []), x));
}

function addMetrics(sum: RegressionMetrics, y: Float64Array, predictions: Float64Array): void {
  const m = regressionMetrics(y, predictions);
  sum.rmse += m.rmse;
  sum.mae += m.mae;
  sum.r2 += m.r2;
}

/**
 * Scores every candidate of a task. A group is fitted once per fold for all its depths and
 * predicted through familyPredictions; each candidate's metrics are computed from exactly the
 * predictions evaluateCandidate would get (same trees), and it is credited an equal share of
 * the group's fit time.
 */
export function evaluateTask(
  kind: SearchKind,
  task: SearchTask,
  folds: readonly Fold[],
  nowSeconds: () => number,
): CandidateResult[] {
  const { candidates } = task;
  const first = candidates[0];
  if (first === undefined) return [];
  if (candidates.length === 1) {
    return [{ index: first.index, ...evaluateCandidate(kind, first.params, folds, nowSeconds) }];
  }
  const depthOf = candidates.map((c) => resolvedDepth(c.params));
  const depths = [...new Set(depthOf)];
  const sums = candidates.map((): RegressionMetrics => ({ rmse: 0, mae: 0, r2: 0 }));
  let fitSeconds = 0;
  for (const fold of folds) {
    const started = nowSeconds();
    const byDepth = fitDepths(kind, first.params, fold.train, depths);
    fitSeconds += nowSeconds() - started;
    const predictions = familyPredictions(kind, byDepth, depths, fold.test.x);
    candidates.forEach((_, i) => {
      const k = depths.indexOf(depthOf[i] as number);
      addMetrics(sums[i] as RegressionMetrics, fold.test.y, predictions[k] as Float64Array);
    });
  }
  return candidates.map((c, i) => ({
    index: c.index,
    metrics: mean(sums[i] as RegressionMetrics, folds.length),
    fitSeconds: fitSeconds / candidates.length,
  }));
}
