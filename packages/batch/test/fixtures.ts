/** Synthetic wine CSVs and the bundled model, for the batch tests. */
import path from 'node:path';
import { FEATURE_NAMES, createRng, readModelDir, type WineRecord } from '@wine/model';
import type { BatchModel } from '@wine/batch';
import { UCI_HEADERS } from '../../model/test/fixtures/wine-csv';

export const BUNDLED = path.resolve(__dirname, '..', '..', '..', 'prediction-service', 'model');

export async function bundledModel(): Promise<
  BatchModel & { records(r: readonly WineRecord[]): number[] }
> {
  const md = await readModelDir(BUNDLED);
  return {
    version: `sha256:${md.sha256.slice(0, 12)}`,
    predict: (x) => md.model.predict(x),
    records: (r) => md.model.predictRecords(r),
  };
}

export function wines(n: number, seed = 1): WineRecord[] {
  const rng = createRng(seed);
  const r = (lo: number, hi: number, digits: number) =>
    Number((lo + rng.next() * (hi - lo)).toFixed(digits));
  return Array.from({ length: n }, (_, i) => ({
    fixed_acidity: r(4, 15, 1),
    volatile_acidity: r(0.1, 1.5, 2),
    citric_acid: r(0, 1, 2),
    residual_sugar: r(0.6, 20, 1),
    chlorides: r(0.01, 0.3, 3),
    free_sulfur_dioxide: r(1, 70, 0),
    total_sulfur_dioxide: r(6, 250, 0),
    density: r(0.99, 1.003, 4),
    ph: r(2.8, 4, 2),
    sulphates: r(0.3, 1.5, 2),
    alcohol: r(8, 14, 1),
    wine_type: i % 3 === 0 ? 'white' : 'red',
  }));
}

/** UCI format: ";" with a quoted header, no colour column (the file name says it). */
export function uciCsv(records: readonly WineRecord[]): string {
  const head = UCI_HEADERS.map((h) => `"${h}"`).join(';');
  return (
    [head, ...records.map((w) => [...FEATURE_NAMES.map((f) => String(w[f])), '5'].join(';'))].join(
      '\n',
    ) + '\n'
  );
}

/** Contract names, comma, with wine_type and an extra id column. */
export function contractCsv(records: readonly WineRecord[]): string {
  const head = ['id', ...FEATURE_NAMES, 'wine_type'].join(',');
  return (
    [
      head,
      ...records.map((w, i) =>
        [`w${i}`, ...FEATURE_NAMES.map((f) => String(w[f])), w.wine_type].join(','),
      ),
    ].join('\r\n') + '\r\n'
  );
}
