/**
 * Adding a run: the run job on the run queue (the worker that takes it adds the steps) and
 * its row in the run history. Alert-triggered runs carry a BullMQ deduplication id, so
 * Alertmanager's re-sends and flapping alerts add nothing while it holds.
 */
import { randomBytes } from 'node:crypto';
import type { DeduplicationOptions, JobsOptions, Queue } from 'bullmq';
import type { RunStore } from '../history/run-store';
import type { RunJobData } from '../steps/step-io.schema';
import { KEEP } from './queues';

/** Sortable and unique: r20250101-031500-1a2b3c. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `r${stamp}-${randomBytes(3).toString('hex')}`;
}

export const RUN_JOB_NAME = 'run';

/** Options of run jobs (also the template of scheduled ones). */
export const RUN_JOB_OPTIONS: JobsOptions = {
  // The run job only adds steps and records the outcome; retry it if a worker died meanwhile.
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: KEEP,
  removeOnFail: KEEP,
};

export type EnqueueResult =
  | { readonly status: 'enqueued'; readonly runId: string }
  | { readonly status: 'deduplicated'; readonly runId: string; readonly existingJobId: string };

export async function enqueueRun(
  deps: { readonly runs: Queue; readonly store: RunStore | undefined },
  data: RunJobData,
  deduplication?: DeduplicationOptions,
): Promise<EnqueueResult> {
  const job = await deps.runs.add(RUN_JOB_NAME, data, {
    ...RUN_JOB_OPTIONS,
    jobId: data.runId,
    ...(deduplication === undefined ? {} : { deduplication }),
  });
  if (job.id !== undefined && job.id !== data.runId) {
    return { status: 'deduplicated', runId: data.runId, existingJobId: job.id };
  }
  // After the add: a deduplicated trigger leaves no queued-forever row behind. The run
  // job creates the row as well, so losing this write loses nothing.
  await deps.store?.createRun(data);
  return { status: 'enqueued', runId: data.runId };
}
