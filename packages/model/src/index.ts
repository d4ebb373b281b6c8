export { EXAMPLE_WINE, FEATURE_NAMES, WINE_TYPES, TARGET_NAME } from './core/features';
export type { FeatureName, WineType, WineRecord, LabeledWineRecord } from './core/features';
export { ModelError, MODEL_ERROR_CODES, isModelError } from './errors';
export type { ModelErrorCode } from './errors';
export {
  MODEL_COLUMNS,
  WINE_TYPE_CODE,
  WINE_TYPE_COLUMN,
  encodeRecords,
  targetsOf,
} from './core/matrix';
export type { Matrix } from './core/matrix';
export { wineColumnsFromRecords, encodeColumns, takeColumnRows } from './core/wine-columns';
export type { WineColumns } from './core/wine-columns';
export { createRng, shuffleInPlace } from './core/rng';
export type { Rng } from './core/rng';
export { rmse, mae, r2, regressionMetrics } from './core/metrics';
export type { RegressionMetrics } from './core/metrics';
export { trainTestSplit, kFold, takeRows, takeValues } from './core/split';
export type { SplitIndices, TrainTestSplitOptions } from './core/split';
export {
  computeReferenceProfile,
  describeDistribution,
  binIndex,
  quantileBinEdges,
} from './core/reference-profile';
export type {
  BinnedDistribution,
  ReferenceProfile,
  ReferenceProfileOptions,
  ReferenceSampleInfo,
} from './core/reference-profile';
export {
  REFERENCE_SAMPLE_MAX_ROWS,
  referenceSampleColumns,
  sampleRowIndices,
} from './core/reference-sample';
export type { ReferenceSampleOptions } from './core/reference-sample';
export {
  REFERENCE_SAMPLE_COLUMNS,
  REFERENCE_SAMPLE_FILE,
  computeDriftReference,
  formatReferenceSample,
  parseReferenceSample,
  readModelReference,
  readReferenceSample,
} from './model-dir/reference-sample';
export type { ModelReference } from './model-dir/reference-sample';
export { addReferenceSample } from './model-dir/add-reference-sample';
export type { AddedReferenceSample } from './model-dir/add-reference-sample';
export { FEATURE_RULES, QUALITY_RULE } from './core/value-rules';
export type { ValueRule } from './core/value-rules';
export {
  DataError,
  describeRowError,
  REQUIRED_COLUMNS,
  canonicalColumnName,
  detectDelimiter,
  parseWineCsv,
  inferWineType,
  mapHeader,
  readCsvRows,
  parseDecimalAt,
  formatRejections,
  datasetFingerprint,
  loadWineCsv,
  loadWineColumns,
  loadWineDataDir,
  parseWineColumns,
  splitQuoted,
  WineColumnsParser,
  PREDICTION_COLUMN_NAME,
  WINE_DATA_FILES,
  UCI_WINE_ARCHIVE,
} from './data/index';
export type {
  CsvRow,
  DataErrorCode,
  RowError,
  LoadResult,
  ParseWineCsvOptions,
  RejectionSummaryInput,
  LoadWineCsvOptions,
  UciWineArchive,
  WineColumnsOptions,
  WineColumnsResult,
} from './data/index';
export { fitTree, fitForest } from './core/fit';
export {
  DEFAULT_TREE_PARAMS,
  DEFAULT_FOREST_PARAMS,
  COUNT_OR_FRACTION_PARAMS,
  canonicalParams,
  count,
  fraction,
  isAmount,
  paramText,
  toAmount,
} from './core/tree/params';
export type {
  Amount,
  CountOrFraction,
  TreeParams,
  ForestParams,
  MaxFeatures,
  ParamScalar,
} from './core/tree/params';
export type { TreeNodes } from './core/tree/tree-nodes';
export { TreeEnsemble, loadModel, serializeModel, modelToJson } from './core/ensemble';
export { ENSEMBLE_FORMAT, ENSEMBLE_FORMAT_VERSION, LEARNER } from './core/ensemble-document';
export type {
  EnsembleDocument,
  TrainingMetadata,
  FeatureSpec,
  TreeDocument,
} from './core/ensemble-document';
export { readModelDir, writeModelDir } from './model-dir/model-dir';
export type { ModelDirectory, WriteModelDirOptions } from './model-dir/model-dir';
export {
  EXAMPLE_COLUMNS,
  recordsToSplitFrame,
  splitFrameJson,
  splitFrameToRecords,
} from './model-dir/input-example';
export type { SplitFrame } from './model-dir/input-example';
export {
  INPUT_EXAMPLE_FILE,
  MLMODEL_FILE,
  MODEL_FILE,
  MODEL_FLAVOR,
  SERVING_INPUT_FILE,
} from './model-dir/mlmodel';
export { addOnnxFlavours } from './model-dir/add-onnx-flavours';
export type { AddedFlavours } from './model-dir/add-onnx-flavours';
export {
  DEFAULT_ONNX_OP,
  ONNX_INPUT,
  ONNX_METADATA,
  ONNX_OPS,
  ONNX_OUTPUT,
  encodeOnnxModel,
  onnxModelProto,
} from './export/onnx-model';
export type { OnnxExportOptions, OnnxTreeOp } from './export/onnx-model';
export { float32BranchMismatches, float32Threshold } from './export/float32-threshold';
export type { BranchMismatch } from './export/float32-threshold';
export {
  CODE_DIR,
  ONNX_FILE,
  PYFUNC_LOADER_MODULE,
  PYTHON_REQUIREMENTS,
  PYTHON_VERSION,
  mlflowFlavours,
} from './export/mlflow-flavours';
export { runSearch } from './search/run-search';
export type { Candidate, SearchResult, SearchOptions } from './search/run-search';
export {
  DEFAULT_TREE_SPACE,
  DEFAULT_FOREST_SPACE,
  checkSpace,
  gridCandidates,
  randomCandidates,
} from './core/search/space';
export { parseSpace } from './core/search/parse-space';
export type { ParamSpace, ParamRange, ParamValue, ParamAssignment } from './core/search/space';
export type { Validation, LabeledMatrix } from './core/search/evaluate';
export { fitForestParallel } from './search/fit-forest-parallel';
export { closeIdleWorkers } from './search/worker-pool';
export type { ParallelOptions } from './search/fit-forest-parallel';
