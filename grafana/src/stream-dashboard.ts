/** The stream scorers: throughput, dead letters, backlog, end-to-end latency, each scorer's state. */
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { STREAM, base, query, series, single } from './common';

export function streamDashboard(): dashboard.DashboardBuilder {
  return base(
    'wine-stream',
    'Wine quality — stream scorer',
    'The Redis Streams deployment: entries consumed and answered, dead letters, the consumer group backlog and end-to-end latency, per-scorer state. Generated from grafana/src — do not edit in Grafana.',
  )
    .withRow(new dashboard.RowBuilder('Throughput'))
    .withPanel(
      series(
        'Entries per second',
        'Consumed (first delivery, or redelivered: claimed from a scorer that held them too long), answered with a prediction, or dead-lettered — all scorers.',
        [
          query(
            `sum by (delivery) (rate(wine_stream_messages_consumed_total{${STREAM}}[$__rate_interval]))`,
            'consumed {{delivery}}',
          ),
          query(
            `sum(rate(wine_stream_messages_produced_total{${STREAM}}[$__rate_interval]))`,
            'predictions',
            'B',
          ),
          query(
            `sum(rate(wine_stream_messages_dead_lettered_total{${STREAM}}[$__rate_interval]))`,
            'dead letters',
            'C',
          ),
        ],
        'ops',
      ),
    )
    .withPanel(
      series(
        'Dead letters per second by code',
        'MALFORMED_JSON / INVALID_INPUT / IMPOSSIBLE_VALUE / PAYLOAD_TOO_LARGE / INVALID_MESSAGE are the producers’ data; TOO_MANY_DELIVERIES and INPUT_DELETED are operational (alert StreamEntriesSetAside).',
        [
          query(
            `sum by (code) (rate(wine_stream_messages_dead_lettered_total{${STREAM}}[$__rate_interval]))`,
            '{{code}}',
          ),
        ],
        'ops',
      ),
    )
    .withRow(new dashboard.RowBuilder('Backlog and latency'))
    .withPanel(
      series(
        'Backlog by stream and group',
        'Entries the group has not acknowledged (undelivered + pending), and those delivered but pending. Every scorer reports the group-wide value: max over scorers.',
        [
          query(
            `max by (stream, group) (wine_stream_lag_messages{${STREAM}})`,
            'not acknowledged {{stream}} / {{group}}',
          ),
          query(
            `max by (stream, group) (wine_stream_pending_messages{${STREAM}})`,
            'pending {{stream}} / {{group}}',
            'B',
          ),
        ],
      ),
    )
    .withPanel(
      series(
        'End-to-end latency',
        'From an entry entering the input stream (its id’s time) to its result written and acknowledged: p50, p95, p99 over all scorers.',
        [0.5, 0.95, 0.99].map((q, i) =>
          query(
            `histogram_quantile(${q}, sum by (le) (rate(wine_stream_message_latency_seconds_bucket{${STREAM}}[$__rate_interval])))`,
            `p${Math.round(q * 100)}`,
            String.fromCharCode(65 + i),
          ),
        ),
        's',
      ),
    )
    .withRow(new dashboard.RowBuilder('Scorers'))
    .withPanel(
      single(
        'Model version served',
        'What the scorers score with (wine_model_info), from the registry or the bundled fallback.',
        query(`max by (version, source) (wine_model_info{${STREAM}})`, '{{version}} ({{source}})'),
      ).textMode(common.BigValueTextMode.Name),
    )
    .withPanel(
      single(
        'Scorers connected to Redis',
        'Scorers whose Redis connections are both up (wine_stream_broker_connected).',
        query(`sum(wine_stream_broker_connected{${STREAM}})`),
      ),
    )
    .withPanel(
      series(
        'Entries held per scorer',
        'Read but not yet acknowledged, per scorer; it stops reading at STREAM_MAX_PENDING (back-pressure).',
        [query(`wine_stream_in_flight_messages{${STREAM}}`, '{{instance}}')],
      ),
    )
    .withPanel(
      series(
        'Mean batch size per scorer',
        'Entries per read: full batches (STREAM_BATCH_SIZE) mean the scorer is behind and reads as fast as it can.',
        [
          query(
            `sum by (instance) (rate(wine_stream_batch_messages_sum{${STREAM}}[$__rate_interval])) / sum by (instance) (rate(wine_stream_batch_messages_count{${STREAM}}[$__rate_interval]))`,
            '{{instance}}',
          ),
        ],
      ),
    )
    .withPanel(
      series(
        'Errors and discarded results per second',
        'Failed Redis operations (retried) and scoring failures (the batch stays pending), by operation; results discarded because another scorer had claimed the entry.',
        [
          query(
            `sum by (operation) (rate(wine_stream_errors_total{${STREAM}}[$__rate_interval]))`,
            '{{operation}}',
          ),
          query(
            `sum(rate(wine_stream_results_discarded_total{${STREAM}}[$__rate_interval]))`,
            'discarded',
            'B',
          ),
        ],
        'ops',
      ),
    );
}
