/**
 * POST /invocations: the MLflow scoring protocol (mlflow/pyfunc/scoring_server), so clients
 * written for `mlflow models serve` work unchanged. Exactly one of the four input formats;
 * `params` is accepted only empty because this model takes no inference parameters.
 */
import type { WineRecord } from '@wine/model';
import { z } from 'zod';
import { ServiceError, clip, someNames } from '../errors';
import { MAX_OBJECT_FIELDS, tooManyFields } from './record.schema';
import { collectRecords } from './rows';

export const InvocationsResponseSchema = z
  .object({ predictions: z.array(z.number()) })
  .meta({ id: 'InvocationsResponse' });

const FORMATS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;

/** Interprets a parsed JSON body in any of the four formats. */
export function parseInvocationsBody(body: unknown, maxRows: number): WineRecord[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('The body must be a JSON object with one of: ' + FORMATS.join(', ') + '.');
  }
  const obj = body as Record<string, unknown>;
  const keys = Object.keys(obj);
  const present = FORMATS.filter((f) => f in obj);
  const unknown = keys.filter((k) => k !== 'params' && !(FORMATS as readonly string[]).includes(k));
  if (present.length !== 1 || unknown.length > 0) {
    throw invalid(
      `Expected exactly one of ${FORMATS.join(', ')}; received fields: ${someNames(keys) || 'none'}.`,
    );
  }
  const params = obj['params'];
  if (params !== undefined && !isEmptyObject(params)) {
    throw invalid('This model takes no inference params; send "params": {} or omit it.');
  }
  const format = present[0] as (typeof FORMATS)[number];
  const value = obj[format];
  switch (format) {
    case 'dataframe_split':
      return collectRecords(splitToRecords(value, maxRows), 'dataframe_split.data', maxRows);
    case 'inputs':
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        return collectRecords(columnsToRecords(value, maxRows), 'inputs', maxRows);
      }
      return collectRecords(value, 'inputs', maxRows);
    default:
      return collectRecords(value, format, maxRows);
  }
}

/** {columns, data, index?} → records; a row whose length differs from columns is an error. */
function splitToRecords(value: unknown, maxRows: number): unknown[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('dataframe_split must be an object {columns, data}.');
  }
  const { columns, data, index, ...rest } = value as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) {
    throw invalid(`dataframe_split has unknown fields: ${someNames(extra)}.`);
  }
  if (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string')) {
    throw invalid('dataframe_split.columns must be an array of column names.');
  }
  if (columns.length > MAX_OBJECT_FIELDS) throw tooManyFields('dataframe_split.columns');
  if (!Array.isArray(data)) throw invalid('dataframe_split.data must be an array of rows.');
  if (index !== undefined && (!Array.isArray(index) || index.length !== data.length)) {
    throw invalid('dataframe_split.index must be an array with one entry per row.');
  }
  if (data.length > maxRows) return data; // collectRecords reports BATCH_TOO_LARGE
  return data.map((row, i) => {
    if (!Array.isArray(row) || row.length !== columns.length) {
      throw new ServiceError(
        'INVALID_INPUT',
        `dataframe_split.data[${i}] must have ${columns.length} values.`,
        {
          details: [
            { path: `dataframe_split.data[${i}]`, message: `expected ${columns.length} values` },
          ],
        },
      );
    }
    return zip(columns, row);
  });
}

/** {col: [values...]} → records; columns must all have the same length. */
function columnsToRecords(value: object, maxRows: number): unknown[] {
  const entries = Object.entries(value as Record<string, unknown>);
  const first = entries[0]?.[1];
  if (!Array.isArray(first)) throw invalid('inputs as columns must map each column to an array.');
  const n = first.length;
  for (const [name, col] of entries) {
    if (!Array.isArray(col) || col.length !== n) {
      throw invalid(
        `inputs.${clip(name, 50)} must be an array of length ${n} like the other columns.`,
      );
    }
  }
  if (n > maxRows) return new Array<unknown>(n);
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const row: Record<string, unknown> = {};
    for (const [name, col] of entries) row[name] = (col as unknown[])[i];
    rows.push(row);
  }
  return rows;
}

function zip(columns: readonly string[], row: readonly unknown[]): Record<string, unknown> {
  // No prototype: a column named "__proto__" must stay an (unknown, rejected) field.
  const out = Object.create(null) as Record<string, unknown>;
  for (let j = 0; j < columns.length; j++) out[columns[j] as string] = row[j];
  return out;
}

function isEmptyObject(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 0
  );
}

function invalid(message: string): ServiceError {
  return new ServiceError('INVALID_REQUEST', message);
}
