/** Messages between the main thread and the learner's worker threads (structured clone). */
import type { CandidateResult, Fold } from '../core/search/evaluate';
import type { SearchKind } from '../core/search/space';
import type { ForestParams } from '../core/tree/params';
import type { PreparedData } from '../core/tree/prepared';
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

/**
 * Scoring search candidates (one task = one candidate, or a group answered by one grow per
 * fold). The folds arrive presorted, in shared memory: the main thread sorts once and no
 * worker repeats it.
 */
export interface SearchSetup {
  mode: 'search';
  kind: SearchKind;
  folds: Fold[];
}

/** Fitting the trees of one forest (one task = one tree), on shared presorted data. */
export interface ForestSetup {
  mode: 'forest';
  data: PreparedData;
  params: ForestParams;
}

export type WorkerSetup = SearchSetup | ForestSetup;

/**
 * One run as a worker sees it: the setup, every task of the run, and the run's shared claim
 * counter. The worker (and the main thread, from its side) takes the next task index with
 * Atomics.add on `claim[0]` and runs tasks[index] until the index passes the end, so no
 * thread waits for another to hand it work.
 */
export interface WorkerRun {
  setup: WorkerSetup;
  tasks: readonly unknown[];
  claim: Int32Array;
}

/** Gives a pooled worker a new run (it answers READY, then claims tasks). */
export interface SetupMessage {
  run: WorkerRun;
}

export interface TreeTask {
  index: number;
  seeds: [number, number];
}

export interface SearchReply {
  index: number;
  ok: true;
  results: CandidateResult[];
}

export interface TreeReply {
  index: number;
  ok: true;
  tree: TreeNodes;
}

/** Sent once per run by a worker when its data is prepared, before it claims its first task. */
export const READY = { ready: true } as const;
export type WorkerReady = typeof READY;

export interface WorkerFailure {
  index: number;
  ok: false;
  code: string | null;
  message: string;
}

/** Copies into shared memory once; workers receive a view, not a copy. */
function shared<A extends Float64Array | Int32Array>(values: A): A {
  const buffer = new SharedArrayBuffer(values.byteLength);
  const out = (
    values instanceof Float64Array ? new Float64Array(buffer) : new Int32Array(buffer)
  ) as A;
  out.set(values);
  return out;
}

export function shareLabeled(m: SharedLabeled): SharedLabeled {
  return { x: { data: shared(m.x.data), rows: m.x.rows, cols: m.x.cols }, y: shared(m.y) };
}

export function sharePrepared(p: PreparedData): PreparedData {
  return {
    rows: p.rows,
    cols: p.cols,
    columns: p.columns.map(shared),
    y: shared(p.y),
    order: p.order.map(shared),
  };
}

export function shareFold(fold: Fold): Fold {
  return { train: sharePrepared(fold.train), test: shareLabeled(fold.test) };
}
