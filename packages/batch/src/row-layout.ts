/**
 * A file's header read once into a layout: which field feeds which model column, where the
 * colour comes from, and the output header (the input's columns as comma CSV, `wine_type`
 * added when the colour came from the file name). Same header rules as the loader: UCI
 * names, snake_case contract names, any column order, extra columns passed through.
 */
import {
  DataError,
  FEATURE_NAMES,
  canonicalColumnName,
  detectDelimiter,
  inferWineType,
  mapHeader,
  type WineType,
} from '@wine/model';
import { BOM_LATIN1, csvCell, quotedCells } from './csv-text';

/** Slot of a field: a feature's model column (0–10), the colour, or nothing. */
export const TYPE_SLOT = FEATURE_NAMES.length;
export const NO_SLOT = -1;

export interface RowLayout {
  /** Name in messages and in the rejected-rows file. */
  readonly file: string;
  readonly delimiter: string;
  readonly width: number;
  /** Per input field: a model column index, TYPE_SLOT or NO_SLOT. */
  readonly slots: Int32Array;
  /** The colour of every row when the file has no wine_type column. */
  readonly fileType: WineType | undefined;
  /** The output header without prediction columns (comma CSV). */
  readonly outputHeader: string;
}

export function stripBom(line: string): string {
  return line.startsWith(BOM_LATIN1) ? line.slice(BOM_LATIN1.length) : line;
}

export function layoutOf(headerLine: string, file: string): RowLayout {
  const line = stripBom(headerLine).replace(/\r$/, '');
  if (line.trim() === '') {
    throw new DataError(
      'DATA_MISSING_COLUMN',
      `${file}: the file is empty; expected a header line`,
    );
  }
  const delimiter = detectDelimiter(line);
  const cells = line.includes('"') ? quotedCells(line, delimiter) : line.split(delimiter);
  if (cells === undefined) {
    throw new DataError('DATA_MALFORMED_CSV', `${file}:1: malformed CSV — unterminated quote`);
  }
  const index = mapHeader(cells, file, FEATURE_NAMES);
  const typeIndex = index.get('wine_type');
  const fileType = typeIndex === undefined ? inferWineType(file) : undefined;
  if (typeIndex === undefined && fileType === undefined) {
    throw new DataError(
      'DATA_NO_WINE_TYPE',
      `${file}: no wine_type column and the file name names neither "red" nor "white"; add a wine_type column`,
    );
  }
  const slots = new Int32Array(cells.length).fill(NO_SLOT);
  FEATURE_NAMES.forEach((name, column) => {
    const i = index.get(name);
    if (i !== undefined) slots[i] = column;
  });
  if (typeIndex !== undefined) slots[typeIndex] = TYPE_SLOT;
  const names = cells.map((c) => csvCell(c));
  if (typeIndex === undefined) names.push('wine_type');
  return {
    file,
    delimiter,
    width: cells.length,
    slots,
    fileType,
    outputHeader: names.join(','),
  };
}

/** A comma header's columns as the contract names them, for comparing the files of one dataset. */
export function canonicalColumns(commaHeader: string): string {
  const cells = quotedCells(commaHeader, ',') ?? commaHeader.split(',');
  return cells.map(canonicalColumnName).join(',');
}
