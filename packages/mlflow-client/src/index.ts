export { createMlflowClient } from './client';
export type { MlflowClient, MlflowClientOptions } from './client';
export { credentialsFromEnv, mlflowOptionsFromEnv, authorizationHeader } from './config';
export type { CredentialsProvider, MlflowCredentials, MlflowEnvOptions } from './config';
export {
  MlflowApiError,
  MlflowClientError,
  MlflowConnectionError,
  MlflowTimeoutError,
  MLFLOW_CLIENT_ERROR_CODES,
  MLFLOW_CLIENT_ERROR_DOCS,
  isAlreadyExists,
  isTransientFailure,
  isMlflowClientError,
  isNotFound,
} from './errors';
export type { MlflowClientErrorCode } from './errors';
export type { FetchLike, TransportOptions } from './transport';
export { DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS } from './transport';
export { DEFAULT_BACKOFF } from './retry';
export type { BackoffOptions } from './retry';
export { LOG_BATCH_LIMITS, planLogBatch, truncateCodePoints } from './log-batch';
export type { LogBatchInput, LogBatchRequest, MetricInput, ParamValue } from './log-batch';
export { parseModelUri, formatModelUri } from './model-uri';
export { mapLimit } from './concurrency';
export type { ModelUri } from './model-uri';
export { artifactProxyPath, joinArtifactPath, toArtifactUri } from './artifact-uri';
export { SYSTEM_TAGS, parentRunTags } from './api/runs';
export type {
  CreateRunInput,
  CreateRunOptions,
  DatasetInput,
  RunViewType,
  RunsPage,
  SearchRunsInput,
  UpdateRunInput,
} from './api/runs';
export type { CreateExperimentInput } from './api/experiments';
export type { CreateLoggedModelInput, SearchLoggedModelsInput } from './api/logged-models';
export type {
  CreateModelVersionInput,
  CreateRegisteredModelInput,
  SearchModelVersionsInput,
  WaitOptions,
} from './api/registry';
export type { LogModelInput, RegisterModelOptions, ResolvedModel } from './api/models';
export { DEFAULT_DOWNLOAD_LIMITS } from './api/artifacts';
export type { DownloadLimits, DownloadOptions, TransferOptions } from './api/artifacts';
export type { ArtifactFileInfo } from './common.schema';
export type {
  Experiment,
  LoggedModel,
  LoggedModelStatus,
  Metric,
  Run,
  RunInfo,
  RunStatus,
} from './tracking.schema';
export type { ModelVersion, ModelVersionStatus, RegisteredModel } from './registry.schema';
