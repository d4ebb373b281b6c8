/**
 * What a step gets to work with, and the shape of a step. Every dependency is passed in
 * (convention C6), so the same step code runs inside a BullMQ worker, in `run --inline`,
 * and in tests against real services.
 */
import { CHAMPION } from '@wine/training-scripts';
import { isNotFound, type MlflowClient, type ModelVersion } from 'mlflow-ts-client';
import type { ArtifactStore } from '../artifacts/artifact-store';
import type { MlflowRunHandle } from '../artifacts/pipeline-mlflow-run';
import { PipelineError } from '../errors';
import type { FeedbackSource } from '../sources/feedback';
import type { SourceReaders } from '../sources/readers';
import {
  STEP_OUTPUT_SCHEMAS,
  type RunParams,
  type StepName,
  type StepOutputs,
} from './step-io.schema';

export interface StepLogger {
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

export interface StepContext {
  readonly runId: string;
  readonly params: RunParams;
  /** 1 on the first attempt. */
  readonly attempt: number;
  readonly mlflow: MlflowClient;
  readonly mlflowRun: MlflowRunHandle;
  readonly artifacts: ArtifactStore;
  readonly readers: SourceReaders;
  /** Labelled rows from the feedback table; absent without DATABASE_URL. */
  readonly feedback: FeedbackSource | undefined;
  readonly searchThreads: number;
  readonly log: StepLogger;
  readonly progress: (done: number, total: number, detail: string) => void;
}

/** A step with its inputs gathered: the key says what its output depends on. */
export interface PreparedStep<O> {
  /** JSON value hashed into the step's input key: equal keys ⇒ the output can be reused. */
  readonly key: unknown;
  /** Facts worth recording on the run even when the output is reused (fingerprints, counts). */
  readonly facts?: Readonly<Record<string, unknown>>;
  run(): Promise<O>;
}

export interface StepDefinition<S extends StepName> {
  readonly name: S;
  prepare(prior: Partial<StepOutputs>, ctx: StepContext): Promise<PreparedStep<StepOutputs[S]>>;
}

/** One implementation per step. */
export type StepDefinitions = { readonly [S in StepName]: StepDefinition<S> };

/** The output of an earlier step, validated (it came through Redis or PostgreSQL). */
export function priorOutput<S extends StepName>(
  prior: Partial<StepOutputs>,
  step: S,
): StepOutputs[S] {
  const parsed = STEP_OUTPUT_SCHEMAS[step].safeParse(prior[step]);
  if (!parsed.success) {
    throw new PipelineError(
      'PIPELINE_STEP_INPUT_INVALID',
      `the output of step ${step} is missing or unreadable: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    );
  }
  return parsed.data as StepOutputs[S];
}

/** The current champion version, or null (also when the registered model does not exist yet). */
export async function currentChampion(
  client: MlflowClient,
  modelName: string,
): Promise<ModelVersion | null> {
  try {
    return await client.getModelVersionByAlias(modelName, CHAMPION);
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}
