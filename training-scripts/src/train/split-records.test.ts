import type { LabeledWineRecord } from '@wine/model';
import { EXAMPLE_WINE } from '@wine/model';
import { hashSplit, holdoutSplit, threeWaySplit } from './split-records';

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

describe('hashSplit', () => {
  const data = rows(1000).map((r, i) => ({ ...r, ph: 3 + i / 1000 }));

  it('splits by share in expectation, disjoint and complete', () => {
    const parts = hashSplit(data, { testSize: 0.2, validationSize: 0.2, seed: 1 });
    expect(parts.holdout.length + parts.validation.length + parts.train.length).toBe(1000);
    expect(Math.abs(parts.holdout.length - 200)).toBeLessThan(50);
    expect(Math.abs(parts.validation.length - 200)).toBeLessThan(50);
  });

  it('keeps every row in its part when rows are added (no champion rows in a later holdout)', () => {
    const before = hashSplit(data.slice(0, 600), { testSize: 0.2, validationSize: 0.2, seed: 1 });
    const after = hashSplit(data, { testSize: 0.2, validationSize: 0.2, seed: 1 });
    for (const row of before.train) expect(after.holdout).not.toContain(row);
    for (const row of before.holdout) expect(after.holdout).toContain(row);
  });

  it('puts identical rows on the same side', () => {
    const twins = [...data.slice(0, 50), ...data.slice(0, 50).map((r) => ({ ...r }))];
    const parts = hashSplit(twins, { testSize: 0.3, validationSize: 0.2, seed: 2 });
    const side = (r: (typeof twins)[number]) =>
      parts.holdout.some((x) => x.ph === r.ph)
        ? 'h'
        : parts.validation.some((x) => x.ph === r.ph)
          ? 'v'
          : 't';
    for (let i = 0; i < 50; i++) {
      const inHoldout = parts.holdout.filter((x) => x.ph === twins[i]!.ph).length;
      expect([0, 2]).toContain(inHoldout);
      expect(side(twins[i]!)).toBe(side(twins[i + 50]!));
    }
  });
});
