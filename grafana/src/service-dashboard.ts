/** The prediction service: traffic, errors, latency percentiles, the model served, reloads, the prediction log. */
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { SERVICE, base, labelVariable, query, series, single } from './common';

const ROUTE = `${SERVICE}, route=~"$route"`;

export function serviceDashboard(): dashboard.DashboardBuilder {
  return base(
    'wine-service',
    'Wine quality — prediction service',
    'Traffic, errors, latency and the served model of the prediction service (scraped on its management port). Generated from grafana/src — do not edit in Grafana.',
  )
    .withVariable(
      labelVariable('route', 'Route', `http_request_duration_seconds_count{${SERVICE}}`),
    )
    .withRow(new dashboard.RowBuilder('Traffic and errors'))
    .withPanel(
      series(
        'Requests per second by route',
        'All answered requests, by route template and status code.',
        [
          query(
            `sum by (route, status) (rate(http_request_duration_seconds_count{${ROUTE}}[$__rate_interval]))`,
            '{{route}} {{status}}',
          ),
        ],
        'reqps',
      ),
    )
    .withPanel(
      series(
        'Error ratio',
        '5xx (the service failing) and 4xx (bad input) as a share of all requests.',
        [
          query(
            // `or vector(0)`: no 5xx series at all is a ratio of 0, not "No data".
            `(sum(rate(http_request_duration_seconds_count{${ROUTE}, status=~"5.."}[$__rate_interval])) or vector(0)) / sum(rate(http_request_duration_seconds_count{${ROUTE}}[$__rate_interval]))`,
            '5xx',
          ),
          query(
            `(sum(rate(http_request_duration_seconds_count{${ROUTE}, status=~"4.."}[$__rate_interval])) or vector(0)) / sum(rate(http_request_duration_seconds_count{${ROUTE}}[$__rate_interval]))`,
            '4xx',
            'B',
          ),
        ],
        'percentunit',
      ),
    )
    .withRow(new dashboard.RowBuilder('Latency'))
    .withPanel(
      series(
        'Latency percentiles (scoring routes)',
        'p50, p95 and p99 of /predict and /invocations from the duration histogram.',
        [
          query(
            `histogram_quantile(0.5, sum by (le, route) (rate(http_request_duration_seconds_bucket{${SERVICE}, route=~"/predict|/invocations"}[$__rate_interval])))`,
            'p50 {{route}}',
          ),
          query(
            `histogram_quantile(0.95, sum by (le, route) (rate(http_request_duration_seconds_bucket{${SERVICE}, route=~"/predict|/invocations"}[$__rate_interval])))`,
            'p95 {{route}}',
            'B',
          ),
          query(
            `histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{${SERVICE}, route=~"/predict|/invocations"}[$__rate_interval])))`,
            'p99 {{route}}',
            'C',
          ),
        ],
        's',
      ),
    )
    .withPanel(
      series(
        'Predictions per second by model version',
        'Rows scored (a batch counts every row).',
        [
          query(
            `sum by (model_version) (rate(wine_predictions_total{${SERVICE}}[$__rate_interval]))`,
            '{{model_version}}',
          ),
        ],
        'short',
      ),
    )
    .withRow(new dashboard.RowBuilder('Model'))
    .withPanel(
      single(
        'Model version served',
        'The model every worker serves (wine_model_info).',
        query(`max by (version, source) (wine_model_info{${SERVICE}})`, '{{version}} ({{source}})'),
      ).textMode(common.BigValueTextMode.Name),
    )
    .withPanel(
      single(
        'Fallback model',
        '1 while the bundled model stands in for MLflow.',
        query(`max(wine_model_source_fallback{${SERVICE}})`),
      ),
    )
    .withPanel(
      series(
        'Model reloads by result',
        'swapped, unchanged, rejected (bad artifact) or error (source unreachable).',
        [
          query(
            `sum by (result) (increase(wine_model_reloads_total{${SERVICE}}[$__rate_interval]))`,
            '{{result}}',
          ),
        ],
      ),
    )
    .withRow(new dashboard.RowBuilder('Prediction log'))
    .withPanel(
      series(
        'Prediction log: written and dropped rows per second',
        'Rows written to PostgreSQL, and rows dropped because the queue was full or at shutdown.',
        [
          query(
            `sum(rate(wine_prediction_log_written_total{${SERVICE}}[$__rate_interval]))`,
            'written',
          ),
          query(
            `sum by (reason) (rate(wine_prediction_log_dropped_total{${SERVICE}}[$__rate_interval]))`,
            'dropped {{reason}}',
            'B',
          ),
        ],
        'short',
      ),
    )
    .withPanel(
      series(
        'Prediction log queue',
        'Rows waiting in memory (all workers); grows while PostgreSQL is slow or down.',
        [query(`sum(wine_prediction_log_queue_rows{${SERVICE}})`, 'queued rows')],
      ),
    );
}
