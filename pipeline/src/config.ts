/**
 * The pipeline's environment, read once per process and validated (convention C7). Every
 * variable has a type, a default and a one-line doc (ENV_DOCS, mirrored in .env.sample); an
 * invalid value stops the process with a message naming the variable.
 */
import os from 'node:os';
import path from 'node:path';
import { isMlflowClientError, mlflowOptionsFromEnv } from 'mlflow-ts-client';
import type { CredentialsProvider } from 'mlflow-ts-client';
import type { SecretEnvName } from '@wine/azure';
import { z } from 'zod';
import { PipelineError } from './errors';

export const DEFAULT_API_PORT = 9699;
/** Per MLflow request: the step is the unit of retry (BullMQ attempts), so keep these short. */
export const DEFAULT_MLFLOW_TIMEOUT_MS = 30_000;
export const DEFAULT_MLFLOW_RETRIES = 2;

/** Secret variables pipeline processes take from Key Vault when AZURE_KEY_VAULT_URL is set. */
export const SECRET_ENV: readonly SecretEnvName[] = [
  'DATABASE_URL',
  'REDIS_URL',
  'MLFLOW_TRACKING_PASSWORD',
  'ADMIN_TOKEN',
];

export const ENV_DOCS = {
  REDIS_URL: 'Redis for the BullMQ queues (default redis://127.0.0.1:6379).',
  DATABASE_URL:
    'PostgreSQL with the pipeline_runs history and the feedback tables (needed by worker, api and queued runs).',
  PIPELINE_QUEUE_PREFIX: 'Redis key prefix of the queues, to share one Redis (default wine).',
  PIPELINE_DATA:
    'Data location for runs without --data: a folder with the UCI CSVs, az://<container>/<prefix> holding them, or an https:// URL of the UCI zip (default WINE_DATA_DIR, else ./data).',
  PIPELINE_DATA_SHA256: 'Required sha256 of the zip when PIPELINE_DATA is an https:// URL.',
  PIPELINE_MODEL: 'tree | forest for runs without --model (default tree).',
  PIPELINE_EXPERIMENT: 'MLflow experiment of the pipeline runs (default wine-quality).',
  PIPELINE_REGISTERED_MODEL: 'Registered model the pipeline versions (default wine-quality).',
  PIPELINE_MIN_IMPROVEMENT:
    'Holdout RMSE a new version must beat the champion by to be promoted (default 0.005).',
  PIPELINE_MAX_REJECTED_SHARE:
    'validate fails the run when more than this share of rows is rejected (default 0.05).',
  PIPELINE_FEEDBACK_MAX_AGE_DAYS:
    'Use labelled feedback rows of the last N days (default 0 = all of them).',
  PIPELINE_CRON:
    'Cron pattern of the scheduled retraining, e.g. "0 3 * * *"; one schedule however many workers; "off" removes it; unset leaves it as is.',
  PIPELINE_CRON_TZ: 'Time zone of PIPELINE_CRON (default UTC).',
  PIPELINE_COOLDOWN_MIN:
    'Minutes after an alert-triggered run during which further alerts start no run (default 60; 0 = only while a run is in flight).',
  PIPELINE_WEBHOOK_TOKEN:
    'Bearer token Alertmanager sends to POST /hooks/alertmanager; unset disables the webhook (404).',
  PIPELINE_RETRAIN_ALERTS:
    'Comma-separated alert names that trigger retraining, besides any alert labelled retrain="true" (default DatasetDrift,LiveRmseHigh).',
  PIPELINE_API_HOST: 'Interface of the pipeline API (default 127.0.0.1: admin network only).',
  PIPELINE_API_PORT: `Port of the pipeline API (default ${DEFAULT_API_PORT}).`,
  ADMIN_TOKEN:
    'Run history JSON and bull-board: bearer token, or basic auth admin:<token> in a browser; unset disables them (404).',
  PIPELINE_CONCURRENCY: 'Jobs one worker process runs at once (default 1; --concurrency wins).',
  PIPELINE_ATTEMPTS: 'Attempts per step before the run fails (default 3).',
  PIPELINE_BACKOFF_S:
    'First retry delay of a failed step in seconds, doubling per attempt (default 10).',
  PIPELINE_LOCK_DURATION_S:
    'A worker holds a job lock this long between renewals; a dead worker is noticed after it (default 60).',
  PIPELINE_STALLED_INTERVAL_S: 'How often workers look for stalled jobs (default 30).',
  PIPELINE_MAX_STALLED:
    'Times a job may be lost (its worker died) and retried before it fails (default 1).',
  PIPELINE_SEARCH_THREADS:
    'Worker threads of the hyperparameter search (default: available cores, at least 2).',
  LOG_LEVEL: 'fatal|error|warn|info|debug|trace|silent (default info).',
} as const;

export const DEFAULT_RETRAIN_ALERTS = [
  'WineFeatureDrift',
  'WinePredictionDrift',
  'WineLiveErrorHigh',
];

const blank = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const int = (min: number, max: number, fallback: number) =>
  z.preprocess(blank, z.coerce.number().int().min(min).max(max).default(fallback));
const num = (min: number, max: number, fallback: number) =>
  z.preprocess(blank, z.coerce.number().min(min).max(max).default(fallback));
const text = z.preprocess(blank, z.string().trim().optional());

const EnvSchema = z.object({
  REDIS_URL: z.preprocess(
    blank,
    z
      .string()
      .regex(/^rediss?:\/\//, 'must be redis://host:port or rediss://…')
      .default('redis://127.0.0.1:6379'),
  ),
  DATABASE_URL: z.preprocess(
    blank,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be postgres://user@host:port/db')
      .optional(),
  ),
  PIPELINE_QUEUE_PREFIX: z.preprocess(
    blank,
    z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only')
      .default('wine'),
  ),
  PIPELINE_DATA: text,
  PIPELINE_DATA_SHA256: z.preprocess(
    blank,
    z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits')
      .optional(),
  ),
  WINE_DATA_DIR: text,
  PIPELINE_MODEL: z.preprocess(blank, z.enum(['tree', 'forest']).default('tree')),
  PIPELINE_EXPERIMENT: z.preprocess(blank, z.string().min(1).default('wine-quality')),
  PIPELINE_REGISTERED_MODEL: z.preprocess(blank, z.string().min(1).default('wine-quality')),
  PIPELINE_MIN_IMPROVEMENT: num(0, 10, 0.005),
  PIPELINE_MAX_REJECTED_SHARE: num(0, 1, 0.05),
  PIPELINE_FEEDBACK_MAX_AGE_DAYS: int(0, 36_500, 0),
  PIPELINE_CRON: text,
  PIPELINE_CRON_TZ: z.preprocess(blank, z.string().default('UTC')),
  PIPELINE_COOLDOWN_MIN: num(0, 7 * 24 * 60, 60),
  PIPELINE_WEBHOOK_TOKEN: text,
  PIPELINE_RETRAIN_ALERTS: text,
  PIPELINE_API_HOST: z.preprocess(blank, z.string().default('127.0.0.1')),
  PIPELINE_API_PORT: int(0, 65_535, DEFAULT_API_PORT),
  ADMIN_TOKEN: text,
  PIPELINE_CONCURRENCY: int(1, 64, 1),
  PIPELINE_ATTEMPTS: int(1, 100, 3),
  PIPELINE_BACKOFF_S: num(0, 86_400, 10),
  PIPELINE_LOCK_DURATION_S: num(1, 3600, 60),
  PIPELINE_STALLED_INTERVAL_S: num(0.5, 3600, 30),
  PIPELINE_MAX_STALLED: int(0, 100, 1),
  PIPELINE_SEARCH_THREADS: int(2, 256, Math.max(2, os.availableParallelism())),
  LOG_LEVEL: z.preprocess(
    blank,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
});

export interface MlflowSettings {
  readonly trackingUri: string;
  readonly credentials: CredentialsProvider;
  readonly timeoutMs: number;
  readonly retries: number;
}

/** What a run defaults to when its trigger does not say (schedule, alerts, CLI without flags). */
export interface RunDefaults {
  readonly data: string;
  readonly dataSha256: string | undefined;
  readonly model: 'tree' | 'forest';
  readonly experiment: string;
  readonly registeredModel: string;
  readonly minImprovement: number;
  readonly maxRejectedShare: number;
  readonly feedbackMaxAgeDays: number;
}

export interface Config {
  readonly redisUrl: string;
  readonly databaseUrl: string | undefined;
  readonly queuePrefix: string;
  readonly mlflow: MlflowSettings | undefined;
  readonly defaults: RunDefaults;
  /** undefined: leave the schedule alone; null: remove it. */
  readonly cron: { readonly pattern: string; readonly tz: string } | null | undefined;
  readonly cooldownMs: number;
  readonly webhookToken: string | undefined;
  readonly retrainAlerts: readonly string[];
  readonly api: { readonly host: string; readonly port: number };
  readonly adminToken: string | undefined;
  readonly worker: {
    readonly concurrency: number;
    readonly attempts: number;
    readonly backoffMs: number;
    readonly lockDurationMs: number;
    readonly stalledIntervalMs: number;
    readonly maxStalledCount: number;
  };
  readonly searchThreads: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

function invalid(message: string): PipelineError {
  return new PipelineError('PIPELINE_CONFIG_INVALID', message);
}

function mlflowSettings(env: NodeJS.ProcessEnv): MlflowSettings | undefined {
  let options;
  try {
    options = mlflowOptionsFromEnv(env);
  } catch (error) {
    throw invalid(isMlflowClientError(error) ? error.message : String(error));
  }
  if (options.trackingUri === undefined) return undefined;
  return {
    trackingUri: options.trackingUri,
    credentials: options.credentials,
    timeoutMs: options.timeoutMs ?? DEFAULT_MLFLOW_TIMEOUT_MS,
    retries: options.retries ?? DEFAULT_MLFLOW_RETRIES,
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      return `${name}=${JSON.stringify(env[name] ?? '')}: ${issue.message}`;
    });
    throw invalid(`Invalid environment:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const cron = e.PIPELINE_CRON;
  return Object.freeze({
    redisUrl: e.REDIS_URL,
    databaseUrl: e.DATABASE_URL,
    queuePrefix: e.PIPELINE_QUEUE_PREFIX,
    mlflow: mlflowSettings(env),
    defaults: {
      data: e.PIPELINE_DATA ?? e.WINE_DATA_DIR ?? path.resolve('data'),
      dataSha256: e.PIPELINE_DATA_SHA256?.toLowerCase(),
      model: e.PIPELINE_MODEL,
      experiment: e.PIPELINE_EXPERIMENT,
      registeredModel: e.PIPELINE_REGISTERED_MODEL,
      minImprovement: e.PIPELINE_MIN_IMPROVEMENT,
      maxRejectedShare: e.PIPELINE_MAX_REJECTED_SHARE,
      feedbackMaxAgeDays: e.PIPELINE_FEEDBACK_MAX_AGE_DAYS,
    },
    cron:
      cron === undefined
        ? undefined
        : cron.toLowerCase() === 'off'
          ? null
          : { pattern: cron, tz: e.PIPELINE_CRON_TZ },
    cooldownMs: Math.round(e.PIPELINE_COOLDOWN_MIN * 60_000),
    webhookToken: e.PIPELINE_WEBHOOK_TOKEN,
    retrainAlerts:
      e.PIPELINE_RETRAIN_ALERTS === undefined
        ? DEFAULT_RETRAIN_ALERTS
        : e.PIPELINE_RETRAIN_ALERTS.split(',')
            .map((s) => s.trim())
            .filter((s) => s !== ''),
    api: { host: e.PIPELINE_API_HOST, port: e.PIPELINE_API_PORT },
    adminToken: e.ADMIN_TOKEN,
    worker: {
      concurrency: e.PIPELINE_CONCURRENCY,
      attempts: e.PIPELINE_ATTEMPTS,
      backoffMs: Math.round(e.PIPELINE_BACKOFF_S * 1000),
      lockDurationMs: Math.round(e.PIPELINE_LOCK_DURATION_S * 1000),
      stalledIntervalMs: Math.round(e.PIPELINE_STALLED_INTERVAL_S * 1000),
      maxStalledCount: e.PIPELINE_MAX_STALLED,
    },
    searchThreads: e.PIPELINE_SEARCH_THREADS,
    logLevel: e.LOG_LEVEL,
  });
}
