/** Messages between the main thread and the learner's worker threads (structured clone). */
import type { RegressionMetrics } from '../core/metrics';
import type { SearchKind } from '../core/search/space';
import type { ForestParams, TreeParams } from '../core/tree/params';
import type { TreeNodes } from '../core/tree/tree-nodes';

/** A matrix whose cells live in a SharedArrayBuffer, so every worker reads the same memory. */
export interface SharedMatrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

export interface SharedLabeled {
  x: SharedMatrix;
  y: Float64Array;
}

/** Scoring search candidates (one task = one candidate). */
export interface SearchSetup {
  mode: 'search';
  kind: SearchKind;
  seed: number;
  train: SharedLabeled;
  validation: SharedLabeled | { kFold: number };
}

/** Fitting the trees of one forest (one task = one tree). */
export interface ForestSetup {
  mode: 'forest';
  train: SharedLabeled;
  params: ForestParams;
}

export type WorkerSetup = SearchSetup | ForestSetup;

export interface CandidateTask {
  index: number;
  params: TreeParams | ForestParams;
}

export interface TreeTask {
  index: number;
  seeds: [number, number];
}

export interface CandidateReply {
  index: number;
  ok: true;
  metrics: RegressionMetrics;
  fitSeconds: number;
}

export interface TreeReply {
  index: number;
  ok: true;
  tree: TreeNodes;
}

export interface WorkerFailure {
  index: number;
  ok: false;
  code: string | null;
  message: string;
}

/** Copies into shared memory once; workers receive a view, not a copy. */
export function toShared(values: Float64Array): Float64Array {
  const shared = new Float64Array(new SharedArrayBuffer(values.byteLength));
  shared.set(values);
  return shared;
}

export function shareLabeled(m: { x: SharedMatrix; y: Float64Array }): SharedLabeled {
  return { x: { data: toShared(m.x.data), rows: m.x.rows, cols: m.x.cols }, y: toShared(m.y) };
}
