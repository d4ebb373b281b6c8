/** Input examples in MLflow's pandas "split" orientation: `{columns, data}`. */
import { FEATURE_NAMES, WINE_TYPES, type WineRecord, type WineType } from '../core/features';
import { ModelError } from '../errors';
import { INPUT_EXAMPLE_FILE, SERVING_INPUT_FILE } from './mlmodel';

export const EXAMPLE_COLUMNS = [...FEATURE_NAMES, 'wine_type'] as const;

export interface SplitFrame {
  readonly columns: readonly string[];
  readonly data: ReadonlyArray<ReadonlyArray<number | string>>;
}

export function recordsToSplitFrame(records: readonly WineRecord[]): SplitFrame {
  return {
    columns: EXAMPLE_COLUMNS,
    data: records.map((r) => EXAMPLE_COLUMNS.map((c) => r[c])),
  };
}

function isWineType(value: unknown): value is WineType {
  return typeof value === 'string' && (WINE_TYPES as readonly string[]).includes(value);
}

/** Inverse of recordsToSplitFrame; rejects frames that do not carry the contract's columns. */
export function splitFrameToRecords(frame: SplitFrame, source: string): WineRecord[] {
  const missing = EXAMPLE_COLUMNS.filter((c) => !frame.columns.includes(c));
  if (missing.length > 0) {
    throw new ModelError(
      'MODEL_INVALID',
      `${source}: input example lacks column(s) ${missing.join(', ')}`,
    );
  }
  const position = new Map(frame.columns.map((c, i) => [c, i]));
  return frame.data.map((row, r) => {
    const record: Partial<Record<string, number | string>> = {};
    for (const column of EXAMPLE_COLUMNS) {
      const value = row[position.get(column) ?? -1];
      const ok =
        column === 'wine_type'
          ? isWineType(value)
          : typeof value === 'number' && Number.isFinite(value);
      if (!ok) {
        throw new ModelError(
          'MODEL_INVALID',
          `${source}: input example row ${r}, column ${column} has invalid value ${JSON.stringify(value)}`,
        );
      }
      record[column] = value;
    }
    return record as WineRecord;
  });
}

/**
 * JSON of a frame with whole numbers in float form (11 → 11.0), as MLflow writes a float64
 * DataFrame: pandas reads `11` as int64, and MLflow's schema enforcement refuses int64 for a
 * `double` column, so an example written with `11` would fail its own signature in Python.
 */
export function splitFrameJson(frame: SplitFrame): string {
  const cell = (v: number | string): string =>
    typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 1e21
      ? `${v}.0`
      : JSON.stringify(v);
  const rows = frame.data.map((row) => `[${row.map(cell).join(',')}]`);
  return `{"columns":${JSON.stringify(frame.columns)},"data":[${rows.join(',')}]}`;
}

/** input_example.json and serving_input_example.json (the body `mlflow models serve` accepts). */
export function inputExampleFiles(
  records: readonly WineRecord[],
): ReadonlyArray<readonly [string, string]> {
  const json = splitFrameJson(recordsToSplitFrame(records));
  return [
    [INPUT_EXAMPLE_FILE, `${json}\n`],
    [SERVING_INPUT_FILE, `{\n  "dataframe_split": ${json}\n}\n`],
  ];
}
