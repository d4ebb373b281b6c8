/**
 * The MLflow run of a pipeline run: its artifacts hold the step outputs that are too big for a
 * job's return value (raw sources, the validated dataset, the three split CSVs, the model),
 * so a step on one machine reads what a step on another wrote. Created lazily by the first
 * step that does real work (a run whose steps are all reused creates none), and found again
 * by its tag after a crash, so a retried step never makes a second one.
 */
import type { MlflowClient } from 'mlflow-ts-client';
import { SYSTEM_TAGS } from 'mlflow-ts-client';
import type { Trigger } from '../steps/step-io.schema';

export interface PipelineMlflowRun {
  readonly runId: string;
  readonly experimentId: string;
  readonly artifactUri: string;
}

export const PIPELINE_TAGS = {
  runId: 'wine.pipeline.run_id',
  trigger: 'wine.pipeline.trigger',
} as const;

export interface MlflowRunHandleOptions {
  readonly client: MlflowClient;
  readonly experiment: string;
  readonly pipelineRunId: string;
  readonly trigger: Trigger;
  /** Already recorded in the run history (a retry on another machine). */
  readonly known?: string | null | undefined;
  readonly onCreated: (mlflowRunId: string) => Promise<void>;
}

export type MlflowRunHandle = () => Promise<PipelineMlflowRun>;

export function mlflowRunHandle(options: MlflowRunHandleOptions): MlflowRunHandle {
  const { client } = options;
  let memo: Promise<PipelineMlflowRun> | undefined;

  async function resolve(): Promise<PipelineMlflowRun> {
    if (options.known) {
      const run = await client.getRun(options.known);
      return {
        runId: run.info.runId,
        experimentId: run.info.experimentId,
        artifactUri: run.info.artifactUri,
      };
    }
    const experiment = await client.getOrCreateExperiment({ name: options.experiment });
    const found = await client.searchRuns({
      experimentIds: [experiment.experimentId],
      filter: `tags.\`${PIPELINE_TAGS.runId}\` = '${options.pipelineRunId}'`,
      maxResults: 1,
    });
    const existing = found.runs[0];
    const run =
      existing ??
      (await client.createRun({
        experimentId: experiment.experimentId,
        runName: `pipeline-${options.pipelineRunId}`,
        tags: {
          [PIPELINE_TAGS.runId]: options.pipelineRunId,
          [PIPELINE_TAGS.trigger]: options.trigger,
          [SYSTEM_TAGS.sourceName]: 'pipeline',
          [SYSTEM_TAGS.sourceType]: 'JOB',
          [SYSTEM_TAGS.note]:
            `Retraining pipeline run ${options.pipelineRunId} (${options.trigger}). Step outputs ` +
            'under pipeline/<step>/; the search candidates are nested runs; the model under model/.',
        },
      }));
    await options.onCreated(run.info.runId);
    return {
      runId: run.info.runId,
      experimentId: run.info.experimentId,
      artifactUri: run.info.artifactUri,
    };
  }

  return () => {
    memo ??= resolve().catch((error: unknown) => {
      memo = undefined;
      throw error;
    });
    return memo;
  };
}
