/**
 * A worker process: BullMQ workers on the run queue and on the step queues it serves. Any
 * number of them on any number of machines share the queues; a job whose worker dies is
 * noticed by the others' stall check after the lock expires and retried there.
 */
import os from 'node:os';
import { type Job, UnrecoverableError, Worker, type WorkerOptions } from 'bullmq';
import { describeError } from '../errors';
import type { RunStore } from '../history/run-store';
import {
  STEP_NAMES,
  runJobDataSchema,
  type StepName,
  type StepOutputs,
} from '../steps/step-io.schema';
import { executeStep, isPermanent, type EngineDeps } from './execute-step';
import {
  connection,
  KEEP,
  openQueues,
  RUN_QUEUE,
  stepQueueName,
  type EngineSettings,
} from './queues';
import { createRunProcessor, parseRunJob } from './run-job';

export interface WorkerSettings extends EngineSettings {
  readonly concurrency: number;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  readonly maxStalledCount: number;
  /** Steps this process takes (default all). */
  readonly steps?: readonly StepName[];
}

export interface RunningWorkers {
  readonly workers: readonly Worker[];
  close(): Promise<void>;
}

function stepProcessor(step: StepName, deps: EngineDeps) {
  return async (job: Job): Promise<Partial<StepOutputs>> => {
    const data = runJobDataSchema.parse(job.data);
    const children = Object.values(await job.getChildrenValues<Partial<StepOutputs>>());
    const maxAttempts = job.opts.attempts ?? 1;
    try {
      const result = await executeStep(
        step,
        children[0] ?? {},
        {
          job: data,
          attempt: job.attemptsStarted,
          lastAttempt: job.attemptsMade + 1 >= maxAttempts,
          progress: (done, total, detail) => {
            void job.updateProgress({ done, total, detail }).catch(() => undefined);
          },
        },
        deps,
      );
      return result.outputs;
    } catch (error) {
      // Retrying bad data or a rejected dataset cannot help: fail now, with the same message.
      if (isPermanent(error)) {
        const { code, message } = describeError(error);
        throw new UnrecoverableError(`[${code}] ${message}`);
      }
      throw error;
    }
  };
}

/**
 * Failures BullMQ decides without our processor — a job lost to dead workers more than
 * PIPELINE_MAX_STALLED times, a parent whose child failed — still end up in the history.
 */
async function recordTerminalFailure(
  store: RunStore,
  queue: string,
  job: Job | undefined,
  error: Error,
  log: EngineDeps['log'],
): Promise<void> {
  if (job === undefined || (await job.getState()) !== 'failed') return;
  try {
    const parsed = runJobDataSchema.partial().safeParse(job.data);
    const runId = parsed.success ? parsed.data.runId : undefined;
    if (runId === undefined) return;
    const stalled = /stalled/i.test(error.message);
    const code = stalled ? 'PIPELINE_STALLED' : describeError(error).code;
    if (queue === RUN_QUEUE) {
      await store.failRun(runId, {
        step: undefined,
        code: 'PIPELINE_STEP_FAILED',
        message: error.message,
      });
      return;
    }
    const step = job.name as StepName;
    if (stalled) {
      await store.stepFailed(runId, step, {
        code,
        message: error.message,
        attempt: job.attemptsStarted,
        final: true,
      });
    }
    await store.failRun(runId, { step, code, message: error.message });
  } catch (recordError) {
    log.warn('could not record a failed job in the run history', {
      jobId: job.id,
      error: describeError(recordError).message,
    });
  }
}

export function startWorkers(deps: EngineDeps, settings: WorkerSettings): RunningWorkers {
  const base: WorkerOptions = {
    // Shown as the job's processedBy (bull-board, status): which machine and process ran it.
    name: `${os.hostname()}/${process.pid}`,
    connection: connection(settings.redisUrl),
    prefix: settings.prefix,
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
    maxStalledCount: settings.maxStalledCount,
    removeOnComplete: KEEP,
    removeOnFail: KEEP,
  };
  const queues = openQueues(settings, (error) => {
    deps.log.warn('Redis connection error (retrying)', { error: error.message });
  });
  const workers: Worker[] = [
    // Run jobs mostly wait for their children (which frees the slot): many fit one process.
    new Worker(RUN_QUEUE, createRunProcessor({ store: deps.store, flow: queues.flow, settings }), {
      ...base,
      concurrency: Math.max(8, settings.concurrency),
    }),
    ...(settings.steps ?? STEP_NAMES).map(
      (step) =>
        new Worker(stepQueueName(step), stepProcessor(step, deps), {
          ...base,
          concurrency: settings.concurrency,
        }),
    ),
  ];
  for (const worker of workers) {
    worker.on('failed', (job, error) => {
      void recordTerminalFailure(deps.store, worker.name, job, error, deps.log);
    });
    worker.on('error', (error) => {
      deps.log.warn('worker error (Redis connection?)', {
        queue: worker.name,
        error: error.message,
      });
    });
  }
  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await queues.close();
    },
  };
}

export { parseRunJob };
