/** File loading for the CLIs' workflows (train, register): the wine CSV readers as deps. */
import path from 'node:path';
import {
  datasetFingerprint,
  encodeRecords,
  loadWineCsv,
  loadWineDataDir,
  targetsOf,
  type LabeledWineRecord,
  type LoadResult,
} from '@wine/model';
import type { Holdout } from '../register/register-model';
import type { LoadedData, TrainDeps } from '../train/run-training';

function toLoaded(results: readonly LoadResult[], description: string): LoadedData {
  return {
    records: results.flatMap((r) => r.records),
    rejected: results.reduce((n, r) => n + r.rejected.length, 0),
    description,
  };
}

const onInvalidRow = (skip: boolean): 'reject' | 'fail' => (skip ? 'reject' : 'fail');

export const dataDeps: Pick<TrainDeps, 'loadDir' | 'loadCsv'> = {
  loadDir: async (dir, skip) => {
    const { reports } = await loadWineDataDir(dir, { onInvalidRow: onInvalidRow(skip) });
    return toLoaded(reports, path.resolve(dir));
  },
  loadCsv: async (file, skip) =>
    toLoaded([await loadWineCsv(file, { onInvalidRow: onInvalidRow(skip) })], path.resolve(file)),
};

export function holdoutOf(rows: readonly LabeledWineRecord[]): Holdout {
  return { x: encodeRecords(rows), y: targetsOf(rows), sha256: datasetFingerprint(rows) };
}

/** WINE_DATA_DIR, else ./data (the download command's default). */
export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  return env['WINE_DATA_DIR'] ?? path.resolve('data');
}
