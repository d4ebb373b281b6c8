/**
 * The cron trigger as a BullMQ job scheduler: upserted under one fixed id, so however many
 * workers start with PIPELINE_CRON there is exactly one schedule (the last writer's pattern).
 */
import type { Queue } from 'bullmq';
import { PipelineError } from '../errors';
import type { RunParams } from '../steps/step-io.schema';
import { RUN_JOB_NAME, RUN_JOB_OPTIONS } from './enqueue';

export const SCHEDULER_ID = 'retrain-cron';

export type ScheduleChange = 'set' | 'removed' | 'unchanged';

export async function applySchedule(
  runs: Queue,
  cron: { readonly pattern: string; readonly tz: string } | null | undefined,
  params: RunParams,
): Promise<ScheduleChange> {
  if (cron === undefined) return 'unchanged';
  if (cron === null) {
    await runs.removeJobScheduler(SCHEDULER_ID);
    return 'removed';
  }
  try {
    await runs.upsertJobScheduler(
      SCHEDULER_ID,
      { pattern: cron.pattern, tz: cron.tz },
      { name: RUN_JOB_NAME, data: { trigger: 'schedule', params }, opts: RUN_JOB_OPTIONS },
    );
  } catch (cause) {
    throw new PipelineError(
      'PIPELINE_CONFIG_INVALID',
      `PIPELINE_CRON="${cron.pattern}" (PIPELINE_CRON_TZ=${cron.tz}) is not a valid cron schedule: ` +
        `${cause instanceof Error ? cause.message : String(cause)}. Example: "0 3 * * *" (03:00 every day).`,
      { cause },
    );
  }
  return 'set';
}

export async function describeSchedule(
  runs: Queue,
): Promise<{ pattern: string; tz: string; next: Date | undefined } | undefined> {
  const scheduler = await runs.getJobScheduler(SCHEDULER_ID);
  if (!scheduler?.pattern) return undefined;
  return {
    pattern: scheduler.pattern,
    tz: scheduler.tz ?? 'UTC',
    next: scheduler.next === undefined ? undefined : new Date(scheduler.next),
  };
}
