/**
 * Runs one step of one run, the same way for a BullMQ worker and for `run --inline`:
 * record the attempt, gather the step's inputs, reuse the output of any earlier run with the
 * same input key (no duplicate work), else do the work; record the output or the failure.
 */
import { createHash } from 'node:crypto';
import { isModelError } from '@wine/model';
import { isMlflowClientError, MlflowApiError, type MlflowClient } from 'mlflow-ts-client';
import { mlflowArtifactStore } from '../artifacts/artifact-store';
import { mlflowRunHandle } from '../artifacts/pipeline-mlflow-run';
import { describeError, isPipelineError } from '../errors';
import type { RunStore } from '../history/run-store';
import type { FeedbackSource } from '../sources/feedback';
import type { SourceReaders } from '../sources/readers';
import { STEPS } from '../steps';
import type { PreparedStep, StepContext, StepDefinitions, StepLogger } from '../steps/step-context';
import {
  STEP_OUTPUT_SCHEMAS,
  type RunJobData,
  type StepName,
  type StepOutputs,
} from '../steps/step-io.schema';

/** Bump when a step's output changes meaning: older outputs are then not reused. */
export const STEP_LOGIC_VERSION = 1;

export interface EngineDeps {
  readonly store: RunStore;
  readonly mlflow: MlflowClient;
  readonly readers: SourceReaders;
  readonly feedback: FeedbackSource | undefined;
  readonly searchThreads: number;
  readonly log: StepLogger;
  /** The step implementations; default the real ones (the benchmark swaps in no-ops). */
  readonly steps?: StepDefinitions;
}

export interface StepAttempt {
  readonly job: RunJobData;
  /** 1-based count of starts (a restart after a dead worker counts). */
  readonly attempt: number;
  /** No retry follows a failure of this attempt: it fails the run. */
  readonly lastAttempt: boolean;
  readonly progress?: (done: number, total: number, detail: string) => void;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** sha256 of the step, the logic version and its inputs in canonical JSON (key order free). */
export function inputKey(step: StepName, key: unknown): string {
  const text = JSON.stringify(canonical({ step, logic: STEP_LOGIC_VERSION, key }));
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Failures no retry can fix: bad data or parameters, a rejected dataset, a client error
 * from MLflow. Connection problems, timeouts and 5xx are retried with backoff.
 */
export function isPermanent(error: unknown): boolean {
  if (isPipelineError(error)) {
    return [
      'PIPELINE_VALIDATION_FAILED',
      'PIPELINE_DATA_LOCATION_UNSUPPORTED',
      'PIPELINE_STEP_INPUT_INVALID',
      'PIPELINE_CONFIG_INVALID',
    ].includes(error.code);
  }
  if (isModelError(error)) return error.code !== 'DATA_DOWNLOAD_FAILED';
  if (error instanceof MlflowApiError)
    return error.status >= 400 && error.status < 500 && error.status !== 429;
  if (isMlflowClientError(error)) return error.code === 'MLFLOW_INVALID_ARGUMENT';
  return false;
}

function context(
  deps: EngineDeps,
  attempt: StepAttempt,
  knownMlflowRun: string | null,
): StepContext {
  const { runId, params, trigger } = attempt.job;
  const mlflowRun = mlflowRunHandle({
    client: deps.mlflow,
    experiment: params.experiment,
    pipelineRunId: runId,
    trigger,
    known: knownMlflowRun,
    onCreated: (id) => deps.store.setMlflowRun(runId, id),
  });
  return {
    runId,
    params,
    attempt: attempt.attempt,
    mlflow: deps.mlflow,
    mlflowRun,
    artifacts: mlflowArtifactStore(deps.mlflow, mlflowRun),
    readers: deps.readers,
    feedback: deps.feedback,
    searchThreads: deps.searchThreads,
    log: deps.log,
    progress: attempt.progress ?? (() => undefined),
  };
}

export interface StepResult {
  readonly outputs: Partial<StepOutputs>;
  /** The run whose output was reused, when no work was done. */
  readonly reusedFrom: string | undefined;
}

export async function executeStep(
  step: StepName,
  prior: Partial<StepOutputs>,
  attempt: StepAttempt,
  deps: EngineDeps,
): Promise<StepResult> {
  const { runId } = attempt.job;
  // The step's own work (prepare + run): what its duration reports. The bookkeeping around
  // it is the pipeline's overhead (bench/src/pipeline.bench.ts measures the difference).
  let workMs = 0;
  const timed = async <T>(work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      workMs += performance.now() - t0;
    }
  };
  try {
    await deps.store.markRunning(runId);
    await deps.store.stepStarted(runId, step, attempt.attempt);
    const record = await deps.store.getRun(runId);
    const ctx = context(deps, attempt, record?.mlflowRunId ?? null);
    const definition = (deps.steps ?? STEPS)[step];
    const prepared = await timed<PreparedStep<StepOutputs[StepName]>>(() =>
      definition.prepare(prior, ctx),
    );
    const key = inputKey(step, prepared.key);
    if (prepared.facts !== undefined) await deps.store.addFingerprints(runId, prepared.facts);
    const reusable = await deps.store.findReusable(step, key);
    const parsed = reusable && STEP_OUTPUT_SCHEMAS[step].safeParse(reusable.output);
    let output: StepOutputs[StepName];
    let reusedFrom: string | undefined;
    if (reusable && parsed?.success) {
      output = parsed.data;
      reusedFrom = reusable.runId;
      deps.log.info(`${step}: reusing the output of run ${reusable.runId} (same inputs)`, {
        runId,
        step,
      });
    } else {
      output = await timed(() => prepared.run());
    }
    await deps.store.stepSucceeded(runId, step, {
      inputKey: key,
      output,
      cachedFrom: reusedFrom,
      durationMs: workMs,
      attempt: attempt.attempt,
    });
    return { outputs: { ...prior, [step]: output }, reusedFrom };
  } catch (error) {
    const final = attempt.lastAttempt || isPermanent(error);
    const { code, message } = describeError(error);
    const details =
      isPipelineError(error) && error.details.length > 0 ? `\n${error.details.join('\n')}` : '';
    await recordFailure(deps, runId, step, {
      code,
      message: message + details,
      attempt: attempt.attempt,
      final,
    });
    throw error;
  }
}

/** Best effort: a failure to record (PostgreSQL down) must not hide the step's own error. */
async function recordFailure(
  deps: EngineDeps,
  runId: string,
  step: StepName,
  failure: { code: string; message: string; attempt: number; final: boolean },
): Promise<void> {
  try {
    await deps.store.stepFailed(runId, step, failure);
    if (failure.final) await deps.store.failRun(runId, { step, ...failure });
  } catch (recordError) {
    deps.log.warn('could not record the step failure in the run history', {
      runId,
      step,
      error: describeError(recordError).message,
    });
  }
}
