/**
 * text/csv bodies for /invocations (what `mlflow models serve` accepts, pandas `to_csv()`
 * output): a header row of column names, then one row per wine, parsed as RFC 4180 (csv-parse,
 * through @wine/model's reader) — a quoted cell may hold commas, "" escapes and line breaks. Decimal-looking cells
 * become numbers; anything else stays a string so validation can name the field; an empty
 * cell is a missing value.
 */
import { readCsvRows } from '@wine/model';
import type { CsvRow } from '@wine/model';
import { ServiceError, clip } from '../errors';
import { MAX_OBJECT_FIELDS, tooManyFields } from './record.schema';

/** Plain decimals and exponents only: Number() alone would also take '0x1F' and 'Infinity'. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function malformed(message: string, line?: number): ServiceError {
  return new ServiceError('MALFORMED_CSV', message, {
    details: line === undefined ? [] : [{ path: `line ${line}`, message: clip(message) }],
  });
}

function readRows(text: string): CsvRow[] {
  try {
    return readCsvRows(text);
  } catch (error) {
    const line = (error as { lines?: unknown }).lines;
    const why = error instanceof Error ? error.message : String(error);
    throw malformed(
      `The body is not valid CSV: ${why}.`,
      typeof line === 'number' ? line : undefined,
    );
  }
}

export function csvToRows(text: string): Array<Record<string, unknown>> {
  const [header, ...rows] = readRows(text);
  if (header === undefined) {
    throw malformed(
      'The CSV body is empty: send a header row of column names, then one row per wine.',
    );
  }
  // pandas writes the index as a leading unnamed column.
  const skipFirst = header.record[0] === '';
  const names = skipFirst ? header.record.slice(1) : header.record;
  if (names.length > MAX_OBJECT_FIELDS) throw tooManyFields('The CSV header');
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) {
      throw malformed(
        `The CSV header names the column "${clip(name, 50)}" twice.`,
        header.info.lines,
      );
    }
    seen.add(name);
  }
  return rows.map(({ record, info }, i) => {
    const values = skipFirst ? record.slice(1) : record;
    if (values.length !== names.length) {
      throw malformed(
        `CSV row ${i + 1} (line ${info.lines}) has ${values.length} cells, the header ${names.length}.`,
        info.lines,
      );
    }
    // No prototype: a column named "__proto__" must stay an (unknown, rejected) field.
    const row = Object.create(null) as Record<string, unknown>;
    names.forEach((name, j) => {
      const cell = values[j] ?? '';
      row[name] = cell === '' ? undefined : DECIMAL.test(cell) ? Number(cell) : cell;
    });
    return row;
  });
}
