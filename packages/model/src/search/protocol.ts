/** Messages between runSearch and its worker threads (structured-clone friendly). */
import type { RegressionMetrics } from '../core/metrics';
import type { SearchKind } from '../core/search/space';
import type { ForestParams, TreeParams } from '../core/tree/params';

/** A matrix whose cells live in a SharedArrayBuffer, so every worker reads the same memory. */
export interface SharedMatrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

export interface WorkerSetup {
  kind: SearchKind;
  seed: number;
  train: { x: SharedMatrix; y: Float64Array };
  validation: { x: SharedMatrix; y: Float64Array } | { kFold: number };
}

export interface CandidateTask {
  index: number;
  params: TreeParams | ForestParams;
}

export type WorkerReply =
  | { index: number; ok: true; metrics: RegressionMetrics; fitSeconds: number }
  | { index: number; ok: false; code: string | null; message: string };

/** Copies into shared memory once; workers receive a view, not a copy. */
export function toShared(values: Float64Array): Float64Array {
  const shared = new Float64Array(new SharedArrayBuffer(values.byteLength));
  shared.set(values);
  return shared;
}
