/**
 * A fixed pool of worker threads fed one candidate at a time (dynamic scheduling: fast
 * shallow trees and slow deep ones balance out). Results arrive in completion order.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ModelError, MODEL_ERROR_CODES } from '../errors';
import type { ModelErrorCode } from '../errors';
import type { WorkerFailure, WorkerSetup } from './protocol';

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

// The caller names the task/reply pair its setup's worker mode speaks (see protocol.ts).
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export async function runInPool<T extends { index: number }, R extends { index: number; ok: true }>(
  setup: WorkerSetup,
  tasks: readonly T[],
  size: number,
  onReply: (reply: R) => void,
  script: string = resolveWorkerScript(),
): Promise<void> {
  const workers: Worker[] = [];
  let next = 0;
  let done = 0;
  let settled = false;
  const stopAll = async (): Promise<void> => {
    await Promise.all(workers.map((w) => w.terminate()));
  };
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      void stopAll().then(() => {
        reject(error);
      });
    };
    const feed = (worker: Worker): void => {
      const task = tasks[next];
      if (task === undefined) return;
      next++;
      worker.postMessage(task);
    };
    for (let i = 0; i < Math.min(size, tasks.length); i++) {
      const worker = new Worker(script, { workerData: setup });
      workers.push(worker);
      worker.on('message', (reply: R | WorkerFailure) => {
        if (!reply.ok) {
          fail(new ModelError(codeOf(reply.code), `task ${reply.index}: ${reply.message}`));
          return;
        }
        onReply(reply);
        done++;
        if (done === tasks.length) {
          settled = true;
          void stopAll().then(resolve);
        } else {
          feed(worker);
        }
      });
      worker.on('error', (error: Error) => {
        fail(
          new ModelError('SEARCH_WORKER_FAILED', `search worker crashed: ${error.message}`, {
            cause: error,
          }),
        );
      });
      worker.on('exit', (code) => {
        if (!settled)
          fail(new ModelError('SEARCH_WORKER_FAILED', `search worker exited with code ${code}`));
      });
      feed(worker);
    }
  });
}
