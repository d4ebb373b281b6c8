/** File loading for the CLIs' workflows (train, register): the wine CSV readers as deps, local or az://. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { baseName, copyLocation, createStorage, formatLocation, parseLocation } from '@wine/azure';
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

/**
 * A local path as is; an az:// blob or prefix downloaded (checksums verified) into a temporary
 * folder, read with the same loaders, then removed. Training sets are small: a copy is simpler
 * than teaching every loader to stream from Blob.
 */
async function withLocalCopy<T>(raw: string, read: (local: string) => Promise<T>): Promise<T> {
  const location = parseLocation(raw);
  if (location.kind === 'local') return read(location.path);
  const storage = createStorage();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wine-data-'));
  try {
    const isFile = (await storage.stat(location)) !== undefined;
    const target = isFile ? path.join(dir, baseName(location)) : dir;
    await copyLocation(storage, location, parseLocation(target), { toIsFolder: !isFile });
    return await read(target);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const describe = (raw: string): string => formatLocation(parseLocation(raw));

export const dataDeps: Pick<TrainDeps, 'loadDir' | 'loadCsv'> = {
  loadDir: (dir, skip) =>
    withLocalCopy(dir, async (local) => {
      const { reports } = await loadWineDataDir(local, { onInvalidRow: onInvalidRow(skip) });
      return toLoaded(reports, describe(dir));
    }),
  loadCsv: (file, skip) =>
    withLocalCopy(file, async (local) =>
      toLoaded([await loadWineCsv(local, { onInvalidRow: onInvalidRow(skip) })], describe(file)),
    ),
};

export function holdoutOf(rows: readonly LabeledWineRecord[]): Holdout {
  return { x: encodeRecords(rows), y: targetsOf(rows), sha256: datasetFingerprint(rows) };
}

/** WINE_DATA_DIR, else ./data (the download command's default). */
export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  return env['WINE_DATA_DIR'] ?? path.resolve('data');
}
