/**
 * The training workflow as a library, for orchestrators (the pipeline package): the split,
 * the search + refit + tracking, registration and the CLI edge helpers the commands share.
 */
export { hashSplit, holdoutSplit, threeWaySplit, validationSplit } from './train/split-records';
export type { ThreeWaySplit } from './train/split-records';
export { loadSplit, runTraining, trainOnSplit } from './train/run-training';
export type {
  LoadedData,
  SearchSettings,
  Split,
  SplitOptions,
  TrainDeps,
  TrainOutcome,
} from './train/run-training';
export type { TrainOptions } from './train/train-options.schema';
export { createMlflowTracker, MODEL_ARTIFACT, PLOTS_DIR } from './tracking/mlflow-tracker';
export type { MlflowTrackerOptions } from './tracking/mlflow-tracker';
export { DEFAULT_CANDIDATE_CONCURRENCY, logCandidateRuns } from './tracking/candidate-runs';
export type {
  CandidateRunsClient,
  CandidateRunsOptions,
  CandidateRunsResult,
} from './tracking/candidate-runs';
export type {
  DatasetInfo,
  SearchStart,
  SearchTracking,
  TrackedSearch,
  Tracker,
} from './tracking/tracker';
export {
  candidateMetrics,
  candidateParams,
  candidateRunName,
  WINE_TAGS,
  PARENT_METRICS,
} from './tracking/run-payloads';
export { currentUser, gitCommit } from './tracking/source-info';
export {
  findBestSearchRun,
  holdoutRmse,
  registerRun,
  renderRegistration,
} from './register/register-model';
export type {
  Holdout,
  HoldoutEvaluation,
  RegisterOptions,
  RegisterOutcome,
} from './register/register-model';
export {
  CHALLENGER,
  CHAMPION,
  DEFAULT_MIN_IMPROVEMENT,
  decidePromotion,
} from './register/decide-promotion';
export type { PromotionDecision, PromotionInput } from './register/decide-promotion';
export { RegisterError, REGISTER_ERROR_CODES } from './register/register-error';
export {
  downloadWineData,
  fetchArchive,
  sha256Hex,
  verifyArchive,
} from './download/download-wine-data';
export type { DownloadOptions, DownloadReport } from './download/download-wine-data';
export { holdoutOf } from './cli/data-deps';
export { CLI_SECRET_ENV, describeFailure, parseOptions, runCli } from './cli/run-cli';
export type { CliFailure } from './cli/run-cli';
export { createProgress } from './cli/progress';
export type { Progress } from './cli/progress';
export { runSimulation, renderSimulation, realClock } from './simulate/run-simulation';
export type {
  Clock,
  SimulationDeps,
  SimulationOptions,
  SimulationProgress,
  SimulationSummary,
} from './simulate/run-simulation';
export { csvTarget, httpTarget, TargetUnavailableError } from './simulate/targets';
export type { SendResult, SimulationTarget } from './simulate/targets';
export { streamTarget, STREAM_RECORD_FIELD } from './simulate/stream-target';
export { createRowSource } from './simulate/row-source';
export type { RowSource } from './simulate/row-source';
export { NO_DRIFT, describeInjection, injectDrift } from './simulate/drift-injection';
export type { DriftInjection } from './simulate/drift-injection';
export { runDrift, driftOptionsOf } from './drift/run-drift';
export type { DriftDeps, DriftOutcome } from './drift/run-drift';
export { renderDriftHtml } from './drift/html-report';
