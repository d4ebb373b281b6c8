/**
 * The BullMQ topology: one queue for runs (the parent job of each run, where triggers and
 * the cron scheduler add work) and one queue per step, so a fleet can dedicate machines to
 * `train` while small ones take the light steps (`worker --steps`); and the batch-scoring
 * queue. Names and options live here only.
 */
import { FlowProducer, Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { STEP_NAMES, type StepName } from '../steps/step-io.schema';

export const RUN_QUEUE = 'pipeline-runs';
export const stepQueueName = (step: StepName): string => `pipeline-${step}`;
/** Partitioned batch scoring (batch/batch-jobs.ts): manifest jobs and their part jobs. */
export const BATCH_QUEUE = 'pipeline-batch';
export const ALL_QUEUES: readonly string[] = [
  RUN_QUEUE,
  ...STEP_NAMES.map(stepQueueName),
  BATCH_QUEUE,
];

export interface EngineSettings {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly attempts: number;
  readonly backoffMs: number;
}

/**
 * maxRetriesPerRequest: null keeps commands waiting through a Redis restart instead of
 * failing them (what BullMQ requires of workers); producers that must answer fast (the
 * webhook) set a short timeout themselves.
 */
export function connection(redisUrl: string): ConnectionOptions {
  return { url: redisUrl, maxRetriesPerRequest: null, connectionName: 'wine-pipeline' };
}

/** Finished jobs stay visible in bull-board for two weeks (the run history keeps them for good). */
export const KEEP = { age: 14 * 24 * 3600, count: 10_000 } as const;

export function stepJobOptions(settings: EngineSettings, jobId: string): JobsOptions {
  return {
    jobId,
    attempts: settings.attempts,
    backoff: { type: 'exponential', delay: settings.backoffMs, jitter: 0.2 },
    // A step that fails for good fails its parent step, and so on up to the run.
    failParentOnFailure: true,
    removeOnComplete: KEEP,
    removeOnFail: KEEP,
  };
}

export interface Queues {
  readonly runs: Queue;
  readonly steps: { readonly [S in StepName]: Queue };
  /** The batch-scoring queue (BATCH_QUEUE). */
  readonly batch: Queue;
  /** Every queue: runs, steps, batch (bull-board, queue metrics). */
  readonly all: readonly Queue[];
  readonly flow: FlowProducer;
  close(): Promise<void>;
}

/** `onError`: connection trouble (Redis restarting); commands wait and retry meanwhile. */
export function openQueues(
  settings: EngineSettings,
  onError: (error: Error) => void = () => undefined,
): Queues {
  const opts = { connection: connection(settings.redisUrl), prefix: settings.prefix };
  const runs = new Queue(RUN_QUEUE, opts);
  const steps = Object.fromEntries(
    STEP_NAMES.map((s) => [s, new Queue(stepQueueName(s), opts)]),
  ) as unknown as Queues['steps'];
  const batch = new Queue(BATCH_QUEUE, opts);
  const all = [runs, ...STEP_NAMES.map((s) => steps[s]), batch];
  const flow = new FlowProducer(opts);
  flow.on('error', onError);
  for (const queue of all) queue.on('error', onError);
  return {
    runs,
    steps,
    batch,
    all,
    flow,
    async close() {
      await Promise.all([flow.close(), ...all.map((q) => q.close())]);
    },
  };
}
