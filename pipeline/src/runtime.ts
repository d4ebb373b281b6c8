/**
 * Composition root of the pipeline process (C6): the only place that creates the PostgreSQL
 * pool, the MLflow client, the queues and the logger. Subcommands take what they need.
 */
import { createMlflowClient, type MlflowClient } from 'mlflow-ts-client';
import { createPipelineRunStore, createPool, type Pool } from '@wine/db';
import { pino, type Logger } from 'pino';
import { createStorage, type Storage } from '@wine/azure';
import type { BatchWorkerDeps } from './batch/batch-processor';
import type { Config } from './config';
import type { EngineDeps } from './engine/execute-step';
import { openQueues, type EngineSettings, type Queues } from './engine/queues';
import { PipelineError } from './errors';
import type { RunStore } from './history/run-store';
import { databaseFeedbackSource } from './sources/feedback';
import { DEFAULT_READERS } from './sources/readers';
import type { StepLogger } from './steps/step-context';

export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
  readonly pool: Pool | undefined;
  readonly store: RunStore | undefined;
  mlflow(): MlflowClient;
  engineSettings(): EngineSettings;
  queues(): Queues;
  engineDeps(): EngineDeps;
  /** Storage (local + az:// from the environment), the model's MLflow client, a log. */
  batchDeps(): BatchWorkerDeps;
  close(): Promise<void>;
}

export function stepLogger(logger: Logger): StepLogger {
  return {
    info: (message, fields) => {
      logger.info(fields ?? {}, message);
    },
    warn: (message, fields) => {
      logger.warn(fields ?? {}, message);
    },
  };
}

export function createRuntime(
  config: Config,
  options: { readonly name: string; readonly logger?: Logger },
): Runtime {
  const logger =
    options.logger ??
    pino({ level: config.logLevel, base: { service: `pipeline-${options.name}` } });
  const pool =
    config.databaseUrl === undefined
      ? undefined
      : createPool({
          connectionString: config.databaseUrl,
          applicationName: `wine-pipeline-${options.name}`,
          onError: (error) => {
            logger.warn({ error: error.message }, 'PostgreSQL connection error');
          },
        });
  const store = pool === undefined ? undefined : createPipelineRunStore(pool);
  let client: MlflowClient | undefined;
  let queues: Queues | undefined;
  let storage: Storage | undefined;

  const mlflow = (): MlflowClient => {
    const m = config.mlflow;
    if (m === undefined) {
      throw new PipelineError(
        'PIPELINE_CONFIG_INVALID',
        'the pipeline registers models in MLflow: set MLFLOW_TRACKING_URI (e.g. http://127.0.0.1:5000)',
      );
    }
    client ??= createMlflowClient({
      trackingUri: m.trackingUri,
      credentials: m.credentials,
      timeoutMs: m.timeoutMs,
      retries: m.retries,
    });
    return client;
  };
  const engineSettings = (): EngineSettings => ({
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
    attempts: config.worker.attempts,
    backoffMs: config.worker.backoffMs,
  });
  const requireStore = (): RunStore => {
    if (store === undefined) {
      throw new PipelineError(
        'PIPELINE_CONFIG_INVALID',
        'this command keeps the run history in PostgreSQL: set DATABASE_URL (and run `pnpm run db:migrate up`)',
      );
    }
    return store;
  };
  return {
    config,
    logger,
    pool,
    store,
    mlflow,
    engineSettings,
    queues: () =>
      (queues ??= openQueues(engineSettings(), (error) => {
        logger.warn({ error: error.message }, 'Redis connection error (retrying)');
      })),
    engineDeps: () => ({
      store: requireStore(),
      mlflow: mlflow(),
      readers: DEFAULT_READERS,
      feedback: pool === undefined ? undefined : databaseFeedbackSource(pool),
      searchThreads: config.searchThreads,
      log: stepLogger(logger),
    }),
    batchDeps: () => ({
      storage: (storage ??= createStorage({ env: process.env })),
      mlflow,
      log: stepLogger(logger),
    }),
    async close() {
      await queues?.close();
      await pool?.end();
    },
  };
}
