/** The model: prediction distribution, drift per feature over time, dataset drift, live error by version, feedback coverage. */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { MONITOR, SERVICE, base, labelVariable, query, series, single } from './common';

const VERSION = 'model_version=~"$model_version"';

export function modelDashboard(): dashboard.DashboardBuilder {
  return base(
    'wine-model',
    'Wine quality — model',
    'What the model is asked and how well it answers: predictions, data drift against the training reference, live error from feedback. Generated from grafana/src — do not edit in Grafana.',
  )
    .withVariable(
      labelVariable('model_version', 'Model version', `wine_predictions_total{${SERVICE}}`),
    )
    .withVariable(labelVariable('feature', 'Feature', `wine_drift_feature_score{${MONITOR}}`))
    .withRow(new dashboard.RowBuilder('Predictions'))
    .withPanel(
      series(
        'Predicted quality (percentiles)',
        'Median and 10th/90th percentiles of the predicted quality, from the service histogram.',
        [
          query(
            `histogram_quantile(0.5, sum by (le, model_version) (rate(wine_prediction_quality_bucket{${SERVICE}, ${VERSION}}[$__rate_interval])))`,
            'p50 {{model_version}}',
          ),
          query(
            `histogram_quantile(0.1, sum by (le, model_version) (rate(wine_prediction_quality_bucket{${SERVICE}, ${VERSION}}[$__rate_interval])))`,
            'p10 {{model_version}}',
            'B',
          ),
          query(
            `histogram_quantile(0.9, sum by (le, model_version) (rate(wine_prediction_quality_bucket{${SERVICE}, ${VERSION}}[$__rate_interval])))`,
            'p90 {{model_version}}',
            'C',
          ),
        ],
      ),
    )
    .withPanel(
      series('Mean predicted quality', 'Mean prediction per model version.', [
        query(
          `sum by (model_version) (rate(wine_prediction_quality_sum{${SERVICE}, ${VERSION}}[$__rate_interval])) / sum by (model_version) (rate(wine_prediction_quality_count{${SERVICE}, ${VERSION}}[$__rate_interval]))`,
          '{{model_version}}',
        ),
      ]),
    )
    .withRow(new dashboard.RowBuilder('Data drift (model monitor)'))
    .withPanel(
      series(
        'Drift score per feature',
        'Per feature: the distance (wasserstein, psi, jensenshannon) or p-value (ks, chisquare, z) against the training reference; see the method label.',
        [
          query(
            `max by (feature, method) (wine_drift_feature_score{${MONITOR}, ${VERSION}, feature=~"$feature"})`,
            '{{feature}} ({{method}})',
          ),
        ],
      ),
    )
    .withPanel(
      series('Drifted features', '1 while a feature is over its threshold.', [
        query(
          `max by (feature) (wine_drift_feature_drifted{${MONITOR}, ${VERSION}, feature=~"$feature"})`,
          '{{feature}}',
        ),
      ]),
    )
    .withPanel(
      series(
        'Dataset drift share',
        'Share of drifted columns (features + prediction) and the dataset-drift threshold.',
        [
          query(
            `max by (model_version) (wine_drift_dataset_share{${MONITOR}, ${VERSION}})`,
            'share {{model_version}}',
          ),
          query(
            `max by (model_version) (wine_drift_dataset_share_threshold{${MONITOR}, ${VERSION}})`,
            'threshold',
            'B',
          ),
        ],
        'percentunit',
      ),
    )
    .withPanel(
      series(
        'Prediction drift',
        'Drift score of the predicted quality against the predictions on the training reference.',
        [
          query(
            `max by (model_version, method) (wine_drift_prediction_score{${MONITOR}, ${VERSION}})`,
            '{{model_version}} ({{method}})',
          ),
        ],
      ),
    )
    .withPanel(
      single(
        'Drift window rows',
        'Rows in the last drift window (below the minimum the verdict is "not enough data").',
        query(`max(wine_drift_window_rows{${MONITOR}, ${VERSION}})`),
      ),
    )
    .withPanel(
      single(
        'Enough data',
        '1 when the window is large enough for a drift verdict.',
        query(`min(wine_drift_enough_data{${MONITOR}, ${VERSION}})`),
      ),
    )
    .withRow(new dashboard.RowBuilder('Live error (feedback)'))
    .withPanel(
      series(
        'Live RMSE and MAE by model version',
        'Over the newest labelled predictions of each version; the dashed line is MONITOR_RMSE_THRESHOLD.',
        [
          query(
            `max by (model_version) (wine_live_rmse{${MONITOR}, ${VERSION}})`,
            'RMSE {{model_version}}',
          ),
          query(
            `max by (model_version) (wine_live_mae{${MONITOR}, ${VERSION}})`,
            'MAE {{model_version}}',
            'B',
          ),
          query(`max(wine_live_rmse_threshold{${MONITOR}})`, 'RMSE threshold', 'C'),
        ],
      ),
    )
    .withPanel(
      series(
        'Feedback coverage',
        'Share of predictions in the error window that have ground truth.',
        [
          query(
            `max by (model_version) (wine_feedback_coverage_ratio{${MONITOR}, ${VERSION}})`,
            '{{model_version}}',
          ),
        ],
        'percentunit',
      ),
    )
    .withPanel(
      single(
        'Monitor last success',
        'Seconds since the monitor last read the prediction log.',
        query(`time() - max(wine_monitor_last_success_timestamp_seconds{${MONITOR}})`),
        's',
      ),
    );
}
