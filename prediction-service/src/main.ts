/**
 * Composition root: reads the config, creates the registry and logger, loads the model and
 * serves. With WEB_CONCURRENCY > 1 this process becomes a cluster primary instead.
 */
import cluster from 'node:cluster';
import { loadKeyVaultSecretsOrExit } from '@wine/azure';
import { checkSchemaAtStartup } from '@wine/db';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { createManagementApp } from './app';
import type { AppDeps } from './app';
import { runPrimary, workerBridge } from './cluster';
import { ConfigError, MANAGEMENT_MAX_CONNECTIONS, SECRET_ENV, loadConfig } from './config';
import type { Config } from './config';
import { connectionEvents, createMetrics } from './metrics';
import { loadAndPoll, servingSourcesFor } from './model/configured-source';
import { createModelStore } from './model/model-store';
import { createPostgresLog } from './postgres-log';
import { createLoggingSink } from './prediction-sink';
import { createRequestHandler } from './request-handler';
import { exitOnSignals, serve } from './server';
import { applyGcTuning } from './gc-tuning';

applyGcTuning();

async function startWorker(config: Config, clustered: boolean): Promise<void> {
  const logger = pino({
    level: config.logLevel,
    base: { pid: process.pid, service: 'prediction-service' },
  });
  const registry = new Registry();
  const metrics = createMetrics(registry);
  const store = createModelStore({ ...servingSourcesFor(config, logger), metrics, logger });
  const bridge = clustered
    ? workerBridge(registry, () => void store.reload({ force: true }))
    : undefined;

  const stopPolling = await loadAndPoll(store, config.modelPollIntervalS, logger);
  const log =
    config.predictionLog === undefined
      ? undefined
      : createPostgresLog({ config: config.predictionLog, metrics, logger });
  const sink = log?.sink ?? createLoggingSink(logger);
  const deps: AppDeps = {
    store,
    metrics,
    sink,
    ...(log === undefined ? {} : { feedback: log.feedback }),
    logger,
    config,
    ...(bridge === undefined
      ? {}
      : { collectMetrics: bridge.collectMetrics, onAdminReload: bridge.broadcastReload }),
  };
  const timeouts = {
    headersTimeoutS: config.headersTimeoutS,
    requestTimeoutS: config.requestTimeoutS,
    keepAliveTimeoutS: config.keepAliveTimeoutS,
  };
  const running = await serve(
    [
      {
        name: 'public',
        handler: createRequestHandler(deps),
        port: config.port,
        host: config.host,
        maxBodyBytes: config.maxBodyBytes,
        limits: {
          ...timeouts,
          maxConnections: config.maxConnections,
          maxPerAddress: config.maxConnectionsPerAddress,
        },
        events: connectionEvents(metrics, 'public'),
      },
      {
        name: 'management',
        handler: createManagementApp(deps),
        port: config.managementPort,
        host: config.managementHost,
        // Scrapers and operators on a private interface: a few connections, from anywhere.
        limits: { ...timeouts, maxConnections: MANAGEMENT_MAX_CONNECTIONS, maxPerAddress: 0 },
        events: connectionEvents(metrics, 'management'),
      },
    ],
    {
      shutdownTimeoutS: config.shutdownTimeoutS,
      logger,
      onClosed: async (deadline) => {
        stopPolling();
        await sink.close(deadline);
      },
    },
  );
  exitOnSignals(running);
  logger.info(
    {
      port: running.ports[0],
      host: config.host,
      management_port: running.ports[1],
      management_host: config.managementHost,
      model: store.current()?.info.version ?? null,
      source: store.source.describe(),
      fallback: store.usingFallback(),
      pollIntervalS: config.modelPollIntervalS,
      prediction_log: config.predictionLog === undefined ? 'off' : 'postgres',
      feedback: log !== undefined && config.feedbackToken !== undefined,
    },
    'prediction service listening',
  );
}

/**
 * With DATABASE_URL set, refuse to start on a schema that is behind (or ahead of) this
 * release. PostgreSQL being unreachable is not fatal: the service answers anyway and the
 * prediction log retries (and counts what it drops).
 */
async function checkDatabase(config: Config, logger: Logger): Promise<void> {
  if (config.predictionLog === undefined) return;
  const check = await checkSchemaAtStartup(config.predictionLog.databaseUrl, 'prediction-service');
  if (check.status === 'refuse') {
    console.error(check.message);
    process.exit(2);
  }
  if (check.status === 'unreachable') {
    logger.warn(
      { reason: check.reason },
      'cannot check the database schema now (PostgreSQL unreachable?); serving anyway, the prediction log will retry',
    );
  }
}

function start(): void {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const clustered = config.webConcurrency > 1;
  if (clustered && cluster.isPrimary) {
    const logger = pino({
      level: config.logLevel,
      base: { pid: process.pid, service: 'prediction-service', role: 'primary' },
    });
    void checkDatabase(config, logger).then(() => {
      runPrimary({
        workers: config.webConcurrency,
        shutdownTimeoutS: config.shutdownTimeoutS,
        logger,
      });
    });
    return;
  }
  // Workers of a cluster were checked by their primary.
  const checked = clustered
    ? Promise.resolve()
    : checkDatabase(
        config,
        pino({ level: config.logLevel, base: { pid: process.pid, service: 'prediction-service' } }),
      );
  checked
    .then(() => startWorker(config, clustered))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}

// Key Vault first (a no-op without AZURE_KEY_VAULT_URL); cluster workers inherit the values.
void loadKeyVaultSecretsOrExit(SECRET_ENV).then(start);
