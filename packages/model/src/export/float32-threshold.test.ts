import {
  float32BranchMismatches,
  float32Threshold,
  previousFloat32,
  shortestDecimalOfFloat32,
} from './float32-threshold';

/** One split per threshold, all on feature 0: the shape float32BranchMismatches walks. */
function splitsOn(thresholds: readonly number[]) {
  return [{ feature: thresholds.map(() => 0), threshold: thresholds }];
}

function column(values: readonly number[]) {
  return { data: Float64Array.from(values), rows: values.length, cols: 1 };
}

/** What our learner stores between two training values lo < hi. */
const midpoint = (lo: number, hi: number): number => {
  const mid = lo / 2 + hi / 2;
  return mid < hi ? mid : lo;
};

describe('float32 thresholds', () => {
  it('steps to the float32 just below', () => {
    expect(previousFloat32(1)).toBe(1 - 2 ** -24);
    expect(previousFloat32(-1)).toBe(-(1 + 2 ** -23));
    expect(previousFloat32(0)).toBeLessThan(0);
    expect(Math.fround(previousFloat32(Math.fround(9.4)))).toBe(previousFloat32(Math.fround(9.4)));
  });

  it('finds the decimal a float32 was written as', () => {
    expect(shortestDecimalOfFloat32(Math.fround(9.4))).toBe(9.4);
    expect(shortestDecimalOfFloat32(Math.fround(0.99345))).toBe(0.99345);
    expect(shortestDecimalOfFloat32(0.5)).toBe(0.5);
  });

  it('keeps 0.17 right of the midpoint of 0.16 and 0.18, which float64 puts one ulp below 0.17', () => {
    const t = midpoint(0.16, 0.18);
    expect(t).toBe(0.16999999999999998);
    expect(0.17 <= t).toBe(false);
    // Rounding to nearest would flip it:
    expect(Math.fround(0.17) <= Math.fround(t)).toBe(true);
    const t32 = float32Threshold(t);
    expect(Math.fround(0.17) <= t32).toBe(false);
    expect(Math.fround(0.16) <= t32).toBe(true);
  });

  it('keeps 0.15 left of the midpoint of 0.14 and 0.16, which float64 puts one ulp above 0.15', () => {
    const t = midpoint(0.14, 0.16);
    expect(t).toBe(0.15000000000000002);
    const t32 = float32Threshold(t);
    expect(Math.fround(0.15) <= t32).toBe(true);
    expect(Math.fround(0.16) <= t32).toBe(false);
  });

  it('no value with up to 6 significant digits crosses a midpoint threshold, at any scale', () => {
    for (const decimals of [0, 1, 2, 3, 4, 5, 6, 8]) {
      for (const start of [1, 7, 95, 995, 9990, 99950, 999800]) {
        // Grid values k·10^-decimals (k < 10^6), parsed from decimal text as a CSV reader would.
        const values = Array.from({ length: 200 }, (_, i) => Number(`${start + i}e-${decimals}`));
        const thresholds = values.flatMap((lo, i) =>
          [1, 2, 3]
            .map((gap) => values[i + gap])
            .filter((hi): hi is number => hi !== undefined)
            .map((hi) => midpoint(lo, hi)),
        );
        expect(float32BranchMismatches(splitsOn(thresholds), column(values))).toEqual([]);
      }
    }
  });

  it('reports values that float32 cannot separate from a threshold', () => {
    // 8 significant digits: both neighbours round to the float32 1.0.
    const values = [1, 1.00000002];
    const mismatches = float32BranchMismatches(splitsOn([1.00000001]), column(values));
    expect(mismatches).toHaveLength(1);
    expect(mismatches[0]).toMatchObject({ tree: 0, node: 0, feature: 0, threshold: 1.00000001 });
  });

  it('refuses a threshold float32 cannot hold', () => {
    expect(() => float32Threshold(1e39)).toThrow(/outside the float32 range/);
  });
});
