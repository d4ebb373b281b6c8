/**
 * A fixed pool of worker threads that claim one task at a time from a counter in shared
 * memory (dynamic scheduling: fast shallow trees and slow deep ones balance out, and no
 * thread waits for another to hand it its next task). Results arrive in completion order.
 *
 * Workers that finish a run cleanly stay alive, idle and unref'd (they do not keep the
 * process alive), and the next run reuses them with its own setup: a fresh worker's
 * learner code runs unoptimised until V8 has compiled it, which cost about as much as the
 * worker's share of a 100-tree forest (~0.15 s of CPU). A failed run terminates its workers.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ModelError, MODEL_ERROR_CODES } from '../errors';
import type { ModelErrorCode } from '../errors';
import type { SetupMessage, WorkerFailure, WorkerReady, WorkerRun, WorkerSetup } from './protocol';

/** Idle workers by script, most recent last. */
const idle = new Map<string, Worker[]>();
/**
 * Removes the listeners a run (or the idle list) added to a worker. Only our own: Node's
 * Worker keeps listeners of its own on the object, so removeAllListeners() would break it.
 */
const detach = new WeakMap<Worker, () => void>();

function takeIdle(script: string): Worker | undefined {
  const worker = idle.get(script)?.pop();
  if (worker === undefined) return undefined;
  detach.get(worker)?.();
  worker.ref();
  return worker;
}

/**
 * Keeps a worker for the next run, or ends it when enough are kept. Its run's data is not
 * kept: the worker drops it once it finds no task left to claim.
 */
function release(script: string, worker: Worker): void {
  detach.get(worker)?.();
  const list = idle.get(script) ?? [];
  if (list.length >= os.availableParallelism()) {
    void worker.terminate();
    return;
  }
  const onError = (): void => undefined;
  const onExit = (): void => {
    const at = list.indexOf(worker);
    if (at >= 0) list.splice(at, 1);
  };
  worker.on('error', onError);
  worker.on('exit', onExit);
  detach.set(worker, () => {
    worker.off('error', onError);
    worker.off('exit', onExit);
  });
  worker.unref();
  list.push(worker);
  idle.set(script, list);
}

/** How many workers are idle, waiting for the next run (tests). */
export function idleWorkerCount(): number {
  return [...idle.values()].reduce((n, list) => n + list.length, 0);
}

/** Ends every idle worker (tests; a process exits with them anyway, they are unref'd). */
export async function closeIdleWorkers(): Promise<void> {
  const all = [...idle.values()].flat();
  idle.clear();
  await Promise.all(all.map((w) => w.terminate()));
}

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
 * takes ~50–100 ms to start, a sizeable share of a sub-second search. Every thread claims
 * the next task index from one shared counter (Atomics.add), so a worker goes straight from
 * one task to the next instead of waiting for this thread — busy with a task of its own — to
 * read its reply and send another (that round trip idled a worker about half of each of this
 * thread's tasks: ~⅓ of its time on a 100-tree forest). This thread yields between its tasks
 * so worker replies and progress callbacks keep flowing.
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
  /** Workers that said READY in this run (only those can be reused: nothing of theirs is in flight). */
  const ready = new Set<Worker>();
  const claim = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  const run: WorkerRun = { setup, tasks, claim };
  let done = 0;
  let settled = false;
  const stopAll = (): Promise<number[]> => Promise.all(workers.map((w) => w.terminate()));
  await new Promise<void>((resolve, reject) => {
    /** No thread claims another task (a worker mid-task finishes it; its reply is ignored). */
    const settle = (): void => {
      settled = true;
      Atomics.store(claim, 0, tasks.length);
    };
    const fail = (error: Error): void => {
      if (settled) return;
      settle();
      void stopAll().then(() => {
        reject(error);
      });
    };
    const take = (): T | undefined => (settled ? undefined : tasks[Atomics.add(claim, 0, 1)]);
    /** Records a result; true while tasks remain. */
    const deliver = (reply: R): boolean => {
      onReply(reply);
      done++;
      if (done < tasks.length) return true;
      settle();
      // Results are complete: keep the ready workers for the next run, end the rest, and do
      // not make the caller wait for either.
      for (const worker of workers) {
        if (ready.has(worker)) release(script, worker);
        else void worker.terminate();
      }
      resolve();
      return false;
    };
    for (let i = 0; i < Math.min(size - 1, tasks.length - 1); i++) {
      const reused = takeIdle(script);
      const worker = reused ?? new Worker(script, { workerData: run });
      if (reused !== undefined) {
        const message: SetupMessage = { run };
        reused.postMessage(message);
      }
      workers.push(worker);
      const onMessage = (reply: R | WorkerFailure | WorkerReady): void => {
        if (settled) return;
        if ('ready' in reply) {
          ready.add(worker);
          return;
        }
        if (!reply.ok) {
          fail(new ModelError(codeOf(reply.code), `task ${reply.index}: ${reply.message}`));
          return;
        }
        deliver(reply);
      };
      const onError = (error: Error): void => {
        fail(
          new ModelError('SEARCH_WORKER_FAILED', `search worker crashed: ${error.message}`, {
            cause: error,
          }),
        );
      };
      const onExit = (code: number): void => {
        if (!settled) {
          fail(new ModelError('SEARCH_WORKER_FAILED', `search worker exited with code ${code}`));
        }
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      detach.set(worker, () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      });
    }
    void (async () => {
      try {
        const runTask = local();
        for (let task = take(); task !== undefined; task = take()) {
          if (!deliver(runTask(task))) return;
          await new Promise<void>((yieldNow) => setImmediate(yieldNow));
        }
      } catch (error) {
        fail(error instanceof Error ? error : new Error(String(error)));
      }
    })();
  });
}
