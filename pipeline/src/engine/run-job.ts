/**
 * The run's own job (queue pipeline-runs): on first processing it records the run and adds
 * the step chain as its children, then waits for them (BullMQ's moveToWaitingChildren);
 * processed again once the last step is done, it records the outcome. Triggers — the CLI,
 * the cron job scheduler, the Alertmanager webhook — only ever add this job.
 */
import { type FlowProducer, type Job, WaitingChildrenError } from 'bullmq';
import { z } from 'zod';
import { PipelineError } from '../errors';
import type { RunStore } from '../history/run-store';
import { runJobDataSchema, type RunJobData, type StepOutputs } from '../steps/step-io.schema';
import { stepChain } from './flow';
import type { EngineSettings } from './queues';
import { runOutcome } from './run-outcome';

/** Scheduler-made jobs carry no run id: it is derived from the job id. */
export const runQueueDataSchema = runJobDataSchema.extend({
  runId: runJobDataSchema.shape.runId.optional(),
  phase: z.enum(['start', 'steps']).optional(),
});
export type RunQueueData = z.infer<typeof runQueueDataSchema>;

export const runIdOf = (jobId: string): string => jobId.replace(/[^A-Za-z0-9_.-]/g, '-');

export function parseRunJob(job: Job): RunJobData & { phase: 'start' | 'steps' } {
  const parsed = runQueueDataSchema.safeParse(job.data);
  if (!parsed.success) {
    throw new PipelineError(
      'PIPELINE_STEP_INPUT_INVALID',
      `run job ${job.id ?? '?'} carries unreadable data: ${parsed.error.issues[0]?.message ?? ''}`,
    );
  }
  const { phase, runId, ...rest } = parsed.data;
  return { ...rest, runId: runId ?? runIdOf(job.id ?? ''), phase: phase ?? 'start' };
}

export interface RunSummary {
  readonly runId: string;
  readonly modelVersion?: string | undefined;
  readonly decision?: string | undefined;
  readonly mlflowRunId?: string | undefined;
}

export function createRunProcessor(deps: {
  readonly store: RunStore;
  readonly flow: FlowProducer;
  readonly settings: EngineSettings;
}) {
  return async (job: Job, token?: string): Promise<RunSummary> => {
    const data = parseRunJob(job);
    const { phase, ...run } = data;
    if (phase === 'start') {
      await deps.store.createRun(run);
      await deps.flow.add(
        stepChain(run, { id: job.id ?? run.runId, queue: job.queueQualifiedName }, deps.settings),
      );
      await job.updateData({ ...run, phase: 'steps' });
      if (token !== undefined && (await job.moveToWaitingChildren(token))) {
        throw new WaitingChildrenError();
      }
    }
    const children = Object.values(await job.getChildrenValues<Partial<StepOutputs>>());
    const outputs = children[0] ?? {};
    const outcome = runOutcome(outputs);
    await deps.store.finishRun(run.runId, outcome);
    return { runId: run.runId, ...outcome };
  };
}
