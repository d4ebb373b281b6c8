import { FEATURE_NAMES } from './features';
import type { LabeledWineRecord, WineRecord, WineType } from './features';

/** Dense row-major matrix of float64: cell (r, c) is `data[r * cols + c]`. */
export interface Matrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** Model input columns: the 11 FEATURE_NAMES in contract order, then wine_type encoded red=0, white=1. */
export const MODEL_COLUMNS: readonly string[] = Object.freeze([...FEATURE_NAMES, 'wine_type']);

/** Numeric code of each colour in the `wine_type` model column. */
export const WINE_TYPE_CODE: Readonly<Record<WineType, number>> = Object.freeze({
  red: 0,
  white: 1,
});

/** Index of the wine_type column in a model matrix. */
export const WINE_TYPE_COLUMN = FEATURE_NAMES.length;

/** Encodes records into a MODEL_COLUMNS matrix (one row per record, same order). */
export function encodeRecords(records: readonly WineRecord[]): Matrix {
  const cols = MODEL_COLUMNS.length;
  const data = new Float64Array(records.length * cols);
  let offset = 0;
  for (const record of records) {
    for (const name of FEATURE_NAMES) {
      data[offset++] = record[name];
    }
    data[offset++] = WINE_TYPE_CODE[record.wine_type];
  }
  return { data, rows: records.length, cols };
}

/** The quality column of labelled records, in record order. */
export function targetsOf(records: readonly LabeledWineRecord[]): Float64Array {
  const y = new Float64Array(records.length);
  records.forEach((record, i) => {
    y[i] = record.quality;
  });
  return y;
}
