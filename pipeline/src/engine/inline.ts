/**
 * `pipeline run --inline`: the same steps, in this process, one after the other, with the
 * same retry policy (attempts, exponential backoff) and the same run history — no Redis.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  STEP_NAMES,
  type RunJobData,
  type StepName,
  type StepOutputs,
} from '../steps/step-io.schema';
import { executeStep, isPermanent, type EngineDeps } from './execute-step';
import { runOutcome } from './run-outcome';

export interface InlineOptions {
  readonly attempts: number;
  readonly backoffMs: number;
  readonly onStep?: (
    step: StepName,
    event: 'start' | 'done' | 'reused' | 'retry',
    detail?: string,
  ) => void;
  readonly progress?: (done: number, total: number, detail: string) => void;
}

export async function runInline(
  job: RunJobData,
  deps: EngineDeps,
  options: InlineOptions,
): Promise<Partial<StepOutputs>> {
  await deps.store.createRun(job);
  let outputs: Partial<StepOutputs> = {};
  for (const step of STEP_NAMES) {
    options.onStep?.(step, 'start');
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await executeStep(
          step,
          outputs,
          {
            job,
            attempt,
            lastAttempt: attempt >= options.attempts,
            ...(options.progress ? { progress: options.progress } : {}),
          },
          deps,
        );
        outputs = result.outputs;
        options.onStep?.(step, result.reusedFrom ? 'reused' : 'done', result.reusedFrom);
        break;
      } catch (error) {
        if (attempt >= options.attempts || isPermanent(error)) throw error;
        const delay = options.backoffMs * 2 ** (attempt - 1);
        options.onStep?.(step, 'retry', `attempt ${attempt} failed; retrying in ${delay} ms`);
        await sleep(delay);
      }
    }
  }
  await deps.store.finishRun(job.runId, runOutcome(outputs));
  return outputs;
}
