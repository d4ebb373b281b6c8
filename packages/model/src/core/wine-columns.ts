/**
 * Wines column by column (typed arrays): the shape of large data sets — a drift window, a
 * reference sample, a million-row CSV — where one object per row would cost memory and time.
 */
import { ModelError } from '../errors';
import { FEATURE_NAMES } from './features';
import type { FeatureName, LabeledWineRecord, WineRecord, WineType } from './features';
import { MODEL_COLUMNS, WINE_TYPE_CODE } from './matrix';
import type { Matrix } from './matrix';

export interface WineColumns {
  readonly rows: number;
  readonly features: Readonly<Record<FeatureName, Float64Array>>;
  readonly wineType: readonly WineType[];
  /** True quality, when known. */
  readonly quality?: Float64Array;
  /** The model's prediction per row, when known. */
  readonly prediction?: Float64Array;
}

/** Columns of records (quality taken when every record has one). */
export function wineColumnsFromRecords(
  records: readonly (WineRecord | LabeledWineRecord)[],
  prediction?: ArrayLike<number>,
): WineColumns {
  const rows = records.length;
  if (prediction !== undefined && prediction.length !== rows) {
    throw new ModelError('PARAMS_INVALID', `${prediction.length} predictions for ${rows} rows`);
  }
  const features = {} as Record<FeatureName, Float64Array>;
  for (const name of FEATURE_NAMES) {
    features[name] = Float64Array.from(records, (r) => r[name]);
  }
  const labeled = rows > 0 && records.every((r): r is LabeledWineRecord => 'quality' in r);
  return {
    rows,
    features,
    wineType: records.map((r) => r.wine_type),
    ...(labeled
      ? { quality: Float64Array.from(records, (r) => ('quality' in r ? r.quality : Number.NaN)) }
      : {}),
    ...(prediction === undefined ? {} : { prediction: Float64Array.from(prediction) }),
  };
}

/** The MODEL_COLUMNS matrix of some columns, for scoring them. */
export function encodeColumns(columns: WineColumns): Matrix {
  const cols = MODEL_COLUMNS.length;
  const data = new Float64Array(columns.rows * cols);
  FEATURE_NAMES.forEach((name, c) => {
    const values = columns.features[name];
    for (let r = 0; r < columns.rows; r++) data[r * cols + c] = values[r] as number;
  });
  const typeColumn = FEATURE_NAMES.length;
  for (let r = 0; r < columns.rows; r++) {
    data[r * cols + typeColumn] = WINE_TYPE_CODE[columns.wineType[r] as WineType];
  }
  return { data, rows: columns.rows, cols };
}

/** Rows `indices` of some columns, in that order. */
export function takeColumnRows(columns: WineColumns, indices: ArrayLike<number>): WineColumns {
  const pick = (a: Float64Array): Float64Array => Float64Array.from(indices, (i) => a[i] as number);
  const features = {} as Record<FeatureName, Float64Array>;
  for (const name of FEATURE_NAMES) features[name] = pick(columns.features[name]);
  return {
    rows: indices.length,
    features,
    wineType: Array.from(indices, (i) => columns.wineType[i] as WineType),
    ...(columns.quality === undefined ? {} : { quality: pick(columns.quality) }),
    ...(columns.prediction === undefined ? {} : { prediction: pick(columns.prediction) }),
  };
}
