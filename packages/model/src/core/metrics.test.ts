import { ModelError, mae, r2, regressionMetrics, rmse } from '@wine/model';

describe('regression metrics', () => {
  // Hand-computed: errors 1, 0, -1, -1 → SSE 3; mean(y) 6 → SST 9+1+1+9 = 20.
  const yTrue = [3, 5, 7, 9];
  const yPred = Float64Array.from([2, 5, 8, 10]);

  it('match hand-computed values', () => {
    expect(rmse(yTrue, yPred)).toBeCloseTo(Math.sqrt(3 / 4), 12);
    expect(mae(yTrue, yPred)).toBeCloseTo(0.75, 12);
    expect(r2(yTrue, yPred)).toBeCloseTo(1 - 3 / 20, 12);
    expect(regressionMetrics(yTrue, yPred)).toEqual({
      rmse: rmse(yTrue, yPred),
      mae: 0.75,
      r2: r2(yTrue, yPred),
    });
  });

  it('score a perfect prediction as rmse 0, mae 0, r2 1', () => {
    expect(regressionMetrics(yTrue, yTrue)).toEqual({ rmse: 0, mae: 0, r2: 1 });
  });

  it('give r2 0 for predicting the mean and negative r2 for worse', () => {
    expect(r2(yTrue, [6, 6, 6, 6])).toBe(0);
    expect(r2(yTrue, [9, 7, 5, 3])).toBeCloseTo(1 - 80 / 20, 12);
  });

  it.each([
    ['perfect', [5, 5, 5], [5, 5, 5], 1],
    ['imperfect', [5, 5, 5], [5, 6, 5], 0],
  ])('follow scikit-learn for constant y (%s)', (_name, t, p, expected) => {
    expect(r2(t, p)).toBe(expected);
  });

  it('return NaN r2 for a single sample, as scikit-learn does', () => {
    expect(r2([1], [2])).toBeNaN();
  });

  it.each([
    ['length mismatch', [1, 2], [1]],
    ['empty input', [], []],
  ])('reject %s', (_name, t, p) => {
    expect(() => rmse(t, p)).toThrow(ModelError);
    expect(() => regressionMetrics(t, p)).toThrow(/metrics need/);
  });
});
