import { z } from 'zod';
import { int64, keyValueRecord, metricValue } from './common.schema';

/** Tracking-service replies (experiments, runs, logged models), in camelCase for callers. */

export const experiment = z
  .object({
    experiment_id: z.string(),
    name: z.string(),
    artifact_location: z.string().optional(),
    lifecycle_stage: z.string().optional(),
    creation_time: int64.optional(),
    last_update_time: int64.optional(),
    tags: keyValueRecord,
  })
  .transform((e) => ({
    experimentId: e.experiment_id,
    name: e.name,
    artifactLocation: e.artifact_location ?? '',
    lifecycleStage: e.lifecycle_stage ?? 'active',
    creationTime: e.creation_time,
    lastUpdateTime: e.last_update_time,
    tags: e.tags,
  }));

export const getExperimentReply = z.object({ experiment });
export const createExperimentReply = z.object({ experiment_id: z.string() });

export const runStatus = z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']);

export const runInfo = z
  .object({
    run_id: z.string(),
    experiment_id: z.string(),
    run_name: z.string().optional(),
    user_id: z.string().optional(),
    status: runStatus,
    start_time: int64.optional(),
    end_time: int64.optional(),
    artifact_uri: z.string().optional(),
    lifecycle_stage: z.string().optional(),
  })
  .transform((r) => ({
    runId: r.run_id,
    experimentId: r.experiment_id,
    runName: r.run_name ?? '',
    userId: r.user_id ?? '',
    status: r.status,
    startTime: r.start_time,
    endTime: r.end_time,
    artifactUri: r.artifact_uri ?? '',
    lifecycleStage: r.lifecycle_stage ?? 'active',
  }));

export const metric = z
  .object({
    key: z.string(),
    value: metricValue,
    timestamp: int64.optional(),
    step: int64.optional(),
    model_id: z.string().optional(),
    dataset_name: z.string().optional(),
    dataset_digest: z.string().optional(),
  })
  .transform((m) => ({
    key: m.key,
    value: m.value,
    timestamp: m.timestamp ?? 0,
    step: m.step ?? 0,
    ...(m.model_id === undefined ? {} : { modelId: m.model_id }),
    ...(m.dataset_name === undefined ? {} : { datasetName: m.dataset_name }),
    ...(m.dataset_digest === undefined ? {} : { datasetDigest: m.dataset_digest }),
  }));

const dataset = z
  .object({
    name: z.string(),
    digest: z.string(),
    source_type: z.string().optional(),
    source: z.string().optional(),
    schema: z.string().optional(),
    profile: z.string().optional(),
  })
  .transform((d) => ({
    name: d.name,
    digest: d.digest,
    sourceType: d.source_type ?? '',
    source: d.source ?? '',
    ...(d.schema === undefined ? {} : { schema: d.schema }),
    ...(d.profile === undefined ? {} : { profile: d.profile }),
  }));

const runInputs = z
  .object({
    dataset_inputs: z.array(z.object({ tags: keyValueRecord, dataset })).optional(),
    model_inputs: z.array(z.object({ model_id: z.string() })).optional(),
  })
  .optional()
  .transform((i) => ({
    datasetInputs: i?.dataset_inputs ?? [],
    modelInputs: (i?.model_inputs ?? []).map((m) => ({ modelId: m.model_id })),
  }));

const runOutputs = z
  .object({
    model_outputs: z.array(z.object({ model_id: z.string(), step: int64.optional() })).optional(),
  })
  .optional()
  .transform((o) => ({
    modelOutputs: (o?.model_outputs ?? []).map((m) => ({ modelId: m.model_id, step: m.step ?? 0 })),
  }));

export const run = z
  .object({
    info: runInfo,
    data: z
      .object({
        metrics: z.array(metric).optional(),
        params: keyValueRecord,
        tags: keyValueRecord,
      })
      .optional(),
    inputs: runInputs,
    outputs: runOutputs,
  })
  .transform((r) => ({
    info: r.info,
    data: {
      metrics: r.data?.metrics ?? [],
      params: r.data?.params ?? {},
      tags: r.data?.tags ?? {},
    },
    inputs: r.inputs,
    outputs: r.outputs,
  }));

export const runReply = z.object({ run });
export const updateRunReply = z.object({ run_info: runInfo });
export const searchRunsReply = z.object({
  runs: z.array(run).optional().default([]),
  next_page_token: z.string().optional(),
});
export const metricHistoryReply = z.object({
  metrics: z.array(metric).optional().default([]),
  next_page_token: z.string().optional(),
});

export const loggedModelStatus = z.enum([
  'LOGGED_MODEL_STATUS_UNSPECIFIED',
  'LOGGED_MODEL_PENDING',
  'LOGGED_MODEL_READY',
  'LOGGED_MODEL_UPLOAD_FAILED',
]);

export const loggedModel = z
  .object({
    info: z.object({
      model_id: z.string(),
      experiment_id: z.string(),
      name: z.string().optional(),
      artifact_uri: z.string(),
      status: loggedModelStatus.optional(),
      status_message: z.string().optional(),
      creation_timestamp_ms: int64.optional(),
      last_updated_timestamp_ms: int64.optional(),
      model_type: z.string().optional(),
      source_run_id: z.string().optional(),
      tags: keyValueRecord,
    }),
    data: z.object({ params: keyValueRecord, metrics: z.array(metric).optional() }).optional(),
  })
  .transform(({ info, data }) => ({
    modelId: info.model_id,
    experimentId: info.experiment_id,
    name: info.name ?? '',
    artifactUri: info.artifact_uri,
    status: info.status ?? 'LOGGED_MODEL_STATUS_UNSPECIFIED',
    statusMessage: info.status_message,
    creationTimestampMs: info.creation_timestamp_ms,
    lastUpdatedTimestampMs: info.last_updated_timestamp_ms,
    modelType: info.model_type,
    sourceRunId: info.source_run_id,
    tags: info.tags,
    params: data?.params ?? {},
    /** Metrics logged with this model's id (e.g. copied from the run by logModel). */
    metrics: data?.metrics ?? [],
  }));

export const loggedModelReply = z.object({ model: loggedModel });
export const searchLoggedModelsReply = z.object({
  models: z.array(loggedModel).optional().default([]),
  next_page_token: z.string().optional(),
});

export type Experiment = z.output<typeof experiment>;
export type RunStatus = z.output<typeof runStatus>;
export type RunInfo = z.output<typeof runInfo>;
export type Run = z.output<typeof run>;
export type Metric = z.output<typeof metric>;
export type LoggedModel = z.output<typeof loggedModel>;
export type LoggedModelStatus = z.output<typeof loggedModelStatus>;
