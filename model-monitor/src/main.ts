#!/usr/bin/env node
/**
 * Composition root of the model monitor: config, logger, pool, MLflow client, reference
 * resolver, metrics, the loop and its HTTP endpoints. Refuses to start on a database with
 * pending migrations; starts (and reports PostgreSQL down) when it is unreachable.
 */
import { loadKeyVaultSecretsOrExit } from '@wine/azure';
import { checkSchemaAtStartup, createPool, describePgError } from '@wine/db';
import { createMlflowClient } from 'mlflow-ts-client';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { ConfigError, DOWNLOAD_ROOT, MONITOR_SECRET_ENV, loadMonitorConfig } from './config';
import type { MonitorConfig } from './config';
import { createMonitorMetrics } from './metrics';
import { createMonitor } from './monitor';
import { createReferenceResolver } from './reference-resolver';
import { serveMonitor } from './server';

async function start(config: MonitorConfig): Promise<void> {
  const logger = pino({
    level: config.logLevel,
    base: { pid: process.pid, service: 'model-monitor' },
  });
  const pool = createPool({
    connectionString: config.databaseUrl,
    applicationName: 'model-monitor',
    max: 2,
    onError: (error) => {
      logger.warn({ err: describePgError(error) }, 'idle PostgreSQL connection failed');
    },
  });
  const check = await checkSchemaAtStartup(config.databaseUrl, 'model-monitor');
  if (check.status === 'refuse') {
    console.error(check.message);
    process.exit(2);
  }
  if (check.status === 'unreachable') {
    logger.warn(
      { reason: check.reason },
      'cannot check the database schema now (PostgreSQL unreachable?); starting anyway and retrying every run',
    );
  }
  const mlflow =
    config.mlflow === undefined
      ? undefined
      : createMlflowClient({
          trackingUri: config.mlflow.trackingUri,
          credentials: config.mlflow.credentials,
          timeoutMs: config.mlflow.timeoutMs,
          retries: config.mlflow.retries,
        });
  const resolver = createReferenceResolver({
    modelDirs: config.modelDirs,
    ...(mlflow === undefined ? {} : { mlflow }),
    downloadRoot: DOWNLOAD_ROOT,
  });
  const registry = new Registry();
  const metrics = createMonitorMetrics(registry);
  const monitor = createMonitor({
    db: pool,
    resolver,
    metrics,
    logger,
    settings: {
      windowRows: config.windowRows,
      windowMinutes: config.windowMinutes,
      drift: config.drift,
      errorWindowRows: config.errorWindowRows,
      errorWindowMinutes: config.errorWindowMinutes,
    },
    intervalS: config.intervalS,
    rmseThreshold: config.rmseThreshold,
    mlflowConfigured: mlflow !== undefined,
  });
  const { server, port } = await serveMonitor({
    port: config.port,
    host: config.host,
    registry,
    last: () => monitor.last(),
  });
  monitor.start();
  logger.info(
    {
      port,
      host: config.host,
      interval_s: config.intervalS,
      window_rows: config.windowRows,
      window_minutes: config.windowMinutes ?? null,
      min_rows: config.drift.minRows,
      mlflow: config.mlflow?.trackingUri ?? null,
      model_dirs: config.modelDirs,
    },
    'model monitor listening',
  );
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'model monitor stopping');
    void (async () => {
      await monitor.stop();
      server.close();
      server.closeAllConnections();
      await pool.end().catch(() => undefined);
      process.exit(0);
    })();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function main(): void {
  let config: MonitorConfig;
  try {
    config = loadMonitorConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  start(config).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

// Key Vault first (a no-op without AZURE_KEY_VAULT_URL).
void loadKeyVaultSecretsOrExit(MONITOR_SECRET_ENV).then(main);
