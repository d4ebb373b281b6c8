/** The wine adapter: exact sample reference vs the binned-profile fallback of older models. */
import {
  FEATURE_NAMES,
  computeReferenceProfile,
  createRng,
  encodeColumns,
  wineColumnsFromRecords,
  type WineColumns,
  type WineRecord,
} from '@wine/model';
import {
  computeDrift,
  wineCurrentColumns,
  wineReferenceFromProfile,
  wineReferenceFromSample,
} from '../src/index';

function wines(seed: number, n: number, alcoholShift = 0): WineColumns {
  const rng = createRng(seed);
  const records: WineRecord[] = Array.from({ length: n }, () => {
    const r = {} as Record<string, number | string>;
    for (const name of FEATURE_NAMES)
      r[name] = Math.round((5 + 2 * (rng.next() + rng.next())) * 100) / 100;
    r.alcohol = Math.round((8 + 6 * rng.next() + alcoholShift) * 10) / 10;
    r.wine_type = rng.next() < 0.75 ? 'white' : 'red';
    return r as unknown as WineRecord;
  });
  const prediction = records.map((r) => 3 + r.alcohol / 3);
  return wineColumnsFromRecords(records, prediction);
}

describe('wine reference from a model sample or profile', () => {
  const sample = wines(1, 3000);
  const profile = computeReferenceProfile(encodeColumns(sample), sample.prediction!);
  const exact = wineReferenceFromSample(sample, { source: 'model/' });
  const approx = wineReferenceFromProfile(profile);

  test('the sample is exact; the profile is approximate and every result says so', () => {
    expect(exact.approximate).toBe(false);
    expect(approx.approximate).toBe(true);
    const report = computeDrift(approx, wineCurrentColumns(wines(2, 500)));
    expect(report.reference).toEqual({ source: 'model profile', approximate: true });
    expect(report.warnings.join('\n')).toMatch(/binned training profile/);
    expect(report.rows_reference).toBe(3000);
  });

  test('both find the alcohol shift and the prediction drift, and agree roughly on scores', () => {
    const current = wineCurrentColumns(wines(3, 1000, 1.5));
    const a = computeDrift(exact, current);
    const b = computeDrift(approx, current);
    for (const r of [a, b]) {
      expect(
        Object.entries(r.features)
          .filter(([, f]) => f.drifted)
          .map(([n]) => n),
      ).toEqual(['alcohol']);
      expect(r.prediction?.drifted).toBe(true);
    }
    for (const name of [...FEATURE_NAMES, 'wine_type']) {
      expect(Math.abs(a.features[name]!.score! - b.features[name]!.score!)).toBeLessThan(0.05);
    }
    // PSI uses the profile's stored bins, which the sample reproduces exactly.
    const psi = { numericalMethod: 'psi' } as const;
    expect(computeDrift(approx, current, psi).features.alcohol!.score).toBeCloseTo(
      computeDrift(exact, current, psi).features.alcohol!.score!,
      12,
    );
  });

  test('a profile without stored percentiles still works from its bins', () => {
    const stripped = structuredClone(profile);
    for (const d of Object.values(stripped.features)) delete d.quantiles;
    delete stripped.prediction.quantiles;
    const report = computeDrift(
      wineReferenceFromProfile(stripped),
      wineCurrentColumns(wines(4, 800)),
    );
    expect(report.status).toBe('ok');
    expect(JSON.stringify(report)).not.toMatch(/NaN/);
  });
});
