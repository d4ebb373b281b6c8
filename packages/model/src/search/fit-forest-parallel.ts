/**
 * A random forest fitted on worker threads: the same per-tree seeds as fitForest, so the
 * result is identical to the sequential fit whatever the pool size; only faster.
 */
import os from 'node:os';
import { TreeEnsemble } from '../core/ensemble';
import { columnsFor } from '../core/fit';
import type { Matrix } from '../core/matrix';
import { resolveTreeParams, validateForestParams } from '../core/tree/params';
import type { ForestParams } from '../core/tree/params';
import {
  fitForestPrepared,
  fitForestTree,
  forestParamsOf,
  forestTreeSeeds,
} from '../core/tree/train';
import { prepareData } from '../core/tree/prepared';
import type { TreeNodes } from '../core/tree/tree-nodes';
import { ModelError } from '../errors';
import type { ForestSetup, TreeReply, TreeTask } from './protocol';
import { sharePrepared } from './protocol';
import { runInPool } from './worker-pool';

export interface ParallelOptions {
  /** Worker threads; default os.availableParallelism(); 1 fits in this thread. */
  workers?: number;
  workerScript?: string;
}

export async function fitForestParallel(
  x: Matrix,
  y: Float64Array,
  given?: Partial<ForestParams>,
  opts: ParallelOptions = {},
): Promise<TreeEnsemble> {
  const params = forestParamsOf(given);
  validateForestParams(params);
  resolveTreeParams(params, x.rows, x.cols);
  const workers = opts.workers ?? os.availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) {
    throw new ModelError('PARAMS_INVALID', `workers must be an integer ≥ 1, got ${workers}`);
  }
  const data = prepareData(x, y);
  if (workers === 1 || params.nEstimators === 1) {
    return new TreeEnsemble('forest', columnsFor(x.cols), fitForestPrepared(data, params));
  }
  const tasks: TreeTask[] = forestTreeSeeds(params.seed, params.nEstimators).map(
    (seeds, index) => ({ index, seeds }),
  );
  const trees: TreeNodes[] = new Array<TreeNodes>(tasks.length);
  const setup: ForestSetup = { mode: 'forest', data: sharePrepared(data), params };
  await runInPool<TreeTask, TreeReply>(
    setup,
    tasks,
    workers,
    (reply) => {
      trees[reply.index] = reply.tree;
    },
    () => (task) => ({
      index: task.index,
      ok: true,
      tree: fitForestTree(data, params, task.seeds),
    }),
    opts.workerScript,
  );
  return new TreeEnsemble('forest', columnsFor(x.cols), trees);
}
