/**
 * Hyperparameter search: expands the space (grid or seeded random), scores every candidate on
 * the validation rows or k folds, and returns all of them plus the best (lowest RMSE, ties to
 * the earlier candidate). Candidates run in parallel on worker threads sharing the data.
 */
import os from 'node:os';
import type { RegressionMetrics } from '../core/metrics';
import { candidateParams, evaluateCandidate, makeFolds } from '../core/search/evaluate';
import type { LabeledMatrix, Validation } from '../core/search/evaluate';
import {
  checkSpace,
  DEFAULT_FOREST_SPACE,
  DEFAULT_TREE_SPACE,
  gridCandidates,
  randomCandidates,
} from '../core/search/space';
import type { ParamSpace, SearchKind } from '../core/search/space';
import type { ForestParams, TreeParams } from '../core/tree/params';
import { resolveTreeParams, validateForestParams } from '../core/tree/params';
import { ModelError } from '../errors';
import type { CandidateReply, CandidateTask, SearchSetup } from './protocol';
import { shareFold } from './protocol';
import { runInPool } from './worker-pool';

export interface Candidate {
  index: number;
  params: TreeParams | ForestParams;
  metrics: RegressionMetrics;
  fitSeconds: number;
}

export interface SearchResult {
  candidates: Candidate[];
  best: Candidate;
  seconds: number;
}

export interface SearchOptions {
  kind: SearchKind;
  train: LabeledMatrix;
  validation: Validation;
  space?: ParamSpace;
  strategy?: 'grid' | { random: number };
  seed: number;
  /** Worker threads; default os.availableParallelism(); 1 runs in this thread. */
  workers?: number;
  /** Worker script override (tests); default: the compiled search-worker.js. */
  workerScript?: string;
  onProgress?: (done: number, total: number, last: Candidate) => void;
}

const nowSeconds = (): number => performance.now() / 1000;

export function searchTasks(opts: SearchOptions): CandidateTask[] {
  const space = opts.space ?? (opts.kind === 'tree' ? DEFAULT_TREE_SPACE : DEFAULT_FOREST_SPACE);
  checkSpace(space, opts.kind);
  const strategy = opts.strategy ?? 'grid';
  const assignments =
    strategy === 'grid'
      ? gridCandidates(space)
      : randomCandidates(space, strategy.random, opts.seed);
  return assignments.map((assignment, index) => {
    const params = candidateParams(opts.kind, opts.seed, assignment);
    // Fail before spawning anything when a candidate's parameters are invalid.
    resolveTreeParams(params, opts.train.x.rows, opts.train.x.cols);
    if (opts.kind === 'forest') validateForestParams(params as ForestParams);
    return { index, params };
  });
}

export async function runSearch(opts: SearchOptions): Promise<SearchResult> {
  const started = nowSeconds();
  const tasks = searchTasks(opts);
  const total = tasks.length;
  const results: Candidate[] = [];
  const record = (c: Candidate): void => {
    results.push(c);
    opts.onProgress?.(results.length, total, c);
  };
  const workers = opts.workers ?? os.availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) {
    throw new ModelError('PARAMS_INVALID', `workers must be an integer ≥ 1, got ${workers}`);
  }
  const folds = makeFolds(opts.train, opts.validation, opts.seed);
  const evaluate = (task: CandidateTask): CandidateReply => ({
    index: task.index,
    ok: true,
    ...evaluateCandidate(opts.kind, task.params, folds, nowSeconds),
  });
  const onReply = (reply: CandidateReply): void => {
    const task = tasks[reply.index];
    if (task !== undefined) {
      record({ ...task, metrics: reply.metrics, fitSeconds: reply.fitSeconds });
    }
  };
  if (workers === 1 || total === 1) {
    for (const task of tasks) onReply(evaluate(task));
  } else {
    const setup: SearchSetup = { mode: 'search', kind: opts.kind, folds: folds.map(shareFold) };
    await runInPool(setup, tasks, workers, onReply, () => evaluate, opts.workerScript);
  }
  const candidates = results.sort((a, b) => a.index - b.index);
  const best = candidates.reduce((a, b) => (b.metrics.rmse < a.metrics.rmse ? b : a));
  return { candidates, best, seconds: nowSeconds() - started };
}
