export { createPool, redactConnectionString } from './pool';
export type { Pool, PoolClient, PoolOptions } from './pool';
export {
  DbError,
  DB_ERROR_CODES,
  DB_ERROR_DOCS,
  isDbError,
  isConnectionError,
  describePgError,
} from './errors';
export type { DbErrorCode } from './errors';
export {
  MIGRATIONS_DIR,
  MIGRATIONS_TABLE,
  MIGRATE_COMMAND,
  RENAMED_MIGRATIONS,
  listMigrations,
  migrationStatus,
  assertMigrated,
  runMigrations,
  createMigrationFile,
  checkSchemaAtStartup,
} from './migrations';
export type { MigrationStatus, RunMigrationsOptions, StartupSchemaCheck } from './migrations';
export { LOG_COLUMNS } from './prediction-log/entry';
export type { PredictionLogEntry, EntrySlice } from './prediction-log/entry';
export { encodeCopyBinary, encodedCopyPayload } from './prediction-log/copy-write';
export {
  BATCH_COLUMNS,
  BatchEncoder,
  MAX_BATCH_ROWS,
  createBatchCopier,
} from './prediction-log/batch-copy';
export {
  REQUEST_ID_TIME_TOLERANCE_MS,
  findableTime,
  requestIdTime,
  uuidV7At,
} from './prediction-log/request-id-time';
export { EncodedRowQueue } from './prediction-log/encoded-queue';
export type { EncodedBatch } from './prediction-log/encoded-queue';
export { insertParameters, insertRows } from './prediction-log/insert-write';
export { createPredictionLogWriter, LOG_WRITER_DEFAULTS } from './prediction-log/log-writer';
export type {
  PredictionLogWriter,
  LogWriterOptions,
  LogWriterEvents,
  LogWriterStats,
  CloseResult,
  DropReason,
  WriteMethod,
} from './prediction-log/log-writer';
export { recordFeedback } from './feedback';
export type { FeedbackItem, FeedbackProblem, FeedbackResult, FeedbackStatus } from './feedback';
export {
  latestLoggedModel,
  readWindow,
  liveErrorByVersion,
  feedbackCoverage,
  countLoggedRows,
} from './monitor-queries';
export type {
  LoggedModel,
  WindowQuery,
  PredictionWindow,
  LiveError,
  FeedbackCoverage,
} from './monitor-queries';
export { labelledRows } from './labelled-rows';
export type { LabelledRows, LabelledRowsQuery } from './labelled-rows';
export { PIPELINE_STEP_NAMES, createPipelineRunStore } from './pipeline-runs';
export type {
  NewPipelineRun,
  PipelineRunFailure,
  PipelineRunOutcome,
  PipelineRunRecord,
  PipelineRunStats,
  PipelineRunStatus,
  PipelineRunStore,
  PipelineStepName,
  PipelineStepRecord,
  PipelineStepStatus,
  PipelineTrigger,
} from './pipeline-runs';
export {
  RETENTION_DEFAULTS,
  countRowsBefore,
  prunePredictionLog,
  retentionCutoff,
} from './retention';
export type { PruneOptions, PruneResult } from './retention';
