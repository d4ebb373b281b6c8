import { ModelError } from '../errors';

/** Regression scores in the target's units (rmse, mae) and as explained variance (r2). */
export interface RegressionMetrics {
  rmse: number;
  mae: number;
  r2: number;
}

function checkPair(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  if (yTrue.length !== yPred.length) {
    throw new ModelError(
      'PARAMS_INVALID',
      `metrics need equal lengths: ${yTrue.length} true values vs ${yPred.length} predictions`,
    );
  }
  if (yTrue.length === 0) {
    throw new ModelError('PARAMS_INVALID', 'metrics need at least one value');
  }
  return yTrue.length;
}

/** Root mean squared error. */
export function rmse(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const n = checkPair(yTrue, yPred);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = (yTrue[i] as number) - (yPred[i] as number);
    sum += d * d;
  }
  return Math.sqrt(sum / n);
}

/** Mean absolute error. */
export function mae(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const n = checkPair(yTrue, yPred);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += Math.abs((yTrue[i] as number) - (yPred[i] as number));
  }
  return sum / n;
}

/**
 * Coefficient of determination with scikit-learn's `r2_score` semantics (force_finite=True):
 * when y is constant, a perfect prediction scores 1 and any other 0 (not -Infinity/NaN);
 * with fewer than two samples R² is undefined and the result is NaN, as in scikit-learn.
 */
export function r2(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const n = checkPair(yTrue, yPred);
  if (n < 2) return Number.NaN;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i] as number;
  mean /= n;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    const t = yTrue[i] as number;
    const d = t - (yPred[i] as number);
    ssRes += d * d;
    ssTot += (t - mean) * (t - mean);
  }
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}

/** RMSE, MAE and R² in one call. */
export function regressionMetrics(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
): RegressionMetrics {
  return { rmse: rmse(yTrue, yPred), mae: mae(yTrue, yPred), r2: r2(yTrue, yPred) };
}
