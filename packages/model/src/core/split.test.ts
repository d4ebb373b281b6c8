import { ModelError, kFold, takeRows, takeValues, trainTestSplit } from '@wine/model';

const sorted = (a: Int32Array): boolean => a.every((v, i) => i === 0 || (a[i - 1] as number) < v);

function expectPartition(n: number, parts: Int32Array[]): void {
  const all = parts.flatMap((p) => Array.from(p)).sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
}

describe('trainTestSplit', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = trainTestSplit(100, { seed: 1 });
    expect(trainTestSplit(100, { seed: 1 })).toEqual(a);
    expect(trainTestSplit(100, { seed: 2 }).test).not.toEqual(a.test);
  });

  it('pins the split for seed 42 (changing it changes every reported metric)', () => {
    expect(Array.from(trainTestSplit(10, { seed: 42 }).test)).toMatchSnapshot();
  });

  it.each([
    [100, 0.2, 20],
    [101, 0.2, 21],
    [10, 0.25, 3],
    [5, 0.5, 3],
  ])('n=%i, fraction %p → %i test rows, disjoint and covering', (n, testFraction, nTest) => {
    const { train, test } = trainTestSplit(n, { seed: 0, testFraction });
    expect(test).toHaveLength(nTest);
    expect(train).toHaveLength(n - nTest);
    expect(sorted(train) && sorted(test)).toBe(true);
    expectPartition(n, [train, test]);
  });

  it('stratifies: each class keeps its share', () => {
    const labels = Array.from({ length: 200 }, (_, i) => (i < 150 ? 5 : i < 190 ? 6 : 7));
    const { train, test } = trainTestSplit(200, { seed: 3, stratify: labels });
    const count = (idx: Int32Array, c: number): number =>
      Array.from(idx).filter((i) => labels[i] === c).length;
    expect([count(test, 5), count(test, 6), count(test, 7)]).toEqual([30, 8, 2]);
    expectPartition(200, [train, test]);
    expect(trainTestSplit(200, { seed: 3, stratify: labels })).toEqual({ train, test });
  });

  it('stratified test size always equals ceil(n·f) even with remainders', () => {
    const labels = Array.from({ length: 37 }, (_, i) => i % 3);
    const { test } = trainTestSplit(37, { seed: 9, testFraction: 0.3, stratify: labels });
    expect(test).toHaveLength(Math.ceil(37 * 0.3));
  });

  it.each([
    ['fraction 0', 10, { seed: 0, testFraction: 0 }],
    ['fraction 1', 10, { seed: 0, testFraction: 1 }],
    ['too few rows', 1, { seed: 0 }],
    ['stratify length', 10, { seed: 0, stratify: [1, 2] }],
    ['NaN label', 3, { seed: 0, stratify: [1, Number.NaN, 1] }],
  ])('rejects %s', (_name, n, opts) => {
    expect(() => trainTestSplit(n, opts)).toThrow(ModelError);
  });
});

describe('kFold', () => {
  it('partitions the rows: each row in exactly one test fold', () => {
    const folds = kFold(23, { k: 5, seed: 4 });
    expect(folds.map((f) => f.test.length)).toEqual([5, 5, 5, 4, 4]);
    expectPartition(
      23,
      folds.map((f) => f.test),
    );
    for (const f of folds) {
      expect(sorted(f.train) && sorted(f.test)).toBe(true);
      expectPartition(23, [f.train, f.test]);
    }
  });

  it('is deterministic for a seed', () => {
    expect(kFold(30, { k: 3, seed: 1 })).toEqual(kFold(30, { k: 3, seed: 1 }));
    expect(kFold(30, { k: 3, seed: 1 })[0]?.test).not.toEqual(
      kFold(30, { k: 3, seed: 2 })[0]?.test,
    );
  });

  it.each([
    [10, 1],
    [3, 4],
    [10, 2.5],
  ])('rejects n=%i, k=%p', (n, k) => {
    expect(() => kFold(n, { k, seed: 0 })).toThrow(ModelError);
  });
});

describe('takeRows / takeValues', () => {
  const m = { data: Float64Array.from([1, 2, 3, 4, 5, 6]), rows: 3, cols: 2 };

  it('gather rows and values in index order', () => {
    const idx = Int32Array.from([2, 0]);
    expect(takeRows(m, idx)).toEqual({ data: Float64Array.from([5, 6, 1, 2]), rows: 2, cols: 2 });
    expect(takeValues(Float64Array.from([10, 20, 30]), idx)).toEqual(Float64Array.from([30, 10]));
  });

  it('reject indices out of range', () => {
    expect(() => takeRows(m, Int32Array.from([3]))).toThrow(ModelError);
    expect(() => takeValues(Float64Array.from([1]), Int32Array.from([-1]))).toThrow(ModelError);
  });
});
