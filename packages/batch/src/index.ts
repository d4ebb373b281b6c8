/** Streaming batch scoring (single process and partitioned across workers). */
export { BatchError, BATCH_ERROR_CODES, isBatchError } from './errors';
export type { BatchErrorCode } from './errors';
export { scoreSegments, outputHeaderOf, readHeaderLine } from './score-stream';
export type {
  BatchModel,
  ScoreResult,
  ScoreSettings,
  Segment,
  SegmentResult,
} from './score-stream';
export { listInput, outputHeader, partitionFiles, planBatch } from './plan';
export type { BatchPlan, InputFile, PartTask } from './plan';
export { defaultRejectedLocation, runBatch } from './run-batch';
export type { BatchOptions, BatchSummary } from './run-batch';
export {
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  REJECTED_FILE,
  manifestSchema,
  partJobSchema,
  partJobs,
  partName,
  partResultSchema,
  scorePart,
  writeManifest,
} from './partitions';
export type { Manifest, ManifestJob, PartJob, PartResult } from './partitions';
export { REJECTED_HEADER } from './rejected-csv';
