/**
 * Worker thread of the learner, on presorted data in shared memory: in 'search' mode it
 * scores the search tasks it is sent; in 'forest' mode it fits the trees it is sent (returned
 * by transferring their buffers). The first setup arrives as workerData; a pooled worker
 * reused by a later run gets the next one as a `{ setup }` message (null: drop the data).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { evaluateTask } from '../core/search/evaluate';
import type { SearchTask } from '../core/search/evaluate';
import { fitForestTree } from '../core/tree/train';
import { isModelError } from '../errors';
import { READY } from './protocol';
import type {
  SearchReply,
  SetupMessage,
  TreeReply,
  TreeTask,
  WorkerFailure,
  WorkerSetup,
} from './protocol';

const now = (): number => performance.now() / 1000;

function failure(index: number, error: unknown): WorkerFailure {
  return {
    index,
    ok: false,
    code: isModelError(error) ? error.code : null,
    message: error instanceof Error ? error.message : String(error),
  };
}

/** The task handler of one setup. */
function handlerFor(setup: WorkerSetup): (task: SearchTask & TreeTask) => void {
  if (setup.mode === 'search') {
    const { folds } = setup;
    return (task) => {
      try {
        const results = evaluateTask(setup.kind, task, folds, now);
        const reply: SearchReply = { index: task.index, ok: true, results };
        parentPort?.postMessage(reply);
      } catch (error) {
        parentPort?.postMessage(failure(task.index, error));
      }
    };
  }
  const { data } = setup;
  return (task) => {
    try {
      const tree = fitForestTree(data, setup.params, task.seeds);
      const reply: TreeReply = { index: task.index, ok: true, tree };
      parentPort?.postMessage(
        reply,
        Object.values(tree).map((a: Int32Array | Float64Array) => a.buffer as ArrayBuffer),
      );
    } catch (error) {
      parentPort?.postMessage(failure(task.index, error));
    }
  };
}

let handle: ((task: SearchTask & TreeTask) => void) | undefined = handlerFor(
  workerData as WorkerSetup,
);
parentPort?.postMessage(READY);
parentPort?.on('message', (message: (SearchTask & TreeTask) | SetupMessage) => {
  if ('setup' in message) {
    handle = message.setup === null ? undefined : handlerFor(message.setup);
    if (message.setup !== null) parentPort?.postMessage(READY);
    return;
  }
  handle?.(message);
});
