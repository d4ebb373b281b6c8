/** Input examples in MLflow's pandas "split" orientation: `{columns, data}`. */
import { FEATURE_NAMES, WINE_TYPES, type WineRecord, type WineType } from '../core/features';
import { ModelError } from '../errors';

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
