/**
 * From an input location to work: the CSV files (one file, or every *.csv under a folder /
 * prefix, in name order), their common output header (checked before any scoring), and
 * partitions — contiguous byte ranges over the files' concatenation, so a big file splits
 * into newline-aligned ranges (each reader takes the lines that start inside its range) and
 * many small files group into parts.
 */
import { formatLocation, type Location, type Storage } from '@wine/azure';
import { BatchError } from './errors';
import { canonicalColumns, layoutOf } from './row-layout';
import { outputHeaderOf, readHeaderLine, type Segment } from './score-stream';

export interface InputFile {
  readonly location: Location;
  readonly size: number;
}

export interface PartTask {
  /** 0-based; part 0 writes the header. */
  readonly index: number;
  readonly segments: readonly Segment[];
}

export interface BatchPlan {
  readonly files: readonly InputFile[];
  readonly bytes: number;
  /** Output header line (no newline). */
  readonly header: string;
  readonly parts: readonly PartTask[];
}

export async function listInput(storage: Storage, input: Location): Promise<InputFile[]> {
  const listed = await storage.list(input);
  const single =
    listed.length === 1 &&
    listed[0]?.name !== undefined &&
    formatLocation(listed[0].location) === formatLocation(input);
  const files = (single ? listed : listed.filter((o) => /\.csv$/i.test(o.name))).map((o) => ({
    location: o.location,
    size: o.size,
  }));
  if (files.length === 0) {
    throw new BatchError('BATCH_NO_INPUT', `${formatLocation(input)}: no .csv files to score`);
  }
  return files;
}

/** Reads every file's header; all must have the same columns. */
export async function outputHeader(
  storage: Storage,
  files: readonly InputFile[],
  modelVersionColumn: boolean,
): Promise<string> {
  let header: string | undefined;
  let firstName = '';
  for (const file of files) {
    const name = formatLocation(file.location);
    const found = outputHeaderOf(
      layoutOf(await readHeaderLine(storage, file.location), name),
      modelVersionColumn,
    );
    if (header === undefined) {
      header = found;
      firstName = name;
    } else if (canonicalColumns(found) !== canonicalColumns(header)) {
      throw new BatchError(
        'BATCH_COLUMNS_DIFFER',
        `${name} and ${firstName} have different columns; score them separately`,
        { details: [`${firstName}: ${header}`, `${name}: ${found}`] },
      );
    }
  }
  if (header === undefined) throw new BatchError('BATCH_NO_INPUT', 'no input files');
  return header;
}

/** Splits the files' concatenated bytes into `n` ranges of about equal size. */
export function partitionFiles(files: readonly InputFile[], n: number): PartTask[] {
  if (!Number.isInteger(n) || n < 1) {
    throw new BatchError(
      'BATCH_OPTIONS_INVALID',
      `partitions must be a whole number ≥ 1, got ${n}`,
    );
  }
  const total = files.reduce((sum, f) => sum + f.size, 0);
  const parts: Segment[][] = Array.from({ length: n }, () => []);
  let base = 0;
  for (const file of files) {
    // Part p covers global bytes [cut(p), cut(p+1)); clip to this file.
    for (let p = 0; p < n; p++) {
      const from = Math.floor((total * p) / n);
      const to = Math.floor((total * (p + 1)) / n);
      const start = Math.max(from, base) - base;
      const end = Math.min(to, base + file.size) - base;
      if (end > start || (file.size === 0 && p === 0)) {
        (parts[p] as Segment[]).push({ location: file.location, start, end });
      }
    }
    base += file.size;
  }
  return parts.map((segments, index) => ({ index, segments }));
}

export async function planBatch(
  storage: Storage,
  input: Location,
  options: { readonly partitions: number; readonly modelVersionColumn: boolean },
): Promise<BatchPlan> {
  const files = await listInput(storage, input);
  const header = await outputHeader(storage, files, options.modelVersionColumn);
  return {
    files,
    bytes: files.reduce((sum, f) => sum + f.size, 0),
    header,
    parts: partitionFiles(files, options.partitions),
  };
}
