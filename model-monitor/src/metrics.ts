/**
 * Every metric of the model monitor, declared once on an injected registry (convention C11).
 * Drift gauges carry the served model's name and version, so a model swap starts new series
 * (the old version's are removed) and alerts group per model.
 */
import { Counter, Gauge, Histogram, collectDefaultMetrics } from 'prom-client';
import type { Registry } from 'prom-client';

export const MONITOR_METRIC_NAMES = {
  featureScore: 'wine_drift_feature_score',
  featureStatistic: 'wine_drift_feature_statistic',
  featureThreshold: 'wine_drift_feature_threshold',
  featureDrifted: 'wine_drift_feature_drifted',
  datasetShare: 'wine_drift_dataset_share',
  datasetShareThreshold: 'wine_drift_dataset_share_threshold',
  datasetDrifted: 'wine_drift_dataset_drifted',
  predictionScore: 'wine_drift_prediction_score',
  predictionDrifted: 'wine_drift_prediction_drifted',
  enoughData: 'wine_drift_enough_data',
  windowRows: 'wine_drift_window_rows',
  referenceRows: 'wine_drift_reference_rows',
  liveRmse: 'wine_live_rmse',
  liveMae: 'wine_live_mae',
  liveLabelled: 'wine_live_labelled_rows',
  liveRmseThreshold: 'wine_live_rmse_threshold',
  feedbackCoverage: 'wine_feedback_coverage_ratio',
  feedbackWindowPredictions: 'wine_feedback_window_predictions',
  servedModel: 'wine_monitor_served_model_info',
  lastRun: 'wine_monitor_last_run_timestamp_seconds',
  lastSuccess: 'wine_monitor_last_success_timestamp_seconds',
  interval: 'wine_monitor_interval_seconds',
  runDuration: 'wine_monitor_run_duration_seconds',
  runs: 'wine_monitor_runs_total',
  dependencyUp: 'wine_monitor_dependency_up',
} as const;

type ModelLabels = 'model_name' | 'model_version';

export interface MonitorMetrics {
  readonly registry: Registry;
  readonly featureScore: Gauge<ModelLabels | 'feature' | 'method'>;
  readonly featureStatistic: Gauge<ModelLabels | 'feature' | 'method'>;
  readonly featureThreshold: Gauge<ModelLabels | 'feature' | 'method'>;
  readonly featureDrifted: Gauge<ModelLabels | 'feature' | 'method'>;
  readonly datasetShare: Gauge<ModelLabels>;
  readonly datasetShareThreshold: Gauge<ModelLabels>;
  readonly datasetDrifted: Gauge<ModelLabels>;
  readonly predictionScore: Gauge<ModelLabels | 'method'>;
  readonly predictionDrifted: Gauge<ModelLabels | 'method'>;
  readonly enoughData: Gauge<ModelLabels>;
  readonly windowRows: Gauge<ModelLabels>;
  readonly referenceRows: Gauge<ModelLabels | 'approximate'>;
  readonly liveRmse: Gauge<'model_version'>;
  readonly liveMae: Gauge<'model_version'>;
  readonly liveLabelled: Gauge<'model_version'>;
  readonly liveRmseThreshold: Gauge;
  readonly feedbackCoverage: Gauge<'model_version'>;
  readonly feedbackWindowPredictions: Gauge<'model_version'>;
  readonly servedModel: Gauge<ModelLabels | 'model_source'>;
  readonly lastRun: Gauge;
  readonly lastSuccess: Gauge;
  readonly interval: Gauge;
  readonly runDuration: Histogram;
  readonly runs: Counter<'result'>;
  readonly dependencyUp: Gauge<'dependency'>;
}

export function createMonitorMetrics(
  registry: Registry,
  options: { defaultMetrics?: boolean } = {},
): MonitorMetrics {
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const g = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers });
  const model = ['model_name', 'model_version'] as const;
  const feature = [...model, 'feature', 'method'] as const;
  const n = MONITOR_METRIC_NAMES;
  return {
    registry,
    featureScore: g(
      n.featureScore,
      'Drift score per feature as Evidently reports it: the p-value for a test (ks, chisquare, z), the distance for a distance (wasserstein, psi, jensenshannon). Absent without enough data.',
      feature,
    ),
    featureStatistic: g(
      n.featureStatistic,
      'Test statistic per feature where there is one (KS D, chi-square, z).',
      feature,
    ),
    featureThreshold: g(
      n.featureThreshold,
      'Drift threshold per feature (p-value below it, or distance at or above it, is drift).',
      feature,
    ),
    featureDrifted: g(
      n.featureDrifted,
      '1 when the feature drifted in the last window, else 0 (0 without enough data).',
      feature,
    ),
    datasetShare: g(
      n.datasetShare,
      'Share of drifted columns (features and prediction) in the last window.',
      model,
    ),
    datasetShareThreshold: g(
      n.datasetShareThreshold,
      'Dataset drift when the share reaches this (MONITOR_DRIFT_SHARE).',
      model,
    ),
    datasetDrifted: g(
      n.datasetDrifted,
      '1 when the dataset drifted (share at or above the threshold), else 0.',
      model,
    ),
    predictionScore: g(
      n.predictionScore,
      'Drift score of the predicted quality against the predictions on the reference.',
      [...model, 'method'],
    ),
    predictionDrifted: g(
      n.predictionDrifted,
      '1 when the prediction distribution drifted, else 0.',
      [...model, 'method'],
    ),
    enoughData: g(
      n.enoughData,
      '1 when the window has at least MONITOR_MIN_ROWS rows (a verdict), 0 = "not enough data".',
      model,
    ),
    windowRows: g(
      n.windowRows,
      'Rows in the last drift window of the served model version.',
      model,
    ),
    referenceRows: g(
      n.referenceRows,
      'Rows of the training reference (approximate="true" when rebuilt from a binned profile).',
      [...model, 'approximate'],
    ),
    liveRmse: g(
      n.liveRmse,
      'RMSE over the newest labelled predictions of each model version (MONITOR_ERROR_WINDOW_*).',
      ['model_version'],
    ),
    liveMae: g(n.liveMae, 'MAE over the newest labelled predictions of each model version.', [
      'model_version',
    ]),
    liveLabelled: g(n.liveLabelled, 'Labelled predictions behind wine_live_rmse / wine_live_mae.', [
      'model_version',
    ]),
    liveRmseThreshold: g(
      n.liveRmseThreshold,
      'MONITOR_RMSE_THRESHOLD: LiveRmseHigh fires above it.',
    ),
    feedbackCoverage: g(
      n.feedbackCoverage,
      'Share of predictions in the error window that have ground truth, per model version.',
      ['model_version'],
    ),
    feedbackWindowPredictions: g(
      n.feedbackWindowPredictions,
      'Predictions in the error window, per model version.',
      ['model_version'],
    ),
    servedModel: g(n.servedModel, 'The model of the newest logged prediction (value 1).', [
      ...model,
      'model_source',
    ]),
    lastRun: g(n.lastRun, 'Unix time of the last monitor run (successful or not).'),
    lastSuccess: g(
      n.lastSuccess,
      'Unix time of the last run that read the prediction log (0 = never); alert on its age.',
    ),
    interval: g(n.interval, 'MONITOR_INTERVAL_S, for staleness alerts.'),
    runDuration: new Histogram({
      name: n.runDuration,
      help: 'Duration of monitor runs in seconds.',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    runs: new Counter({
      name: n.runs,
      help: 'Monitor runs by result: ok, partial (live error only: no reference for the served model) or error (the prediction log could not be read).',
      labelNames: ['result'],
      registers,
    }),
    dependencyUp: g(
      n.dependencyUp,
      '1 when the last run could use the dependency (postgres, mlflow), else 0.',
      ['dependency'],
    ),
  };
}
