import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { LabeledWineRecord } from '../core/features';
import { DataError } from './data-error';
import { parseWineCsv } from './parse-wine-csv';
import type { LoadResult, ParseWineCsvOptions } from './parse-wine-csv';
import { WineColumnsParser } from './wine-columns-csv';
import type { WineColumnsOptions, WineColumnsResult } from './wine-columns-csv';

/** The two UCI files a data directory must hold. */
export const WINE_DATA_FILES = {
  red: 'winequality-red.csv',
  white: 'winequality-white.csv',
} as const;

function unreadable(file: string, err: unknown): DataError {
  const code = (err as { code?: unknown }).code;
  return new DataError(
    code === 'ENOENT' ? 'DATA_FILE_NOT_FOUND' : 'DATA_MALFORMED_CSV',
    code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read (${String(code)})`,
    { cause: err },
  );
}

export type LoadWineCsvOptions = Omit<ParseWineCsvOptions, 'file'>;

/** Reads and validates one wine CSV; the colour comes from a wine_type column, the option or the file name. */
export async function loadWineCsv(
  file: string,
  opts: LoadWineCsvOptions = {},
): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw unreadable(file, err);
  }
  return parseWineCsv(text, { ...opts, file });
}

/**
 * Loads winequality-red.csv and winequality-white.csv from `dir` (red rows first, then
 * white). Each report says what that file rejected.
 */
export async function loadWineDataDir(
  dir: string,
  opts: Omit<LoadWineCsvOptions, 'wineType'> = {},
): Promise<{ records: LabeledWineRecord[]; reports: LoadResult[] }> {
  const reports: LoadResult[] = [];
  for (const [wineType, name] of Object.entries(WINE_DATA_FILES) as [
    keyof typeof WINE_DATA_FILES,
    string,
  ][]) {
    const file = path.join(dir, name);
    try {
      reports.push(await loadWineCsv(file, { ...opts, wineType }));
    } catch (err) {
      if (err instanceof DataError && err.code === 'DATA_FILE_NOT_FOUND') {
        throw new DataError(
          'DATA_FILE_NOT_FOUND',
          `${file} not found: the wine data directory needs ${Object.values(WINE_DATA_FILES).join(' and ')}. ` +
            'Run `pnpm run data:download` (writes ./data/) or point WINE_DATA_DIR at a folder holding them.',
          { cause: err },
        );
      }
      throw err;
    }
  }
  return { records: reports.flatMap((r) => r.records), reports };
}

/**
 * Streams a (large) wine CSV into columns; `onProgress` gets bytes read so far and the file
 * size, for a progress bar.
 */
export async function loadWineColumns(
  file: string,
  opts: Omit<WineColumnsOptions, 'file'> & {
    onProgress?: (bytesRead: number, bytesTotal: number) => void;
  } = {},
): Promise<WineColumnsResult> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    throw unreadable(file, err);
  }
  const parser = new WineColumnsParser({ ...opts, file });
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 4 * 1024 * 1024 });
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<string>) {
    parser.push(chunk);
    bytes += Buffer.byteLength(chunk);
    opts.onProgress?.(bytes, size);
  }
  return parser.end();
}
