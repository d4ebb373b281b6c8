/**
 * A fixed pool of worker threads fed one candidate at a time (dynamic scheduling: fast
 * shallow trees and slow deep ones balance out). Results arrive in completion order.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ModelError, MODEL_ERROR_CODES } from '../errors';
import type { ModelErrorCode } from '../errors';
import type { WorkerFailure, WorkerReady, WorkerSetup } from './protocol';

/**
 * The worker is compiled JavaScript: beside this file in dist/, or — when this module runs
 * from src/ (jest) — the package's dist/ build, which `pnpm build` produces.
 */
export function resolveWorkerScript(dir: string = __dirname): string {
  const candidates = [
    path.join(dir, 'search-worker.js'),
    path.resolve(dir, '..', '..', 'dist', 'search', 'search-worker.js'),
  ];
  const found = candidates.find((file) => existsSync(file));
  if (found === undefined) {
    throw new ModelError(
      'SEARCH_WORKER_UNAVAILABLE',
      `search worker script not found (looked for ${candidates.join(', ')}): run \`pnpm build\`, or search with workers: 1`,
    );
  }
  return found;
}

function codeOf(code: string | null): ModelErrorCode {
  const known = MODEL_ERROR_CODES.find((c) => c === code);
  return known ?? 'SEARCH_WORKER_FAILED';
}

/**
 * Runs `tasks` on `size`-way parallelism: `size − 1` worker threads plus this thread, which
 * starts on the first tasks at once (through `local`) while the workers boot — a worker
 * takes ~50–100 ms to start, a sizeable share of a sub-second search. This thread yields
 * between its tasks so worker replies and progress callbacks keep flowing.
 */
export async function runInPool<T extends { index: number }, R extends { index: number; ok: true }>(
  setup: WorkerSetup,
  tasks: readonly T[],
  size: number,
  onReply: (reply: R) => void,
  local: () => (task: T) => R,
  script: string = resolveWorkerScript(),
): Promise<void> {
  const workers: Worker[] = [];
  let next = 0;
  let done = 0;
  let settled = false;
  const stopAll = (): Promise<number[]> => Promise.all(workers.map((w) => w.terminate()));
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      void stopAll().then(() => {
        reject(error);
      });
    };
    const take = (): T | undefined => {
      const task = settled ? undefined : tasks[next];
      if (task !== undefined) next++;
      return task;
    };
    /** Records a result; true while tasks remain. */
    const deliver = (reply: R): boolean => {
      onReply(reply);
      done++;
      if (done < tasks.length) return true;
      settled = true;
      // Results are complete: do not make the caller wait for the threads to wind down.
      void stopAll();
      resolve();
      return false;
    };
    const feed = (worker: Worker): void => {
      const task = take();
      if (task !== undefined) worker.postMessage(task);
    };
    for (let i = 0; i < Math.min(size - 1, tasks.length - 1); i++) {
      const worker = new Worker(script, { workerData: setup });
      workers.push(worker);
      worker.on('message', (reply: R | WorkerFailure | WorkerReady) => {
        if (settled) return;
        // A task goes to a worker only once it is ready, so this thread keeps the tasks it
        // can start sooner.
        if ('ready' in reply) {
          feed(worker);
          return;
        }
        if (!reply.ok) {
          fail(new ModelError(codeOf(reply.code), `task ${reply.index}: ${reply.message}`));
          return;
        }
        if (deliver(reply)) feed(worker);
      });
      worker.on('error', (error: Error) => {
        fail(
          new ModelError('SEARCH_WORKER_FAILED', `search worker crashed: ${error.message}`, {
            cause: error,
          }),
        );
      });
      worker.on('exit', (code) => {
        if (!settled) {
          fail(new ModelError('SEARCH_WORKER_FAILED', `search worker exited with code ${code}`));
        }
      });
    }
    void (async () => {
      try {
        const run = local();
        for (let task = take(); task !== undefined; task = take()) {
          if (!deliver(run(task))) return;
          await new Promise<void>((yieldNow) => setImmediate(yieldNow));
        }
      } catch (error) {
        fail(error instanceof Error ? error : new Error(String(error)));
      }
    })();
  });
}
