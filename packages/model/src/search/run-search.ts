/**
 * Hyperparameter search: expands the space (grid or seeded random), scores every candidate on
 * the validation rows or k folds, and returns all of them plus the best (lowest RMSE, ties to
 * the earlier candidate). Candidates that differ only in max_depth are answered by one grow
 * per fold (a depth family); tasks run in parallel on worker threads sharing the data.
 */
import os from 'node:os';
import type { RegressionMetrics } from '../core/metrics';
import { candidateParams, evaluateTask, groupCandidates, makeFolds } from '../core/search/evaluate';
import type { LabeledMatrix, SearchTask, Validation } from '../core/search/evaluate';
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
import type { SearchReply, SearchSetup } from './protocol';
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
  /**
   * Candidates differing only in max_depth share one grow per fold (default true; see
   * groupCandidates). false fits every candidate on its own: same results, slower — for
   * checking that claim.
   */
  depthSharing?: boolean;
  /** Worker script override (tests); default: the compiled search-worker.js. */
  workerScript?: string;
  onProgress?: (done: number, total: number, last: Candidate) => void;
}

const nowSeconds = (): number => performance.now() / 1000;

/** The candidates, validated, grouped into tasks (see groupCandidates). */
export function searchTasks(opts: SearchOptions): SearchTask[] {
  const space = opts.space ?? (opts.kind === 'tree' ? DEFAULT_TREE_SPACE : DEFAULT_FOREST_SPACE);
  checkSpace(space, opts.kind);
  const strategy = opts.strategy ?? 'grid';
  const assignments =
    strategy === 'grid'
      ? gridCandidates(space)
      : randomCandidates(space, strategy.random, opts.seed);
  const candidates = assignments.map((assignment, index) => {
    const params = candidateParams(opts.kind, opts.seed, assignment);
    // Fail before spawning anything when a candidate's parameters are invalid.
    resolveTreeParams(params, opts.train.x.rows, opts.train.x.cols);
    if (opts.kind === 'forest') validateForestParams(params as ForestParams);
    return { index, params };
  });
  return groupCandidates(candidates, opts.train.x.cols, opts.depthSharing ?? true);
}

export async function runSearch(opts: SearchOptions): Promise<SearchResult> {
  const started = nowSeconds();
  const tasks = searchTasks(opts);
  const params = new Map(tasks.flatMap((t) => t.candidates).map((c) => [c.index, c.params]));
  const total = params.size;
  const results: Candidate[] = [];
  const workers = opts.workers ?? os.availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) {
    throw new ModelError('PARAMS_INVALID', `workers must be an integer ≥ 1, got ${workers}`);
  }
  const folds = makeFolds(opts.train, opts.validation, opts.seed);
  const evaluate = (task: SearchTask): SearchReply => ({
    index: task.index,
    ok: true,
    results: evaluateTask(opts.kind, task, folds, nowSeconds),
  });
  const onReply = (reply: SearchReply): void => {
    for (const { index, metrics, fitSeconds } of reply.results) {
      const candidateParams = params.get(index);
      if (candidateParams === undefined) continue;
      const candidate: Candidate = { index, params: candidateParams, metrics, fitSeconds };
      results.push(candidate);
      opts.onProgress?.(results.length, total, candidate);
    }
  };
  if (workers === 1 || tasks.length === 1) {
    for (const task of tasks) onReply(evaluate(task));
  } else {
    const setup: SearchSetup = { mode: 'search', kind: opts.kind, folds: folds.map(shareFold) };
    await runInPool(setup, tasks, workers, onReply, () => evaluate, opts.workerScript);
  }
  const candidates = results.sort((a, b) => a.index - b.index);
  const best = candidates.reduce((a, b) => (b.metrics.rmse < a.metrics.rmse ? b : a));
  return { candidates, best, seconds: nowSeconds() - started };
}
