/**
 * The prediction log and feedback on PostgreSQL (DATABASE_URL set): a PredictionSink that
 * hands every answered prediction to the batched writer of @wine/db (never blocking or
 * failing a request), and the feedback store behind POST /feedback. Writer events become
 * metrics and log lines: one warning when writes start failing, one when they resume.
 */
import { createPool, createPredictionLogWriter, describePgError, recordFeedback } from '@wine/db';
import type { FeedbackItem, FeedbackResult, Pool, PredictionLogWriter } from '@wine/db';
import type { Logger } from 'pino';
import type { PredictionLogConfig } from './config';
import type { ServiceMetrics } from './metrics';
import type { PredictionSink } from './prediction-sink';

export interface FeedbackStore {
  record(items: readonly FeedbackItem[]): Promise<FeedbackResult>;
}

export interface PostgresLog {
  readonly sink: PredictionSink;
  readonly feedback: FeedbackStore;
  /** Feedback and reads (synchronous commits). */
  readonly pool: Pool;
  readonly writer: PredictionLogWriter;
}

export function createPostgresLog(deps: {
  config: PredictionLogConfig;
  metrics: ServiceMetrics;
  logger: Logger;
  /** PostgreSQL application_name prefix of the pools (default prediction-service). */
  applicationName?: string;
}): PostgresLog {
  const { config, metrics, logger } = deps;
  const application = deps.applicationName ?? 'prediction-service';
  const onError = (error: Error): void => {
    logger.warn(
      { err: describePgError(error) },
      'prediction log: idle PostgreSQL connection failed',
    );
  };
  // Each worker keeps two small pools: bulk log writes with asynchronous commits (a database
  // crash may lose the last few hundred ms of log rows, the price of not waiting for WAL
  // flushes on every batch), and feedback with ordinary, durable commits.
  const writePool = createPool({
    connectionString: config.databaseUrl,
    applicationName: `${application}:log`,
    max: 1,
    asyncCommit: true,
    onError,
  });
  const pool = createPool({
    connectionString: config.databaseUrl,
    applicationName: `${application}:feedback`,
    max: 2,
    onError,
  });
  const dropped = {
    queue_full: metrics.predictionLogDropped.labels({ reason: 'queue_full' }),
    shutdown: metrics.predictionLogDropped.labels({ reason: 'shutdown' }),
  };
  let lastDropLog = 0;
  const writer = createPredictionLogWriter({
    pool: writePool,
    capacityRows: config.queueRows,
    batchRows: config.batchRows,
    flushIntervalMs: config.flushIntervalMs,
    events: {
      onWritten(rows, seconds) {
        metrics.predictionLogWritten.inc(rows);
        metrics.predictionLogWriteDuration.observe(seconds);
      },
      onDropped(rows, reason) {
        dropped[reason].inc(rows);
        // At most one line per 10 s: during an outage every request may drop a row.
        const now = Date.now();
        if (now - lastDropLog > 10_000) {
          lastDropLog = now;
          logger.error(
            { rows, reason },
            'prediction log: dropping rows (queue full or shutting down)',
          );
        }
      },
      onWriteError(error, consecutive) {
        metrics.predictionLogWriteErrors.inc();
        if (consecutive === 1 || consecutive % 20 === 0) {
          logger.warn(
            { err: describePgError(error), consecutive_failures: consecutive },
            'prediction log: write failed; keeping rows queued and retrying with backoff',
          );
        }
      },
      onRecovered(failures) {
        logger.info({ failures }, 'prediction log: writes resumed');
      },
    },
  });
  metrics.predictionLogEnabled.set(1);
  metrics.observePredictionLogQueue(() => writer.stats().queuedRows);
  // Present from the first scrape, so increase() and alerts see the first drop.
  dropped.queue_full.inc(0);
  dropped.shutdown.inc(0);
  metrics.predictionLogWritten.inc(0);
  metrics.predictionLogWriteErrors.inc(0);

  const sink: PredictionSink = {
    record(event) {
      writer.enqueue(event);
    },
    async close(deadline = Date.now() + 5000) {
      const result = await writer.close(deadline);
      logger.info(
        { written: result.writtenRows, lost: result.lostRows },
        'prediction log: flushed on shutdown',
      );
      await Promise.all([writePool.end(), pool.end()]).catch(() => undefined);
    },
  };

  const feedback: FeedbackStore = {
    async record(items) {
      const first = await recordFeedback(pool, items);
      if (first.ok || !first.problems.some((p) => p.reason === 'unknown_request')) return first;
      // The prediction may still be queued: in this worker (flush it) or in another worker
      // of the cluster (wait one flush interval), then look once more.
      await writer.flush();
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(2 * config.flushIntervalMs, 1000)),
      );
      return recordFeedback(pool, items);
    },
  };
  return { sink, feedback, pool, writer };
}
