import type { LabeledWineRecord } from '@wine/model';
import { EXAMPLE_WINE } from '@wine/model';
import { holdoutSplit, threeWaySplit } from './split-records';

function rows(n: number): LabeledWineRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    ...EXAMPLE_WINE,
    alcohol: 8 + (i % 50) / 10,
    quality: 3 + (i % 7),
  }));
}

describe('threeWaySplit', () => {
  const data = rows(1000);

  it('splits into disjoint train, validation and holdout parts of the requested shares', () => {
    const parts = threeWaySplit(data, { testSize: 0.2, validationSize: 0.2, seed: 1 });
    expect(parts.holdout).toHaveLength(200);
    expect(parts.validation).toHaveLength(200);
    expect(parts.train).toHaveLength(600);
    const seen = new Set([...parts.train, ...parts.validation, ...parts.holdout]);
    expect(seen.size).toBe(1000);
  });

  it('takes the same holdout whatever the validation settings (register relies on it)', () => {
    const a = threeWaySplit(data, { testSize: 0.2, validationSize: 0.2, seed: 7 });
    const b = threeWaySplit(data, { testSize: 0.2, validationSize: 0, seed: 7 });
    expect(b.holdout).toEqual(a.holdout);
    expect(holdoutSplit(data, { testSize: 0.2, seed: 7 }).holdout).toEqual(a.holdout);
    expect(b.validation).toHaveLength(0);
    expect(b.train).toHaveLength(800);
  });

  it('is deterministic for a seed and stratified on quality', () => {
    const a = threeWaySplit(data, { testSize: 0.2, validationSize: 0.2, seed: 3 });
    expect(threeWaySplit(data, { testSize: 0.2, validationSize: 0.2, seed: 3 })).toEqual(a);
    const counts = (part: LabeledWineRecord[]): number[] =>
      [3, 4, 5, 6, 7, 8, 9].map((q) => part.filter((r) => r.quality === q).length);
    for (const n of counts(a.validation)) expect(Math.abs(n - 200 / 7)).toBeLessThanOrEqual(1);
  });
});
