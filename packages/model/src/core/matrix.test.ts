import {
  FEATURE_NAMES,
  MODEL_COLUMNS,
  WINE_TYPE_CODE,
  encodeRecords,
  targetsOf,
} from '@wine/model';
import type { LabeledWineRecord } from '@wine/model';

function record(base: number, wineType: 'red' | 'white', quality: number): LabeledWineRecord {
  const features = Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, base + i]));
  return {
    ...(features as Record<(typeof FEATURE_NAMES)[number], number>),
    wine_type: wineType,
    quality,
  };
}

describe('encodeRecords', () => {
  it('lays out the 11 features in contract order, then wine_type', () => {
    expect(MODEL_COLUMNS).toEqual([...FEATURE_NAMES, 'wine_type']);
    expect(WINE_TYPE_CODE).toEqual({ red: 0, white: 1 });
    const m = encodeRecords([record(0, 'red', 5), record(100, 'white', 6)]);
    expect(m.rows).toBe(2);
    expect(m.cols).toBe(12);
    expect(Array.from(m.data.subarray(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0]);
    expect(Array.from(m.data.subarray(12))).toEqual([
      100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 1,
    ]);
  });

  it('handles an empty list', () => {
    expect(encodeRecords([])).toEqual({ data: new Float64Array(0), rows: 0, cols: 12 });
  });
});

describe('targetsOf', () => {
  it('returns quality in record order', () => {
    expect(Array.from(targetsOf([record(0, 'red', 5), record(1, 'white', 7)]))).toEqual([5, 7]);
  });
});
