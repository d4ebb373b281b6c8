export { createApp } from './app';
export type { AppDeps, AppConfig } from './app';
export { loadConfig, parseModelUri, ConfigError, ENV_DOCS } from './config';
export type { Config, ModelUri } from './config';
export { SERVICE_ERROR_CODES, HTTP_STATUS, ERROR_DOCS, ServiceError } from './errors';
export type { ServiceErrorCode, ErrorBody, ErrorDetail } from './errors';
export { createMetrics, METRIC_NAMES } from './metrics';
export type { ServiceMetrics, ReloadResult } from './metrics';
export {
  createModelStore,
  validateCandidate,
  SUPPORTED_FORMAT_VERSIONS,
} from './model/model-store';
export type { ModelStore, ReloadOutcome } from './model/model-store';
export {
  createDirectorySource,
  createBundledSource,
  BUNDLED_MODEL_DIR,
  MODEL_NAME,
} from './model/directory-source';
export type { ModelSource, ServableModel, ModelInfo, FeatureRange } from './model/servable-model';
export { createNoopSink, createLoggingSink } from './prediction-sink';
export type { PredictionSink, PredictionEvent } from './prediction-sink';
export { WineRecordSchema, PHYSICAL_BOUNDS } from './http/record.schema';
