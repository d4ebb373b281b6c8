/**
 * What the prediction log stores: one entry per answered request (n records → n rows).
 * Structurally the prediction service's PredictionEvent, so the service hands its events
 * over without copying.
 */
import { FEATURE_NAMES } from '@wine/model';
import type { WineRecord } from '@wine/model';

export interface PredictionLogEntry {
  readonly requestId: string;
  readonly endpoint: string;
  readonly model: { readonly name: string; readonly version: string; readonly source: string };
  readonly records: readonly WineRecord[];
  readonly predictions: readonly number[];
  /** Unix ms when the request was scored. */
  readonly receivedAt: number;
}

/** A contiguous run of rows of one entry: rows [start, end). */
export interface EntrySlice {
  readonly entry: PredictionLogEntry;
  readonly start: number;
  readonly end: number;
}

/** prediction_log columns in write order (the identity `id` is left to PostgreSQL). */
export const LOG_COLUMNS = [
  'request_id',
  'row_index',
  'predicted_at',
  'endpoint',
  'model_name',
  'model_version',
  'model_source',
  ...FEATURE_NAMES,
  'wine_type',
  'prediction',
] as const;

export function sliceRows(slices: readonly EntrySlice[]): number {
  let n = 0;
  for (const s of slices) n += s.end - s.start;
  return n;
}
