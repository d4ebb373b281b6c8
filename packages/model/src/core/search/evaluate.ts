/**
 * Scoring one candidate: fit on each fold's training part, predict its held-out part,
 * average the metrics over folds. Pure; the clock is passed in so fit times can be measured
 * by the caller's timer.
 */
import { ModelError } from '../../errors';
import { fitForestPrepared, fitTreePrepared, forestParamsOf, treeParamsOf } from '../tree/train';
import type { Matrix } from '../matrix';
import { regressionMetrics } from '../metrics';
import type { RegressionMetrics } from '../metrics';
import { kFold, takeRows, takeValues } from '../split';
import type { ForestParams, TreeParams } from '../tree/params';
import { packTrees, predictPacked } from '../tree/packed';
import { prepareData } from '../tree/prepared';
import type { PreparedData } from '../tree/prepared';
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
    const trees =
      kind === 'tree'
        ? [fitTreePrepared(fold.train, params)]
        : fitForestPrepared(fold.train, forestParamsOf(params));
    fitSeconds += nowSeconds() - started;
    // Straight to the packed predictor: workers need not load the model-file schema (zod).
    const m = regressionMetrics(fold.test.y, predictPacked(packTrees(trees), fold.test.x));
    sum.rmse += m.rmse;
    sum.mae += m.mae;
    sum.r2 += m.r2;
  }
  const k = folds.length;
  return { metrics: { rmse: sum.rmse / k, mae: sum.mae / k, r2: sum.r2 / k }, fitSeconds };
}
