import {
  FEATURE_NAMES,
  ModelError,
  binIndex,
  computeReferenceProfile,
  createRng,
  describeDistribution,
} from '@wine/model';
import type { BinnedDistribution, Matrix } from '@wine/model';

function syntheticMatrix(rows: number, seed: number): Matrix {
  const rng = createRng(seed);
  const cols = 12;
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < 11; c++) data[r * cols + c] = c === 0 ? 7 : rng.next() * (c + 1);
    data[r * cols + 11] = r % 4 === 0 ? 0 : 1;
  }
  return { data, rows, cols };
}

function expectWellFormed(d: BinnedDistribution): void {
  expect(d.proportions).toHaveLength(d.edges.length + 1);
  expect(d.proportions.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  expect(d.proportions.every((p) => p > 0)).toBe(true);
  d.edges.forEach((e, i) => {
    if (i > 0) expect(e).toBeGreaterThan(d.edges[i - 1]!);
  });
  expect(d.min).toBeLessThanOrEqual(d.mean);
  expect(d.mean).toBeLessThanOrEqual(d.max);
}

describe('binIndex (right-closed bins)', () => {
  const edges = [1, 2, 3];
  it.each([
    [-Infinity, 0],
    [-100, 0],
    [1, 0],
    [1.0001, 1],
    [2, 1],
    [3, 2],
    [3.5, 3],
    [1e9, 3],
    [Infinity, 3],
  ])('value %p → bin %i', (value, bin) => {
    expect(binIndex(edges, value)).toBe(bin);
  });

  it('puts everything in bin 0 when there are no edges', () => {
    expect(binIndex([], 42)).toBe(0);
  });

  it('rejects NaN', () => {
    expect(() => binIndex(edges, Number.NaN)).toThrow(ModelError);
  });
});

describe('describeDistribution', () => {
  it('makes deciles of 1..100 with 10% in each bin', () => {
    const d = describeDistribution(
      Array.from({ length: 100 }, (_, i) => i + 1),
      10,
    );
    expect(d.edges).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(d.proportions).toEqual(new Array(10).fill(0.1));
    expect(d).toMatchObject({ count: 100, min: 1, max: 100, mean: 50.5 });
    expect(d.std).toBeCloseTo(Math.sqrt((100 * 100 - 1) / 12), 10);
    expect(d.quantiles).toHaveLength(101);
    expect(d.quantiles?.[50]).toBeCloseTo(50.5, 12);
  });

  it('collapses duplicate edges for a feature with few distinct values', () => {
    const values = [...new Array<number>(70).fill(0), ...new Array<number>(30).fill(1)];
    const d = describeDistribution(values, 10);
    expect(d.edges).toEqual([0]);
    expect(d.proportions).toEqual([0.7, 0.3]);
    expectWellFormed(d);
  });

  it('gives a constant column one bin and std 0', () => {
    const d = describeDistribution([4, 4, 4], 10);
    expect(d).toMatchObject({ edges: [], proportions: [1], std: 0, min: 4, max: 4 });
  });

  it('rejects empty and non-finite input', () => {
    expect(() => describeDistribution([], 10)).toThrow(ModelError);
    expect(() => describeDistribution([1, Number.NaN], 10)).toThrow(ModelError);
    expect(() => describeDistribution([1], 0)).toThrow(ModelError);
  });
});

describe('computeReferenceProfile', () => {
  const x = syntheticMatrix(503, 11);
  const predictions = Array.from({ length: 503 }, (_, i) => 5 + (i % 7) / 3);
  const profile = computeReferenceProfile(x, predictions, { target: predictions });

  it('profiles all 11 features, wine_type, predictions and target', () => {
    expect(Object.keys(profile.features)).toEqual([...FEATURE_NAMES]);
    expect(profile.version).toBe(1);
    expect(profile.bins).toBe(10);
    for (const d of Object.values(profile.features)) expectWellFormed(d);
    expectWellFormed(profile.prediction);
    expectWellFormed(profile.target!);
    expect(profile.categorical.wine_type.red).toBeCloseTo(126 / 503, 12);
    expect(profile.categorical.wine_type.red + profile.categorical.wine_type.white).toBeCloseTo(
      1,
      12,
    );
  });

  it('handles a constant feature (fixed_acidity is 7 everywhere)', () => {
    expect(profile.features.fixed_acidity).toMatchObject({ edges: [], proportions: [1], std: 0 });
  });

  it('sends live values beyond the training range to the end bins', () => {
    const d = profile.features.alcohol!;
    expect(binIndex(d.edges, d.min - 1000)).toBe(0);
    expect(binIndex(d.edges, d.max + 1000)).toBe(d.proportions.length - 1);
  });

  it('recounting the reference with binIndex reproduces the proportions', () => {
    const d = profile.features.alcohol!;
    const col = FEATURE_NAMES.indexOf('alcohol');
    const counts = new Array<number>(d.proportions.length).fill(0);
    for (let r = 0; r < x.rows; r++) counts[binIndex(d.edges, x.data[r * 12 + col]!)]! += 1;
    expect(counts.map((c) => c / x.rows)).toEqual(d.proportions);
  });

  it('is deterministic and JSON-serialisable', () => {
    const again = computeReferenceProfile(x, predictions, { target: predictions });
    expect(JSON.stringify(again)).toBe(JSON.stringify(profile));
    expect(JSON.parse(JSON.stringify(profile))).toEqual(profile);
  });

  it.each([
    ['wrong column count', { data: new Float64Array(4), rows: 2, cols: 2 }, [1, 2]],
    ['prediction count', syntheticMatrix(3, 1), [1, 2]],
    ['no rows', { data: new Float64Array(0), rows: 0, cols: 12 }, []],
  ])('rejects %s', (_name, m, preds) => {
    expect(() => computeReferenceProfile(m, preds)).toThrow(ModelError);
  });

  it('rejects a wine_type code other than 0/1', () => {
    const m = syntheticMatrix(3, 1);
    m.data[11] = 2;
    expect(() => computeReferenceProfile(m, [1, 2, 3])).toThrow(/wine_type code 2/);
  });
});
