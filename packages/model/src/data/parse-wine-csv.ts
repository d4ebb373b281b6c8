import { parse } from 'csv-parse/sync';
import { FEATURE_NAMES, WINE_TYPES } from '../core/features';
import type { LabeledWineRecord, WineType } from '../core/features';
import { FEATURE_RULES, QUALITY_RULE } from '../core/value-rules';
import type { ValueRule } from '../core/value-rules';
import {
  REQUIRED_COLUMNS,
  WINE_TYPE_COLUMN_NAME,
  canonicalColumnName,
  detectDelimiter,
} from './columns';
import { DataError, describeRowError } from './data-error';
import type { DataErrorCode, RowError } from './data-error';
import { formatRejections } from './format-rejections';

export interface ParseWineCsvOptions {
  /** Name used in every message (a path or a label). */
  file: string;
  /** Colour of every row when the file has no wine_type column; else inferred from `file`. */
  wineType?: WineType;
  /** 'reject' (default): bad rows go to `rejected`; 'fail': throw on the first bad row. */
  onInvalidRow?: 'reject' | 'fail';
}

export interface LoadResult {
  records: LabeledWineRecord[];
  /** Every problem found, possibly several per line; `rowsRead - records.length` lines were rejected. */
  rejected: RowError[];
  /** Data rows read (header and blank lines excluded). */
  rowsRead: number;
  file: string;
}

/** One row as csv-parse reads it, with the (1-based) line it ends on. */
export interface CsvRow {
  record: string[];
  info: { lines: number };
}

/**
 * The rows of an RFC 4180 text: cells trimmed, BOM and blank lines dropped, rows of any length
 * (callers check them against the header). Throws csv-parse's error, whose `lines` says where.
 */
export function readCsvRows(text: string, delimiter = ','): CsvRow[] {
  // With `info: true` csv-parse yields { record, info } per row; its typings model only plain records.
  return parse(text, {
    delimiter,
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
  }) as unknown as CsvRow[];
}

// Accepts plain decimals and exponents only: Number() alone would also take '', '0x1F' and 'Infinity'.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Colour named by a file name ("winequality-red.csv" → red), or undefined when unclear. */
export function inferWineType(file: string): WineType | undefined {
  const base = (file.split(/[\\/]/).pop() ?? file).toLowerCase();
  const found = WINE_TYPES.filter((t) => base.includes(t));
  return found.length === 1 ? found[0] : undefined;
}

function readCsv(text: string, file: string): CsvRow[] {
  try {
    return readCsvRows(text, detectDelimiter(text));
  } catch (err) {
    const line = (err as { lines?: unknown }).lines;
    const where = typeof line === 'number' ? `${file}:${line}` : file;
    const why = err instanceof Error ? err.message : String(err);
    throw new DataError('DATA_MALFORMED_CSV', `${where}: malformed CSV — ${why}`, { cause: err });
  }
}

/** Column name → position, refusing duplicate and missing `required` columns (file:1 errors). */
export function mapHeader(
  header: readonly string[],
  file: string,
  required: readonly string[] = REQUIRED_COLUMNS,
): Map<string, number> {
  const index = new Map<string, number>();
  header.forEach((cell, i) => {
    const name = canonicalColumnName(cell);
    if (index.has(name)) {
      throw new DataError(
        'DATA_DUPLICATE_COLUMN',
        `${file}:1: column "${name}" appears twice in the header`,
      );
    }
    index.set(name, i);
  });
  const missing = required.filter((c) => !index.has(c));
  if (missing.length > 0) {
    throw new DataError(
      'DATA_MISSING_COLUMN',
      `${file}:1: missing column(s) ${missing.join(', ')}; found ${header.join(', ')}`,
      { details: missing },
    );
  }
  return index;
}

function checkNumber(
  raw: string,
  rule: ValueRule,
  integer: boolean,
): [DataErrorCode, string] | number {
  if (raw === '') return ['DATA_MISSING_VALUE', 'value is missing'];
  if (!DECIMAL.test(raw)) return ['DATA_NOT_A_NUMBER', 'not a finite decimal number'];
  const value = Number(raw);
  if (integer && !Number.isInteger(value)) return ['DATA_NOT_INTEGER', rule.description];
  if (value < rule.min || value > rule.max) return ['DATA_OUT_OF_RANGE', rule.description];
  return value;
}

/**
 * Parses and validates wine CSV text (pure: the caller reads the file). Accepts the UCI
 * layout (";" or "," separated, spaced headers, no colour column) and snake_case files with
 * a wine_type column, in any column order; extra columns are ignored.
 */
export function parseWineCsv(text: string, opts: ParseWineCsvOptions): LoadResult {
  const { file } = opts;
  const rows = readCsv(text, file);
  const headerRow = rows[0];
  if (headerRow === undefined) {
    throw new DataError(
      'DATA_MISSING_COLUMN',
      `${file}: the file is empty; expected a header line`,
    );
  }
  const index = mapHeader(headerRow.record, file);
  const typeColumn = index.get(WINE_TYPE_COLUMN_NAME);
  const fileType = opts.wineType ?? inferWineType(file);
  if (typeColumn === undefined && fileType === undefined) {
    throw new DataError(
      'DATA_NO_WINE_TYPE',
      `${file}: no wine_type column and the file name names neither "red" nor "white"; ` +
        'add a wine_type column or pass the colour explicitly',
    );
  }
  const width = headerRow.record.length;
  const records: LabeledWineRecord[] = [];
  const rejected: RowError[] = [];
  for (const { record: cells, info } of rows.slice(1)) {
    const line = info.lines;
    const errors: RowError[] = [];
    const fail = (column: string, value: string, code: DataErrorCode, reason: string): void => {
      errors.push({ file, line, column, value, reason, code });
    };
    if (cells.length !== width) {
      fail(
        '',
        cells.join(','),
        'DATA_FIELD_COUNT',
        `row has ${cells.length} fields, header has ${width}`,
      );
    } else {
      const out: Record<string, number | string> = {};
      for (const name of FEATURE_NAMES) {
        const raw = cells[index.get(name) as number] ?? '';
        const checked = checkNumber(raw, FEATURE_RULES[name], false);
        if (typeof checked === 'number') out[name] = checked;
        else fail(name, raw, checked[0], checked[1]);
      }
      const rawQuality = cells[index.get('quality') as number] ?? '';
      const quality = checkNumber(rawQuality, QUALITY_RULE, true);
      if (typeof quality === 'number') out.quality = quality;
      else fail('quality', rawQuality, quality[0], quality[1]);
      const rawType = typeColumn === undefined ? undefined : (cells[typeColumn] ?? '');
      const wineType = rawType === undefined ? fileType : parseWineType(rawType);
      if (wineType === undefined) {
        fail(
          WINE_TYPE_COLUMN_NAME,
          rawType ?? '',
          'DATA_UNKNOWN_WINE_TYPE',
          'wine_type must be "red" or "white"',
        );
      } else out.wine_type = wineType;
      if (errors.length === 0) records.push(out as unknown as LabeledWineRecord);
    }
    if (errors.length > 0) {
      const first = errors[0] as RowError;
      if (opts.onInvalidRow === 'fail') {
        throw new DataError(first.code, `invalid row at ${describeRowError(first)}`, {
          rowErrors: errors,
        });
      }
      rejected.push(...errors);
    }
  }
  const result = { records, rejected, rowsRead: rows.length - 1, file };
  if (records.length === 0) {
    throw new DataError(
      'DATA_NO_VALID_ROWS',
      result.rowsRead === 0
        ? `${file}: the file has a header but no data rows`
        : `${file}: none of the ${result.rowsRead} rows is valid\n${formatRejections(result)}`,
      { rowErrors: rejected },
    );
  }
  return result;
}

function parseWineType(raw: string): WineType | undefined {
  const lower = raw.toLowerCase();
  return WINE_TYPES.find((t) => t === lower);
}
