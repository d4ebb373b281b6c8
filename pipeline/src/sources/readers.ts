/**
 * Readers for the base data: each returns the raw files (bytes + sha256) of a location, so
 * ingest fingerprints and stores exactly what it read, and validate parses it later with the
 * loader's rules. Readers are passed in (deps): local folder, https archive, az:// prefix.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import {
  childLocation,
  createStorage,
  formatLocation,
  parseLocation,
  type Storage,
} from '@wine/azure';
import { UCI_WINE_ARCHIVE, WINE_DATA_FILES, WINE_TYPES, type WineType } from '@wine/model';
import { fetchArchive, sha256Hex, verifyArchive } from '@wine/training-scripts';
import { PipelineError } from '../errors';
import { describeLocation, type DataLocation } from './data-location';

export interface SourceFile {
  /** File name, e.g. winequality-red.csv. */
  readonly name: string;
  /** The colour of every row when the file has no wine_type column. */
  readonly wineType?: WineType;
  readonly bytes: Uint8Array;
  readonly sha256: string;
}

export interface SourceData {
  readonly kind: DataLocation['kind'];
  readonly location: string;
  readonly files: readonly SourceFile[];
}

export type SourceReader = (location: DataLocation) => Promise<SourceData>;

function file(name: string, bytes: Uint8Array, wineType?: WineType): SourceFile {
  return { name, bytes, sha256: sha256Hex(bytes), ...(wineType ? { wineType } : {}) };
}

/** A folder with winequality-red.csv and winequality-white.csv (the download command's layout). */
export async function readLocalFolder(location: DataLocation): Promise<SourceData> {
  if (location.kind !== 'local') throw new TypeError('readLocalFolder needs a local location');
  const files = await Promise.all(
    WINE_TYPES.map(async (type) => {
      const name = WINE_DATA_FILES[type];
      const full = path.join(location.dir, name);
      try {
        return file(name, await readFile(full), type);
      } catch (cause) {
        throw new PipelineError(
          'PIPELINE_DATA_UNREADABLE',
          `cannot read ${full}: the data folder needs ${Object.values(WINE_DATA_FILES).join(' and ')} ` +
            '(`pnpm run data:download` writes them to ./data)',
          { cause },
        );
      }
    }),
  );
  return { kind: 'local', location: describeLocation(location), files };
}

/** The UCI archive over https, verified like `pnpm run data:download` (pinned CSV digests). */
export async function readHttpsArchive(
  location: DataLocation,
  fetchImpl: typeof fetch = fetch,
): Promise<SourceData> {
  if (location.kind !== 'https') throw new TypeError('readHttpsArchive needs an https location');
  const zip = await fetchArchive(location.url, fetchImpl);
  const digest = sha256Hex(zip);
  if (location.sha256 !== undefined && digest !== location.sha256) {
    throw new PipelineError(
      'PIPELINE_DATA_UNREADABLE',
      `${describeLocation(location)}: archive sha256 ${digest} differs from the required ${location.sha256}`,
    );
  }
  const contents = verifyArchive(zip, UCI_WINE_ARCHIVE);
  const files = WINE_TYPES.map((type) => {
    const name = UCI_WINE_ARCHIVE.files[type].name;
    const bytes = contents.get(name);
    if (bytes === undefined) {
      throw new PipelineError('PIPELINE_DATA_UNREADABLE', `the archive has no ${name}`);
    }
    return file(name, bytes, type);
  });
  return { kind: 'https', location: describeLocation(location), files };
}

/**
 * az://<container>/<prefix>: the two UCI files under the prefix, read through @wine/azure
 * (ranged download streams; the account from the environment).
 */
export async function readAzurePrefix(
  location: DataLocation,
  storage: Storage = createStorage(),
): Promise<SourceData> {
  if (location.kind !== 'az') throw new TypeError('readAzurePrefix needs an az:// location');
  const folder = parseLocation(`az://${location.container}/${location.prefix}`);
  const files = await Promise.all(
    WINE_TYPES.map(async (type) => {
      const name = WINE_DATA_FILES[type];
      const at = childLocation(folder, name);
      try {
        return file(name, await buffer(storage.read(at)), type);
      } catch (cause) {
        throw new PipelineError(
          'PIPELINE_DATA_UNREADABLE',
          `cannot read ${formatLocation(at)}: ${cause instanceof Error ? cause.message : String(cause)} ` +
            `(the prefix needs ${Object.values(WINE_DATA_FILES).join(' and ')}; \`pnpm run data -- upload ./data ${describeLocation(location).replace(/\/?$/, '/')}\` puts them there)`,
          { cause },
        );
      }
    }),
  );
  return { kind: 'az', location: describeLocation(location), files };
}

export type SourceReaders = { readonly [K in DataLocation['kind']]: SourceReader };

export const DEFAULT_READERS: SourceReaders = {
  local: readLocalFolder,
  https: (location) => readHttpsArchive(location),
  az: (location) => readAzurePrefix(location),
};
