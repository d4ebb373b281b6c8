export { createApp, createManagementApp } from './app';
export type { AppDeps, AppConfig } from './app';
export { createRequestHandler } from './request-handler';
export {
  loadConfig,
  mlflowConfig,
  parseModelUri,
  ConfigError,
  ENV_DOCS,
  DEFAULT_MLFLOW_POLL_INTERVAL_S,
} from './config';
export type { Config, MlflowConfig, ModelUri, PredictionLogConfig } from './config';
export { SERVICE_ERROR_CODES, HTTP_STATUS, ERROR_DOCS, ServiceError } from './errors';
export type { ServiceErrorCode, ErrorBody, ErrorDetail } from './errors';
export { createMetrics, METRIC_NAMES } from './metrics';
export type { ServiceMetrics, ReloadResult } from './metrics';
export {
  createModelStore,
  validateCandidate,
  jitteredDelayMs,
  POLL_JITTER,
  SUPPORTED_FORMAT_VERSIONS,
} from './model/model-store';
export type { ModelStore, ReloadOutcome, ReloadOptions, SourceCheck } from './model/model-store';
export { createMlflowSource, fingerprintOf } from './model/mlflow-source';
export { loadAndPoll, servingSourcesFor } from './model/configured-source';
export type { ConfiguredSources } from './model/configured-source';
export { createScorer } from './model/scorer';
export type { Scorer, Scored } from './model/scorer';
export type { MlflowSourceClient, MlflowSourceDeps } from './model/mlflow-source';
export {
  createDirectorySource,
  createBundledSource,
  BUNDLED_MODEL_DIR,
  MODEL_NAME,
} from './model/directory-source';
export { SourceUnavailableError } from './model/servable-model';
export { modelSourceFor } from './model/source-for-uri';
export type { ModelSourceDeps } from './model/source-for-uri';
export type {
  ArtifactOrigin,
  FeatureRange,
  LocatedModel,
  ModelInfo,
  ModelSource,
  ServableModel,
} from './model/servable-model';
export { createNoopSink, createLoggingSink } from './prediction-sink';
export { createPostgresLog } from './postgres-log';
export type { PostgresLog, FeedbackStore } from './postgres-log';
export type { PredictionSink, PredictionEvent } from './prediction-sink';
export { WineRecordSchema, PHYSICAL_BOUNDS, checkRecord } from './http/record.schema';
export type { RecordCheck } from './http/record.schema';
