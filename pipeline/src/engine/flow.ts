/**
 * The step graph as a BullMQ flow: a chain where each step is the parent of the one before
 * it (BullMQ runs children first), hanging under the run's job. Job ids derive from the run
 * id, so adding the same run's flow twice (a retried run job) adds nothing.
 */
import type { FlowJob, FlowJobNode } from 'bullmq';
import { STEP_NAMES, type RunJobData } from '../steps/step-io.schema';
import { stepJobOptions, stepQueueName, type EngineSettings } from './queues';

export const stepJobId = (runId: string, step: string): string => `${runId}.${step}`;

export function stepChain(
  job: RunJobData,
  parent: { readonly id: string; readonly queue: string },
  settings: EngineSettings,
): FlowJob {
  let node: FlowJobNode | undefined;
  for (const step of STEP_NAMES) {
    const next: FlowJobNode = {
      name: step,
      queueName: stepQueueName(step),
      data: job,
      opts: stepJobOptions(settings, stepJobId(job.runId, step)),
      ...(node === undefined ? {} : { children: [node] }),
    };
    node = next;
  }
  if (node === undefined) throw new TypeError('the pipeline has no steps');
  const root = node;
  return { ...root, opts: { ...root.opts, parent } };
}
