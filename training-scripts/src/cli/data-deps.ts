/**
 * File loading for the CLIs' workflows (train, register): the wine CSV readers as deps, local
 * or az://. The Azure SDK (~0.35 s to load, a search's worth of time) is loaded only for a
 * location with a scheme; a plain path is read as is.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type * as Azure from '@wine/azure';
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

/** @wine/azure, loaded on first use (require: a CommonJS load, the same under Node and jest). */
function loadAzure(): typeof Azure {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose, see above
  return require('@wine/azure') as typeof Azure;
}

/** A plain local path (no `scheme://`), resolved as @wine/azure's parseLocation would. */
function plainPath(raw: string): string | undefined {
  const value = raw.trim();
  return value === '' || /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? undefined : path.resolve(value);
}

/**
 * A local path as is; an az:// blob or prefix downloaded (checksums verified) into a temporary
 * folder, read with the same loaders, then removed. Training sets are small: a copy is simpler
 * than teaching every loader to stream from Blob. `read` gets the local path and the location
 * as users write it.
 */
async function withLocalCopy<T>(
  raw: string,
  read: (local: string, description: string) => Promise<T>,
): Promise<T> {
  const plain = plainPath(raw);
  if (plain !== undefined) return read(plain, plain);
  const { baseName, copyLocation, createStorage, formatLocation, parseLocation } = loadAzure();
  const location = parseLocation(raw);
  const description = formatLocation(location);
  if (location.kind === 'local') return read(location.path, description);
  const storage = createStorage();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wine-data-'));
  try {
    const isFile = (await storage.stat(location)) !== undefined;
    const target = isFile ? path.join(dir, baseName(location)) : dir;
    await copyLocation(storage, location, parseLocation(target), { toIsFolder: !isFile });
    return await read(target, description);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const dataDeps: Pick<TrainDeps, 'loadDir' | 'loadCsv'> = {
  loadDir: (dir, skip) =>
    withLocalCopy(dir, async (local, description) => {
      const { reports } = await loadWineDataDir(local, { onInvalidRow: onInvalidRow(skip) });
      return toLoaded(reports, description);
    }),
  loadCsv: (file, skip) =>
    withLocalCopy(file, async (local, description) =>
      toLoaded([await loadWineCsv(local, { onInvalidRow: onInvalidRow(skip) })], description),
    ),
};

export function holdoutOf(rows: readonly LabeledWineRecord[]): Holdout {
  return { x: encodeRecords(rows), y: targetsOf(rows), sha256: datasetFingerprint(rows) };
}

/** WINE_DATA_DIR, else ./data (the download command's default). */
export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  return env['WINE_DATA_DIR'] ?? path.resolve('data');
}
