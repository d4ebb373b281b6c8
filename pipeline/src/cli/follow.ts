/**
 * `run --wait`: follows a queued run from the run history (step transitions) and the train
 * job's progress (a bar on a terminal), until it succeeds or fails.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createProgress } from '@wine/training-scripts';
import type { Queue } from 'bullmq';
import { stepJobId } from '../engine/flow';
import type { RunRecord, RunStore } from '../history/run-store';

const progressSchema = (
  value: unknown,
): { done: number; total: number; detail: string } | undefined => {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  return typeof v['done'] === 'number' && typeof v['total'] === 'number'
    ? {
        done: v['done'],
        total: v['total'],
        detail: typeof v['detail'] === 'string' ? v['detail'] : '',
      }
    : undefined;
};

export async function followRun(
  runId: string,
  deps: {
    readonly store: RunStore;
    readonly trainQueue: Queue;
    readonly log: (line: string) => void;
  },
  options: { readonly pollMs?: number; readonly showProgress: boolean },
): Promise<RunRecord> {
  const seen = new Map<string, string>();
  const bar = createProgress('train', { enabled: options.showProgress });
  try {
    for (;;) {
      const run = await deps.store.getRun(runId);
      if (run !== undefined) {
        for (const step of run.steps) {
          const state = step.cachedFrom !== null ? 'reused' : step.status;
          if (seen.get(step.step) !== state) {
            seen.set(step.step, state);
            if (state !== 'running') bar.stop();
            deps.log(
              `${step.step}: ${state}${step.error && state !== 'succeeded' ? ` (${step.error.code}: ${step.error.message.split('\n')[0] ?? ''})` : ''}`,
            );
          }
        }
        if (run.status === 'succeeded' || run.status === 'failed') return run;
        if (seen.get('train') === 'running') {
          const job = await deps.trainQueue.getJob(stepJobId(runId, 'train'));
          const p = progressSchema(job?.progress);
          if (p) bar.update(p.done, p.total, p.detail);
        }
      }
      await sleep(options.pollMs ?? 1000);
    }
  } finally {
    bar.stop();
  }
}
