/**
 * Our numbers against scipy / numpy on the committed golden cases (golden/generate_cases.py):
 * KS statistic exact, p-values to 1e-6, distances to 1e-9 relative, kstwo.sf to 1e-9.
 * Runs in ~1 s; the cases include ties, constant columns, tiny and large samples.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRng } from '@wine/model';
import {
  chiSquareTest,
  compareSorted,
  jensenShannonDistance,
  kolmogorovSf,
  ksAsymptoticPValue,
  prepareReference,
  populationStd,
  zTest,
  computeDrift,
} from '../src/index';
import { expand, sample, type SampleSpec } from './golden-data';

interface NumericalCase {
  name: string;
  reference: SampleSpec;
  current: SampleSpec;
  ks_statistic: number;
  ks_pvalue: number;
  wasserstein: number;
  wasserstein_norm: number;
  psi: number;
  n_unique: number;
  jensenshannon?: number;
}

interface CategoricalCase {
  name: string;
  reference: Record<string, number>;
  current: Record<string, number>;
  chisquare_pvalue: number;
  chisquare_statistic: number | null;
  z_pvalue: number;
  z_statistic: number | null;
  jensenshannon: number;
}

interface Golden {
  mulberry32_seed42: number[];
  numerical: NumericalCase[];
  categorical: CategoricalCase[];
  kstwo_sf: [number, number, number][];
  empty: {
    name: string;
    reference: number[];
    current: number[];
    scipy: Record<string, string>;
    ours: string;
  }[];
}

const golden = JSON.parse(
  readFileSync(path.join(__dirname, 'golden', 'cases.json'), 'utf8'),
) as Golden;

function expectRelative(actual: number, expected: number, rel: number): void {
  if (expected === 0) expect(Math.abs(actual)).toBeLessThan(1e-12);
  else expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThan(rel);
}

const sorted = (a: Float64Array): Float64Array => Float64Array.from(a).sort();

test('the data recipes rebuild the same samples (mulberry32 matches its Python port)', () => {
  const rng = createRng(42);
  expect(golden.mulberry32_seed42.map(() => rng.next())).toEqual(golden.mulberry32_seed42);
});

describe.each(golden.numerical.map((c) => [c.name, c] as const))('numerical: %s', (_name, c) => {
  const ref = sample(c.reference);
  const cur = sample(c.current);
  const compared = compareSorted(sorted(ref), sorted(cur));

  test('KS statistic is exactly scipy ks_2samp', () => {
    expect(compared.ks).toBe(c.ks_statistic);
  });
  test('KS p-value equals method="asymp" to 1e-6', () => {
    expect(
      Math.abs(ksAsymptoticPValue(compared.ks, ref.length, cur.length) - c.ks_pvalue),
    ).toBeLessThan(1e-6);
  });
  test('Wasserstein and its normed form equal scipy / numpy.std to 1e-9', () => {
    expectRelative(compared.wasserstein, c.wasserstein, 1e-9);
    expectRelative(
      compared.wasserstein / Math.max(populationStd(ref), 0.001),
      c.wasserstein_norm,
      1e-9,
    );
  });
  test('pooled n_unique, PSI and (many values) Jensen–Shannon agree', () => {
    expect(compared.distinct).toBe(c.n_unique);
    const prepared = prepareReference({ columns: { x: { kind: 'numerical', values: ref } } });
    const forced = (method: 'psi' | 'jensenshannon'): number | null =>
      computeDrift(prepared, { x: cur }, { minRows: 0, numericalMethod: method }).features.x!.score;
    expectRelative(forced('psi')!, c.psi, 1e-9);
    if (c.jensenshannon !== undefined)
      expectRelative(forced('jensenshannon')!, c.jensenshannon, 1e-9);
  });
});

describe.each(golden.categorical.map((c) => [c.name, c] as const))(
  'categorical: %s',
  (_name, c) => {
    const counts = (x: Record<string, number>): Map<string, number> => new Map(Object.entries(x));
    test('chi-square p-value and statistic', () => {
      const r = chiSquareTest(counts(c.reference), counts(c.current));
      expect(Math.abs(r.pValue - c.chisquare_pvalue)).toBeLessThan(1e-6);
      if (c.chisquare_statistic === null) expect(r.statistic).toBeNull();
      else expectRelative(r.statistic!, c.chisquare_statistic, 1e-9);
    });
    test('Z-test p-value and statistic', () => {
      const r = zTest(counts(c.reference), counts(c.current));
      expect(Math.abs(r.pValue - c.z_pvalue)).toBeLessThan(1e-6);
      if (c.z_statistic === null) expect(r.statistic).toBeNull();
      else expectRelative(r.statistic!, c.z_statistic, 1e-9);
    });
    test('Jensen–Shannon distance (and through computeDrift on the raw labels)', () => {
      const prepared = prepareReference({
        columns: { c: { kind: 'categorical', values: expand(c.reference) } },
      });
      const report = computeDrift(
        prepared,
        { c: expand(c.current) },
        { minRows: 0, categoricalMethod: 'jensenshannon' },
      );
      expectRelative(report.features.c!.score!, c.jensenshannon, 1e-9);
      const keys = [...new Set([...Object.keys(c.reference), ...Object.keys(c.current)])];
      expectRelative(
        jensenShannonDistance(
          keys.map((k) => c.reference[k] ?? 0),
          keys.map((k) => c.current[k] ?? 0),
        ),
        c.jensenshannon,
        1e-9,
      );
    });
  },
);

test('kstwo.sf over every branch (Durbin, Pomeranz, Pelz–Good, Smirnov, Ruben–Gambino)', () => {
  for (const [n, x, expected] of golden.kstwo_sf) {
    const ours = kolmogorovSf(n, x);
    if (Math.abs(ours - expected) > 1e-9)
      throw new Error(`kstwo.sf(${x}, ${n}) = ${ours}, scipy ${expected}`);
  }
});

describe.each(golden.empty.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  test('scipy says NaN or raises; we refuse with DRIFT_EMPTY_SAMPLE, and a window is "not enough data"', () => {
    expect(Object.values(c.scipy).every((v) => v === 'NaN' || v.startsWith('ValueError'))).toBe(
      true,
    );
    let error: unknown;
    try {
      compareSorted(Float64Array.from(c.reference), Float64Array.from(c.current));
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: c.ours });
    if (c.reference.length > 0) {
      const prepared = prepareReference({
        columns: { x: { kind: 'numerical', values: c.reference } },
      });
      const report = computeDrift(prepared, { x: c.current });
      expect(report).toMatchObject({ status: 'not_enough_data', dataset_drift: false });
      expect(JSON.stringify(report)).not.toMatch(/NaN|Infinity/);
    }
  });
});
