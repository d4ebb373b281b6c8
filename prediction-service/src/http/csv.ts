/**
 * text/csv bodies for /invocations (as `mlflow models serve` accepts, pandas `to_csv()`
 * output): a header row of column names, then one row per wine. Numeric-looking cells
 * become numbers; everything else stays a string so validation can name the field.
 */
import { ServiceError } from '../errors';
import { MAX_OBJECT_FIELDS, tooManyFields } from './record.schema';

export function csvToRows(text: string): Array<Record<string, unknown>> {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = lines[0];
  if (header === undefined) throw new ServiceError('MALFORMED_JSON', 'The CSV body is empty.');
  const columns = splitLine(header);
  // pandas writes the index as a leading unnamed column.
  const skipFirst = columns[0] === '';
  const names = skipFirst ? columns.slice(1) : columns;
  if (names.length > MAX_OBJECT_FIELDS) throw tooManyFields('The CSV header');
  return lines.slice(1).map((line, i) => {
    const cells = splitLine(line);
    const values = skipFirst ? cells.slice(1) : cells;
    if (values.length !== names.length) {
      throw new ServiceError(
        'MALFORMED_JSON',
        `CSV row ${i + 1} has ${values.length} cells, the header ${names.length}.`,
        {
          details: [{ path: `csv[${i}]`, message: `expected ${names.length} cells` }],
        },
      );
    }
    const row: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    names.forEach((name, j) => {
      const cell = values[j] ?? '';
      const n = Number(cell);
      row[name] = cell.trim() === '' ? undefined : Number.isNaN(n) ? cell : n;
    });
    return row;
  });
}

/** Splits one CSV line; double-quoted cells may contain commas and "" escapes. */
function splitLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line.charAt(i);
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells.map((c) => c.trim());
}
