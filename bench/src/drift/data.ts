/**
 * Data for the drift benchmarks: the bundled model's reference sample, and windows drawn
 * (seeded, with replacement) from the UCI wines, optionally with alcohol and sulphates
 * shifted the way `pnpm run simulate --shift alcohol=+1.5 --scale sulphates=1.3` does.
 */
import path from 'node:path';
import {
  FEATURE_NAMES,
  createRng,
  loadWineDataDir,
  readModelReference,
  takeColumnRows,
  wineColumnsFromRecords,
  type WineColumns,
} from '@wine/model';
import { ROOT, dataDir } from '../learner/common';

export const BUNDLED_MODEL = path.join(ROOT, 'prediction-service', 'model');

export async function referenceSample(): Promise<WineColumns> {
  const reference = await readModelReference(BUNDLED_MODEL);
  if (reference.kind !== 'sample') throw new Error(`${BUNDLED_MODEL} has no reference sample`);
  return reference.sample;
}

export async function uciColumns(): Promise<WineColumns> {
  const { records } = await loadWineDataDir(dataDir());
  return wineColumnsFromRecords(records);
}

export function drawWindow(
  all: WineColumns,
  rows: number,
  seed: number,
  drifted: boolean,
): WineColumns {
  const rng = createRng(seed);
  const window = takeColumnRows(
    all,
    Array.from({ length: rows }, () => rng.int(all.rows)),
  );
  if (!drifted) return window;
  const alcohol = window.features.alcohol.map((v) => v + 1.5);
  const sulphates = window.features.sulphates.map((v) => v * 1.3);
  return { ...window, features: { ...window.features, alcohol, sulphates } };
}

/** Columns as one float64 file per side for the Python peer: 11 features, colour (white=1). */
export function columnMajor(columns: WineColumns): Float64Array {
  const n = columns.rows;
  const out = new Float64Array(n * (FEATURE_NAMES.length + 1));
  FEATURE_NAMES.forEach((name, c) => {
    out.set(columns.features[name], c * n);
  });
  for (let r = 0; r < n; r++)
    out[FEATURE_NAMES.length * n + r] = columns.wineType[r] === 'white' ? 1 : 0;
  return out;
}
