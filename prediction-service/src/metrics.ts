/**
 * Every metric of the service, declared once on an injected registry (convention C11).
 * Names follow Prometheus conventions: snake_case, unit suffix, `_total` on counters.
 * The registry itself is created only in main.ts (or by tests).
 */
import { Counter, Gauge, Histogram, collectDefaultMetrics } from 'prom-client';
import type { Registry } from 'prom-client';
import type { ConnectionEvents } from './connection-guard';

export const METRIC_NAMES = {
  httpRequestDuration: 'http_request_duration_seconds',
  predictions: 'wine_predictions_total',
  predictionValue: 'wine_prediction_quality',
  modelInfo: 'wine_model_info',
  outOfRange: 'wine_input_out_of_range_total',
  modelReloads: 'wine_model_reloads_total',
  modelSourceFallback: 'wine_model_source_fallback',
  modelSourceLastSuccess: 'wine_model_source_last_success_timestamp_seconds',
  predictionLogEnabled: 'wine_prediction_log_enabled',
  predictionLogQueue: 'wine_prediction_log_queue_rows',
  predictionLogWritten: 'wine_prediction_log_written_total',
  predictionLogDropped: 'wine_prediction_log_dropped_total',
  predictionLogWriteErrors: 'wine_prediction_log_write_errors_total',
  predictionLogWriteDuration: 'wine_prediction_log_write_duration_seconds',
  feedback: 'wine_feedback_total',
  openConnections: 'http_open_connections',
  connectionsShed: 'http_connections_shed_total',
} as const;

/** Outcome label of wine_feedback_total, one count per labelled row (rejected: per request). */
export type FeedbackResultLabel = 'created' | 'updated' | 'unchanged' | 'rejected';

/** prom-client default gauges whose `_total` suffix breaks the Prometheus naming rules. */
export const REDUNDANT_DEFAULT_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

/**
 * The `method` label's values: the methods this API has routes for, everything else `other`.
 * Node accepts ~34 methods; labelling each would multiply the series for no insight.
 */
const METHOD_LABELS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
]);

export function methodLabel(method: string | undefined): string {
  return method !== undefined && METHOD_LABELS.has(method) ? method : 'other';
}

/**
 * Outcome label of wine_model_reloads_total: `rejected` = the source delivered a bad
 * artifact; `error` = the source could not be asked (e.g. MLflow unreachable).
 */
export type ReloadResult = 'swapped' | 'unchanged' | 'rejected' | 'error';

export interface ServiceMetrics {
  readonly registry: Registry;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly predictions: Counter<'model_version'>;
  readonly predictionValue: Histogram<'model_version'>;
  readonly modelInfo: Gauge<'name' | 'version' | 'source'>;
  readonly outOfRange: Counter<'feature'>;
  readonly modelReloads: Counter<'result'>;
  readonly modelSourceFallback: Gauge;
  readonly modelSourceLastSuccess: Gauge;
  readonly predictionLogEnabled: Gauge;
  /** Rows waiting to be written, read from `probe` at every scrape. */
  readonly predictionLogQueue: Gauge;
  /** Where predictionLogQueue reads the queue depth (the prediction-log writer). */
  observePredictionLogQueue(probe: () => number): void;
  readonly predictionLogWritten: Counter;
  readonly predictionLogDropped: Counter<'reason'>;
  readonly predictionLogWriteErrors: Counter;
  readonly predictionLogWriteDuration: Histogram;
  readonly feedback: Counter<'result'>;
  readonly openConnections: Gauge<'server'>;
  readonly connectionsShed: Counter<'server' | 'action' | 'limit'>;
}

export function createMetrics(
  registry: Registry,
  options: { defaultMetrics?: boolean } = {},
): ServiceMetrics {
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    // Gauges named like counters fail `promtool check metrics`; each is the sum over the
    // `type` label of its namesake without the suffix, which stays.
    for (const name of REDUNDANT_DEFAULT_GAUGES) registry.removeSingleMetric(name);
  }
  const registers = [registry];
  let queueProbe = (): number => 0;
  return {
    registry,
    observePredictionLogQueue(probe) {
      queueProbe = probe;
    },
    httpRequestDuration: new Histogram({
      name: METRIC_NAMES.httpRequestDuration,
      help: 'HTTP request duration in seconds, by method (other = not a standard method), route template and status code.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    predictions: new Counter({
      name: METRIC_NAMES.predictions,
      help: 'Rows scored, by model version.',
      labelNames: ['model_version'],
      registers,
    }),
    predictionValue: new Histogram({
      name: METRIC_NAMES.predictionValue,
      help: 'Distribution of predicted quality scores (0–10), by model version.',
      labelNames: ['model_version'],
      buckets: [3, 3.5, 4, 4.5, 5, 5.25, 5.5, 5.75, 6, 6.25, 6.5, 7, 7.5, 8, 9],
      registers,
    }),
    modelInfo: new Gauge({
      name: METRIC_NAMES.modelInfo,
      help: 'The model being served (value 1), by name, version and source.',
      labelNames: ['name', 'version', 'source'],
      // Every worker reports the same model: aggregating by sum would report 2 with 2 workers.
      aggregator: 'max',
      registers,
    }),
    outOfRange: new Counter({
      name: METRIC_NAMES.outOfRange,
      help: 'Input values outside the training range (served anyway), by feature.',
      labelNames: ['feature'],
      registers,
    }),
    modelReloads: new Counter({
      name: METRIC_NAMES.modelReloads,
      help: 'Model reload attempts (startup, polls, admin) by result: swapped, unchanged, rejected (bad artifact) or error (source unreachable).',
      labelNames: ['result'],
      registers,
    }),
    modelSourceFallback: new Gauge({
      name: METRIC_NAMES.modelSourceFallback,
      help: '1 while the bundled model stands in because the configured source (MLflow) could not deliver one, else 0.',
      // One worker on the fallback is enough to report it.
      aggregator: 'max',
      registers,
    }),
    modelSourceLastSuccess: new Gauge({
      name: METRIC_NAMES.modelSourceLastSuccess,
      help: 'Unix time of the last check that reached the model source (0 = never); alert on its age.',
      // The stalest worker is the one to alert on.
      aggregator: 'min',
      registers,
    }),
    predictionLogEnabled: new Gauge({
      name: METRIC_NAMES.predictionLogEnabled,
      help: '1 when predictions are logged to PostgreSQL (DATABASE_URL set), else 0.',
      aggregator: 'max',
      registers,
    }),
    predictionLogQueue: new Gauge({
      name: METRIC_NAMES.predictionLogQueue,
      help: 'Prediction-log rows waiting in memory to be written (all workers), including a batch being written.',
      registers,
      collect() {
        this.set(queueProbe());
      },
    }),
    predictionLogWritten: new Counter({
      name: METRIC_NAMES.predictionLogWritten,
      help: 'Prediction-log rows written to PostgreSQL.',
      registers,
    }),
    predictionLogDropped: new Counter({
      name: METRIC_NAMES.predictionLogDropped,
      help: 'Prediction-log rows dropped, by reason: queue_full (PostgreSQL slow or down for too long; the oldest rows go) or shutdown (still queued at the drain deadline).',
      labelNames: ['reason'],
      registers,
    }),
    predictionLogWriteErrors: new Counter({
      name: METRIC_NAMES.predictionLogWriteErrors,
      help: 'Failed prediction-log writes (each retried with backoff).',
      registers,
    }),
    predictionLogWriteDuration: new Histogram({
      name: METRIC_NAMES.predictionLogWriteDuration,
      help: 'Duration of successful prediction-log batch writes in seconds.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    feedback: new Counter({
      name: METRIC_NAMES.feedback,
      help: 'POST /feedback outcomes: labelled rows created, updated (a different quality) or unchanged (a repeat); rejected requests.',
      labelNames: ['result'],
      registers,
    }),
    openConnections: new Gauge({
      name: METRIC_NAMES.openConnections,
      help: 'Open TCP connections, by server (public, management).',
      labelNames: ['server'],
      registers,
    }),
    connectionsShed: new Counter({
      name: METRIC_NAMES.connectionsShed,
      help: 'Connections shed at a cap (MAX_CONNECTIONS: limit=total, MAX_CONNECTIONS_PER_ADDRESS: limit=per_address), by server and action: closed_idle (an idle connection closed to make room) or refused (every connection busy).',
      labelNames: ['server', 'action', 'limit'],
      registers,
    }),
  };
}

/** Connection-guard hooks feeding the two connection metrics of one server. */
export function connectionEvents(metrics: ServiceMetrics, server: string): ConnectionEvents {
  const open = metrics.openConnections.labels({ server });
  return {
    opened: () => {
      open.inc();
    },
    closed: () => {
      open.dec();
    },
    shed: (action, limit) => {
      metrics.connectionsShed.inc({ server, action, limit });
    },
  };
}
