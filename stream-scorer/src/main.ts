#!/usr/bin/env node
/**
 * Composition root of the stream scorer (`pnpm run stream-score`): config, logger, the
 * service's model store (registry champion with hot swap and bundled fallback), the
 * prediction log when DATABASE_URL is set, the Redis transport, the consumer loop and the
 * operations port. SIGTERM/SIGINT: stop reading, finish and acknowledge the batch in hand,
 * flush the log, leave the group, exit 0.
 */
import { loadKeyVaultSecretsOrExit } from '@wine/azure';
import { checkSchemaAtStartup } from '@wine/db';
import {
  createLoggingSink,
  createMetrics,
  createModelStore,
  createNoopSink,
  createPostgresLog,
  createScorer,
  loadAndPoll,
  servingSourcesFor,
} from '@wine/prediction-service';
import type { PredictionSink } from '@wine/prediction-service';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { ConfigError, STREAM_SECRET_ENV, loadStreamConfig } from './config';
import type { StreamConfig } from './config';
import { createStreamConsumer } from './consumer';
import { createStreamMetrics } from './metrics';
import { createRedisTransport } from './redis-transport';
import { serveOperations } from './server';

/** The prediction log, or debug logging when DATABASE_URL is unset. */
async function predictionSink(
  config: StreamConfig,
  metrics: ReturnType<typeof createMetrics>,
  logger: Logger,
): Promise<PredictionSink> {
  const log = config.predictionLog;
  if (log === undefined) return createLoggingSink(logger);
  const check = await checkSchemaAtStartup(log.databaseUrl, 'stream-scorer');
  if (check.status === 'refuse') {
    console.error(check.message);
    process.exit(2);
  }
  if (check.status === 'unreachable') {
    logger.warn(
      { reason: check.reason },
      'cannot check the database schema now (PostgreSQL unreachable?); scoring anyway, the prediction log will retry',
    );
  }
  return createPostgresLog({ config: log, metrics, logger, applicationName: 'stream-scorer' }).sink;
}

async function start(config: StreamConfig): Promise<void> {
  const logger = pino({
    level: config.logLevel,
    base: { pid: process.pid, service: 'stream-scorer', consumer: config.streams.consumer },
  });
  const registry = new Registry();
  const metrics = createMetrics(registry);
  const streamMetrics = createStreamMetrics(registry, {
    stream: config.streams.input,
    group: config.streams.group,
  });
  const store = createModelStore({ ...servingSourcesFor(config, logger), metrics, logger });
  const stopPolling = await loadAndPoll(store, config.modelPollIntervalS, logger);
  const sink = await predictionSink(config, metrics, logger);

  const transport = createRedisTransport({
    url: config.redisUrl,
    ...config.streams,
    groupStart: config.groupStart,
    outputMaxLen: config.outputMaxLen,
    logger,
  });
  streamMetrics.observeBroker(transport);
  // Scored once per batch; the log gets one event per written prediction (consumer.ts).
  const scorer = createScorer({ store, metrics, sink: createNoopSink() });
  const consumer = createStreamConsumer({
    transport,
    scorer,
    modelReady: () => store.current() !== undefined,
    sink,
    metrics: streamMetrics,
    logger,
    inputStream: config.streams.input,
    settings: config.consumer,
  });
  let prepared = false;
  const { server, port } = await serveOperations({
    port: config.metricsPort,
    host: config.metricsHost,
    registry,
    ready: () => prepared && store.current() !== undefined,
    status: () => ({
      streams: config.streams,
      prepared,
      model: store.current()?.info ?? null,
      fallback: store.usingFallback(),
      ...consumer.stats(),
    }),
  });
  const slow = setTimeout(() => {
    logger.warn(
      { transport: transport.describe() },
      'waiting for Redis to create the consumer group',
    );
  }, 5000);
  await transport.prepare().finally(() => {
    clearTimeout(slow);
  });
  prepared = true;
  const running = consumer.run();
  logger.info(
    {
      metrics_port: port,
      metrics_host: config.metricsHost,
      transport: transport.describe(),
      dead_letter: config.streams.deadLetter,
      group: config.streams.group,
      batch_size: config.consumer.batchSize,
      max_pending: config.consumer.maxPending,
      claim_idle_ms: config.consumer.claimIdleMs,
      model: store.current()?.info.version ?? null,
      source: store.source.describe(),
      fallback: store.usingFallback(),
      prediction_log: config.predictionLog === undefined ? 'off' : 'postgres',
    },
    'stream scorer running',
  );
  if (store.current() === undefined) {
    logger.warn('no model loaded yet: nothing is read until the model source delivers one');
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    const deadline = Date.now() + config.shutdownTimeoutS * 1000;
    logger.info({ signal }, 'stream scorer stopping: finishing the batch in hand');
    // Past the deadline, exit anyway: whatever is unacknowledged stays pending for the others.
    setTimeout(() => {
      logger.error('shutdown deadline passed; exiting with entries still pending');
      process.exit(1);
    }, config.shutdownTimeoutS * 1000).unref();
    consumer.stop();
    void (async () => {
      await running;
      stopPolling();
      const left = await transport.leave().catch(() => false);
      await sink.close(deadline);
      await transport.close();
      server.close();
      server.closeAllConnections();
      logger.info({ ...consumer.stats(), left_group: left }, 'stream scorer stopped');
      process.exit(0);
    })();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function main(): void {
  let config: StreamConfig;
  try {
    config = loadStreamConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  start(config).catch((error: unknown) => {
    const code = error instanceof Error && 'code' in error ? ` [${String(error.code)}]` : '';
    console.error(
      `stream scorer failed to start${code}: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  });
}

// Key Vault first (a no-op without AZURE_KEY_VAULT_URL): REDIS_URL's access key and the like.
void loadKeyVaultSecretsOrExit(STREAM_SECRET_ENV).then(main);
