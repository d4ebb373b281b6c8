/**
 * Worker thread of the learner, on presorted data in shared memory: in 'search' mode it
 * scores search tasks; in 'forest' mode it fits trees (returned by transferring their
 * buffers). Each run brings all its tasks and a shared counter the worker claims them from
 * (see WorkerRun). The first run arrives as workerData; a pooled worker reused by a later run
 * gets the next one as a `{ run }` message. Nothing of a run is kept once its tasks are
 * claimed, so an idle worker holds no data.
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
  WorkerRun,
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

/** The task handler of one setup: true when the task's reply was posted, false on failure. */
function handlerFor(setup: WorkerSetup): (task: SearchTask & TreeTask) => boolean {
  if (setup.mode === 'search') {
    const { folds } = setup;
    return (task) => {
      try {
        const results = evaluateTask(setup.kind, task, folds, now);
        const reply: SearchReply = { index: task.index, ok: true, results };
        parentPort?.postMessage(reply);
        return true;
      } catch (error) {
        parentPort?.postMessage(failure(task.index, error));
        return false;
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
      return true;
    } catch (error) {
      parentPort?.postMessage(failure(task.index, error));
      return false;
    }
  };
}

/**
 * Runs the tasks this worker claims until none are left (or one fails: the main thread ends
 * the run). Replies are posted as each task finishes; the main thread needs no round trip to
 * hand out the next task, so this worker never idles while tasks remain.
 */
function work(run: WorkerRun): void {
  const handle = handlerFor(run.setup);
  parentPort?.postMessage(READY);
  const { tasks, claim } = run;
  for (let i = Atomics.add(claim, 0, 1); i < tasks.length; i = Atomics.add(claim, 0, 1)) {
    if (!handle(tasks[i] as SearchTask & TreeTask)) return;
  }
}

work(workerData as WorkerRun);
parentPort?.on('message', (message: SetupMessage) => {
  work(message.run);
});
