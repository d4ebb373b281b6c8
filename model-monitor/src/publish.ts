/**
 * A run's result as gauges. Drift series are rebuilt on every run (reset, then set), so a
 * model swap or a window that stops having enough data leaves no stale series behind; live
 * error is rebuilt the same way from the versions in the error window.
 */
import type { MonitorMetrics } from './metrics';
import type { RunResult } from './monitor-run';

export function publishRun(metrics: MonitorMetrics, result: RunResult): void {
  for (const gauge of [
    metrics.featureScore,
    metrics.featureStatistic,
    metrics.featureThreshold,
    metrics.featureDrifted,
    metrics.datasetShare,
    metrics.datasetShareThreshold,
    metrics.datasetDrifted,
    metrics.predictionScore,
    metrics.predictionDrifted,
    metrics.enoughData,
    metrics.windowRows,
    metrics.referenceRows,
    metrics.servedModel,
  ]) {
    gauge.reset();
  }
  const { model, drift } = result;
  if (model !== undefined) {
    const labels = { model_name: model.name, model_version: model.version };
    metrics.servedModel.set({ ...labels, model_source: model.source }, 1);
    metrics.windowRows.set(labels, result.windowRows);
    if (drift !== undefined) {
      const enough = drift.status === 'ok';
      metrics.enoughData.set(labels, enough ? 1 : 0);
      metrics.referenceRows.set(
        { ...labels, approximate: String(drift.reference.approximate) },
        drift.rows_reference,
      );
      metrics.datasetShareThreshold.set(labels, drift.drift_share_threshold);
      metrics.datasetDrifted.set(labels, enough && drift.dataset_drift ? 1 : 0);
      if (enough) metrics.datasetShare.set(labels, drift.drift_share);
      for (const [feature, column] of Object.entries(drift.features)) {
        const l = { ...labels, feature, method: column.method };
        metrics.featureThreshold.set(l, column.threshold);
        metrics.featureDrifted.set(l, enough && column.drifted ? 1 : 0);
        if (column.score !== null) metrics.featureScore.set(l, column.score);
        if (column.statistic !== null) metrics.featureStatistic.set(l, column.statistic);
      }
      const p = drift.prediction;
      if (p !== null) {
        const l = { ...labels, method: p.method };
        metrics.predictionDrifted.set(l, enough && p.drifted ? 1 : 0);
        if (p.score !== null) metrics.predictionScore.set(l, p.score);
      }
    }
  }
  for (const gauge of [
    metrics.liveRmse,
    metrics.liveMae,
    metrics.liveLabelled,
    metrics.feedbackCoverage,
    metrics.feedbackWindowPredictions,
  ]) {
    gauge.reset();
  }
  for (const e of result.liveError) {
    const l = { model_version: e.modelVersion };
    metrics.liveRmse.set(l, e.rmse);
    metrics.liveMae.set(l, e.mae);
    metrics.liveLabelled.set(l, e.labelled);
  }
  for (const c of result.coverage) {
    const l = { model_version: c.modelVersion };
    metrics.feedbackWindowPredictions.set(l, c.predictions);
    metrics.feedbackCoverage.set(l, c.predictions === 0 ? 0 : c.labelled / c.predictions);
  }
}
