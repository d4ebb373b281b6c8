/**
 * Worker thread of runSearch: prepares (presorts) the folds once from shared memory, then
 * scores the candidates it is sent, one message each.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { evaluateCandidate, makeFolds } from '../core/search/evaluate';
import { isModelError } from '../errors';
import type { CandidateTask, WorkerReply, WorkerSetup } from './protocol';

const setup = workerData as WorkerSetup;
const folds = makeFolds(setup.train, setup.validation, setup.seed);
const now = (): number => performance.now() / 1000;

parentPort?.on('message', (task: CandidateTask) => {
  let reply: WorkerReply;
  try {
    const result = evaluateCandidate(setup.kind, task.params, folds, now);
    reply = { index: task.index, ok: true, ...result };
  } catch (error) {
    reply = {
      index: task.index,
      ok: false,
      code: isModelError(error) ? error.code : null,
      message: error instanceof Error ? error.message : String(error),
    };
  }
  parentPort?.postMessage(reply);
});
