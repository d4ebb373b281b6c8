/**
 * The stream scorer's own metrics, on the registry that also carries the model metrics it
 * shares with the prediction service (wine_model_info, wine_predictions_total, …, created by
 * @wine/prediction-service's createMetrics), so dashboards and alerts on those work for both.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { DeadLetterCode } from './errors';
import { DEAD_LETTER_CODES } from './errors';
import type { Backlog } from './transport';

export const STREAM_METRIC_NAMES = {
  consumed: 'wine_stream_messages_consumed_total',
  produced: 'wine_stream_messages_produced_total',
  deadLettered: 'wine_stream_messages_dead_lettered_total',
  discarded: 'wine_stream_results_discarded_total',
  latency: 'wine_stream_message_latency_seconds',
  lag: 'wine_stream_lag_messages',
  pending: 'wine_stream_pending_messages',
  inFlight: 'wine_stream_in_flight_messages',
  batchSize: 'wine_stream_batch_messages',
  errors: 'wine_stream_errors_total',
  connected: 'wine_stream_broker_connected',
} as const;

/** A scrape must answer even when Redis does not. */
const BACKLOG_TIMEOUT_MS = 2000;

/** Delivery label: first delivery, or a redelivery (claimed from another consumer, or own pending after a restart). */
export type DeliveryLabel = 'new' | 'redelivered';
/** What failed: a Redis operation, or scoring a batch. */
export type ErrorLabel = 'read' | 'claim' | 'commit' | 'backlog' | 'score';

export interface StreamMetrics {
  readonly consumed: Counter<'delivery'>;
  readonly produced: Counter;
  readonly deadLettered: Counter<'code'>;
  readonly discarded: Counter;
  readonly latency: Histogram;
  readonly inFlight: Gauge;
  readonly batchSize: Histogram;
  readonly errors: Counter<'operation'>;
  /** Where the lag gauges read the group's backlog, and the connected gauge its state, at scrape time. */
  observeBroker(probe: { backlog(): Promise<Backlog>; connected(): boolean }): void;
}

export function createStreamMetrics(
  registry: Registry,
  labels: { readonly stream: string; readonly group: string },
): StreamMetrics {
  const registers = [registry];
  let probe: { backlog(): Promise<Backlog>; connected(): boolean } | undefined;
  let lastBacklog: Promise<Backlog | undefined> | undefined;
  // Both gauges come from one XINFO GROUPS per scrape.
  const backlogOnce = (): Promise<Backlog | undefined> => {
    lastBacklog ??= Promise.race([
      probe?.backlog() ?? Promise.resolve(undefined),
      new Promise<never>((_, reject) => {
        setTimeout(() => {
          reject(new Error('backlog timeout'));
        }, BACKLOG_TIMEOUT_MS).unref();
      }),
    ])
      .catch(() => {
        errors.inc({ operation: 'backlog' });
        return undefined;
      })
      .finally(() => {
        setImmediate(() => {
          lastBacklog = undefined;
        });
      });
    return lastBacklog;
  };
  const errors = new Counter({
    name: STREAM_METRIC_NAMES.errors,
    help: 'Failures by operation: read, claim, commit, backlog (Redis; each retried with backoff) and score (the batch stays pending and is claimed again).',
    labelNames: ['operation'],
    registers,
  });
  const deadLettered = new Counter({
    name: STREAM_METRIC_NAMES.deadLettered,
    help: 'Input entries written to the dead-letter stream, by code.',
    labelNames: ['code'],
    registers,
  });
  // Present from the first scrape, so increase() and alerts see the first one.
  for (const code of DEAD_LETTER_CODES)
    deadLettered.inc({ code: code satisfies DeadLetterCode }, 0);
  for (const operation of ['read', 'claim', 'commit', 'backlog', 'score'] satisfies ErrorLabel[]) {
    errors.inc({ operation }, 0);
  }
  const consumed = new Counter({
    name: STREAM_METRIC_NAMES.consumed,
    help: 'Input entries delivered to this consumer, by delivery: new, or redelivered (claimed from a consumer that held them too long, or its own pending entries after a restart).',
    labelNames: ['delivery'],
    registers,
  });
  consumed.inc({ delivery: 'new' }, 0);
  consumed.inc({ delivery: 'redelivered' }, 0);
  return {
    consumed,
    produced: new Counter({
      name: STREAM_METRIC_NAMES.produced,
      help: 'Predictions written to the output stream (each acknowledging its input entry).',
      registers,
    }),
    deadLettered,
    discarded: new Counter({
      name: STREAM_METRIC_NAMES.discarded,
      help: 'Results not written because another consumer had claimed the entry meanwhile (it writes the result itself): work done twice, nothing duplicated.',
      registers,
    }),
    latency: new Histogram({
      name: STREAM_METRIC_NAMES.latency,
      help: 'Seconds from an input entry entering the stream (its id’s time) to its result being written and acknowledged.',
      buckets: [
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
      ],
      registers,
    }),
    inFlight: new Gauge({
      name: STREAM_METRIC_NAMES.inFlight,
      help: 'Entries this consumer holds read but not yet acknowledged (at most STREAM_MAX_PENDING).',
      registers,
    }),
    batchSize: new Histogram({
      name: STREAM_METRIC_NAMES.batchSize,
      help: 'Entries per batch read from the stream (full batches = the scorer is behind).',
      buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10_000],
      registers,
    }),
    errors,
    observeBroker(next) {
      probe = next;
      new Gauge({
        name: STREAM_METRIC_NAMES.connected,
        help: '1 while both connections to the broker (Redis) are up, else 0 (scoring waits for the reconnect).',
        registers,
        collect() {
          this.set(next.connected() ? 1 : 0);
        },
      });
      new Gauge({
        name: STREAM_METRIC_NAMES.lag,
        help: 'Entries of the input stream the group has not acknowledged: not yet delivered plus delivered and pending (stream length minus acknowledged; an upper bound when Redis cannot count undelivered entries after deletions).',
        labelNames: ['stream', 'group'],
        registers,
        async collect() {
          const b = await backlogOnce();
          if (b !== undefined) this.set(labels, b.undelivered + b.pending);
        },
      });
      new Gauge({
        name: STREAM_METRIC_NAMES.pending,
        help: 'Entries delivered to a consumer of the group and not yet acknowledged (all consumers).',
        labelNames: ['stream', 'group'],
        registers,
        async collect() {
          const b = await backlogOnce();
          if (b !== undefined) this.set(labels, b.pending);
        },
      });
    },
  };
}
