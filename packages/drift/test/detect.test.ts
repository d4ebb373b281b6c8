/** computeDrift: Evidently's automatic choice, thresholds, windows, the dataset rule, errors. */
import { createRng } from '@wine/model';
import {
  autoMethod,
  computeDrift,
  prepareReference,
  resolveDriftOptions,
  type DriftReport,
  type ReferenceColumnInput,
} from '../src/index';

function normal(seed: number, n: number, loc = 0, scale = 1): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => {
    const u = rng.next() + rng.next() + rng.next() + rng.next() - 2;
    return loc + scale * u;
  });
}

function labels(seed: number, n: number, whiteShare: number): string[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => (rng.next() < whiteShare ? 'white' : 'red'));
}

function reference(rows: number, extra: Record<string, ReferenceColumnInput> = {}) {
  return prepareReference({
    columns: {
      a: { kind: 'numerical', values: normal(1, rows) },
      b: { kind: 'numerical', values: normal(2, rows) },
      c: { kind: 'numerical', values: normal(3, rows) },
      colour: { kind: 'categorical', values: labels(4, rows, 0.75) },
      ...extra,
    },
  });
}

function window(rows: number, shift: Partial<Record<'a' | 'b' | 'c', number>> = {}, white = 0.75) {
  return {
    a: normal(11, rows, shift.a ?? 0),
    b: normal(12, rows, shift.b ?? 0),
    c: normal(13, rows, shift.c ?? 0),
    colour: labels(14, rows, white),
  };
}

describe('autoMethod follows Evidently registry._get_default_stattest', () => {
  test.each([
    ['numerical', 1000, 6, 'ks'],
    ['numerical', 1000, 5, 'chisquare'],
    ['numerical', 1000, 3, 'chisquare'],
    ['numerical', 1000, 2, 'z'],
    ['numerical', 1001, 6, 'wasserstein'],
    ['numerical', 1001, 5, 'jensenshannon'],
    ['categorical', 1000, 3, 'chisquare'],
    ['categorical', 1000, 2, 'z'],
    ['categorical', 1001, 2, 'jensenshannon'],
    ['categorical', 1001, 30, 'jensenshannon'],
  ] as const)('%s, %d reference rows, %d values → %s', (kind, rows, distinct, method) => {
    expect(autoMethod(kind, rows, distinct, 1000)).toBe(method);
  });

  test('the reference size decides: 1000 rows → KS at p ≤ 0.05, 1001 → normed Wasserstein at 0.1', () => {
    const small = computeDrift(reference(1000), window(500));
    expect(small.features.a).toMatchObject({ method: 'ks', threshold: 0.05 });
    expect(small.features.colour).toMatchObject({ method: 'z', threshold: 0.05 });
    const large = computeDrift(reference(1001), window(500));
    expect(large.features.a).toMatchObject({
      method: 'wasserstein',
      threshold: 0.1,
      statistic: null,
    });
    expect(large.features.colour).toMatchObject({ method: 'jensenshannon', threshold: 0.1 });
  });
});

describe('verdicts and the dataset rule', () => {
  const ref = reference(5000);

  test('unshifted traffic: nothing drifts', () => {
    const report = computeDrift(ref, window(2000));
    expect(report.status).toBe('ok');
    expect(Object.values(report.features).filter((f) => f.drifted)).toEqual([]);
    expect(report).toMatchObject({ dataset_drift: false, drift_share: 0, drifted_columns: 0 });
  });

  test('exactly the shifted columns drift; the share is drifted / tested', () => {
    const report = computeDrift(ref, window(2000, { a: 1, b: 0.5 }));
    const drifted = Object.entries(report.features)
      .filter(([, f]) => f.drifted)
      .map(([n]) => n);
    expect(drifted).toEqual(['a', 'b']);
    expect(report.columns_tested).toBe(4);
    expect(report.drift_share).toBe(0.5);
    expect(report.dataset_drift).toBe(true); // share ≥ 0.5, as Evidently
    expect(computeDrift(ref, window(2000, { a: 1 })).dataset_drift).toBe(false);
    expect(computeDrift(ref, window(2000, { a: 1 }), { driftShare: 0.25 }).dataset_drift).toBe(
      true,
    );
  });

  test('a colour mix change drifts wine-type-like categories', () => {
    const report = computeDrift(ref, window(2000, {}, 0.95));
    expect(report.features.colour).toMatchObject({ method: 'jensenshannon', drifted: true });
  });

  test('thresholds: per method, per column, and the KS boundary is p ≤ threshold', () => {
    const base = computeDrift(ref, window(2000, { a: 0.05 }));
    const score = base.features.a!.score!;
    expect(
      computeDrift(ref, window(2000, { a: 0.05 }), { thresholds: { wasserstein: score } }).features
        .a!.drifted,
    ).toBe(true);
    const perColumn = computeDrift(ref, window(2000), {
      columns: { b: { method: 'psi', threshold: 0.001 } },
    });
    expect(perColumn.features.b).toMatchObject({ method: 'psi', threshold: 0.001 });
    const small = reference(300);
    const ks = computeDrift(small, window(400, { a: 0.2 }));
    const p = ks.features.a!.score!;
    expect(
      computeDrift(small, window(400, { a: 0.2 }), { thresholds: { ks: p } }).features.a!.drifted,
    ).toBe(true);
  });
});

describe('windows below the minimum are "not enough data", never drift', () => {
  const ref = reference(3000);
  const nothing = (report: DriftReport): void => {
    expect(report.status).toBe('not_enough_data');
    expect(report.dataset_drift).toBe(false);
    expect(report.drift_share).toBe(0);
    for (const f of Object.values(report.features))
      expect(f).toMatchObject({ score: null, drifted: false });
    expect(report.warnings.join('\n')).toMatch(/not enough data/);
  };

  test('199 wildly shifted rows: no verdict; 200: drift', () => {
    nothing(computeDrift(ref, window(199, { a: 5, b: 5, c: 5 })));
    expect(computeDrift(ref, window(200, { a: 5, b: 5, c: 5 })).dataset_drift).toBe(true);
  });

  test('an empty window, and a configured minimum', () => {
    nothing(computeDrift(ref, { a: [], b: [], c: [], colour: [] }));
    nothing(computeDrift(ref, window(400), { minRows: 500 }));
  });
});

describe('degenerate data gives numbers, never NaN', () => {
  test('constant columns on both sides, tiny windows, every method', () => {
    const ref = prepareReference({
      columns: {
        k: { kind: 'numerical', values: new Float64Array(50).fill(3) },
        l: { kind: 'categorical', values: Array<string>(50).fill('red') },
      },
    });
    for (const method of ['ks', 'wasserstein', 'psi', 'chisquare', 'z', 'jensenshannon'] as const) {
      const report = computeDrift(
        ref,
        { k: [3], l: ['red'] },
        { minRows: 1, numericalMethod: method },
      );
      const json = JSON.stringify(report);
      expect(json).not.toMatch(/NaN|Infinity/);
      expect(report.features.k!.drifted).toBe(false);
      expect(Number.isFinite(report.features.k!.score)).toBe(true);
    }
    const moved = computeDrift(
      ref,
      { k: new Float64Array(10).fill(4), l: Array<string>(10).fill('white') },
      { minRows: 1 },
    );
    expect(moved.features.k).toMatchObject({ method: 'z', drifted: true });
    expect(moved.features.k!.score).toBeLessThan(1e-10);
    expect(moved.features.l).toMatchObject({ method: 'z', drifted: true });
  });
});

describe('prediction and target columns', () => {
  const ref = reference(2000, {
    yhat: { kind: 'numerical', role: 'prediction', values: normal(5, 2000) },
    y: { kind: 'numerical', role: 'target', values: normal(6, 2000) },
  });

  test('the prediction is reported on its own and counts towards the share, like Evidently', () => {
    const report = computeDrift(ref, {
      ...window(800),
      yhat: normal(15, 800, 1),
      y: normal(16, 800),
    });
    expect(report.prediction).toMatchObject({ method: 'wasserstein', drifted: true });
    expect(report.target).toMatchObject({ drifted: false });
    expect(report.columns_tested).toBe(6);
    expect(report.drifted_columns).toBe(1);
  });

  test('a window without them: compared without, with a warning', () => {
    const report = computeDrift(ref, window(800));
    expect(report.prediction).toBeNull();
    expect(report.target).toBeUndefined();
    expect(report.warnings.join('\n')).toMatch(/no prediction column "yhat"/);
  });
});

function expectCode(fn: () => unknown, code: string): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toMatchObject({ code });
}

describe('bad input is a typed error', () => {
  const ref = reference(500);
  test.each([
    ['a missing feature', { a: [1], b: [1], colour: ['red'] }, 'DRIFT_COLUMN_MISSING'],
    [
      'columns of different lengths',
      { a: [1, 2], b: [1], c: [1], colour: ['red'] },
      'DRIFT_COLUMN_LENGTH',
    ],
    ['NaN', { a: [Number.NaN], b: [1], c: [1], colour: ['red'] }, 'DRIFT_NON_FINITE'],
    [
      'labels in a numerical column',
      { a: ['x'], b: [1], c: [1], colour: ['red'] },
      'DRIFT_VALUE_INVALID',
    ],
    [
      'numbers in a categorical column',
      { a: [1], b: [1], c: [1], colour: [1] },
      'DRIFT_VALUE_INVALID',
    ],
  ])('%s', (_what, current, code) => {
    expectCode(() => computeDrift(ref, current, { minRows: 1 }), code);
  });

  test('options: unknown keys, bad thresholds, numerical methods on categories', () => {
    expectCode(() => resolveDriftOptions({ minrows: 3 } as never), 'DRIFT_OPTIONS_INVALID');
    expect(() => resolveDriftOptions({ thresholds: { ks: 1.5 } })).toThrow(/p-value/);
    expectCode(() => resolveDriftOptions({ driftShare: 0 }), 'DRIFT_OPTIONS_INVALID');
    expectCode(
      () => computeDrift(ref, window(300), { categoricalMethod: 'ks' }),
      'DRIFT_METHOD_UNSUPPORTED',
    );
  });

  test('references: empty columns, two prediction columns, no features', () => {
    expectCode(
      () => prepareReference({ columns: { a: { kind: 'numerical', values: [] } } }),
      'DRIFT_EMPTY_SAMPLE',
    );
    expect(() =>
      prepareReference({
        columns: {
          a: { kind: 'numerical', values: [1] },
          p: { kind: 'numerical', role: 'prediction', values: [1] },
          q: { kind: 'numerical', role: 'prediction', values: [1] },
        },
      }),
    ).toThrow(/two prediction columns/);
    expect(() =>
      prepareReference({ columns: { p: { kind: 'numerical', role: 'prediction', values: [1] } } }),
    ).toThrow(/no feature columns/);
  });
});
