/**
 * The model monitor's environment, read once and validated (convention C7): every variable
 * has a type, a default and a one-line doc; an invalid value stops startup naming it.
 */
import os from 'node:os';
import path from 'node:path';
import { DRIFT_METHODS, resolveDriftOptions, isDriftError } from '@wine/drift';
import type { DriftMethod, DriftOptions } from '@wine/drift';
import { BUNDLED_MODEL_DIR } from '@wine/prediction-service';
import { isMlflowClientError, mlflowOptionsFromEnv } from 'mlflow-ts-client';
import type { CredentialsProvider } from 'mlflow-ts-client';
import type { SecretEnvName } from '@wine/azure';
import { z } from 'zod';

export interface MonitorConfig {
  readonly databaseUrl: string;
  readonly port: number;
  readonly host: string;
  readonly intervalS: number;
  /** Drift window: the newest N rows of the served version ... */
  readonly windowRows: number;
  /** ... predicted in the last T minutes, when set. */
  readonly windowMinutes: number | undefined;
  readonly drift: DriftOptions;
  /** Live error: each version's newest N labelled predictions ... */
  readonly errorWindowRows: number;
  /** ... predicted in the last T minutes (also the feedback-coverage window). */
  readonly errorWindowMinutes: number;
  readonly rmseThreshold: number;
  /** Model directories searched for directory-sourced versions (sha256:…), bundled model last. */
  readonly modelDirs: readonly string[];
  readonly mlflow:
    | {
        readonly trackingUri: string;
        readonly credentials: CredentialsProvider;
        readonly timeoutMs: number;
        readonly retries: number;
      }
    | undefined;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** Secret variables the monitor takes from Key Vault when AZURE_KEY_VAULT_URL is set. */
export const MONITOR_SECRET_ENV: readonly SecretEnvName[] = [
  'DATABASE_URL',
  'MLFLOW_TRACKING_PASSWORD',
];

export const MONITOR_ENV_DOCS = {
  DATABASE_URL:
    'PostgreSQL holding the prediction log (required); run `pnpm run db:migrate up` first.',
  MONITOR_PORT: 'TCP port of the monitor’s /metrics, /status and /health (default 9698).',
  MONITOR_HOST:
    'Interface to bind (default 127.0.0.1; 0.0.0.0 in a container so Prometheus can scrape).',
  MONITOR_INTERVAL_S: 'Seconds between monitor runs (default 30).',
  MONITOR_WINDOW_ROWS:
    'Drift window: the newest N predictions of the served model version (default 5000).',
  MONITOR_WINDOW_MINUTES:
    'Drift window: only predictions of the last T minutes (unset → the row window alone).',
  MONITOR_MIN_ROWS:
    'Below this many rows in the window the verdict is "not enough data", never drift (default 200).',
  MONITOR_DRIFT_SHARE:
    'Dataset drift when at least this share of columns drift (default 0.5, Evidently’s).',
  MONITOR_NUMERICAL_METHOD: `Numerical drift method: auto (Evidently’s choice) | ${DRIFT_METHODS.join(' | ')} (default auto).`,
  MONITOR_CATEGORICAL_METHOD:
    'Method for wine_type: auto | chisquare | z | jensenshannon (default auto).',
  MONITOR_DRIFT_THRESHOLDS:
    'Per-method thresholds, e.g. "wasserstein=0.15,ks=0.01" (defaults: Evidently’s, e.g. wasserstein 0.1, ks 0.05).',
  MONITOR_COLUMN_THRESHOLDS: 'Per-column thresholds, e.g. "alcohol=0.2,sulphates=0.2".',
  MONITOR_ERROR_WINDOW_ROWS:
    'Live RMSE/MAE over each version’s newest N labelled predictions (default 1000).',
  MONITOR_ERROR_WINDOW_MINUTES:
    'Live error and feedback coverage over predictions of the last T minutes (default 1440 = 1 day).',
  MONITOR_RMSE_THRESHOLD:
    'Live RMSE above which LiveRmseHigh fires (exported as wine_live_rmse_threshold; default 0.9).',
  MONITOR_MODEL_DIRS:
    'Model directories (comma-separated) where directory-sourced versions (sha256:…) are looked up; the service’s bundled model is always searched last.',
  LOG_LEVEL: 'fatal|error|warn|info|debug|trace|silent (default info).',
} as const;

const int = (min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .transform((v) => v ?? fallback);

const num = (min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .transform(Number)
    .pipe(z.number().min(min).max(max))
    .optional()
    .transform((v) => v ?? fallback);

const EnvSchema = z.object({
  DATABASE_URL: z
    .string({ error: 'is required: the monitor reads the prediction log' })
    .trim()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be postgres://user:password@host:port/database'),
  MONITOR_PORT: int(0, 65535, 9698),
  MONITOR_HOST: z.string().trim().min(1).optional().default('127.0.0.1'),
  MONITOR_INTERVAL_S: int(1, 86_400, 30),
  MONITOR_WINDOW_ROWS: int(1, 10_000_000, 5000),
  MONITOR_WINDOW_MINUTES: int(1, 525_600, 0),
  MONITOR_MIN_ROWS: int(0, 10_000_000, 200),
  MONITOR_DRIFT_SHARE: num(0.0001, 1, 0.5),
  MONITOR_NUMERICAL_METHOD: z
    .enum(['auto', ...DRIFT_METHODS])
    .optional()
    .default('auto'),
  MONITOR_CATEGORICAL_METHOD: z
    .enum(['auto', ...DRIFT_METHODS])
    .optional()
    .default('auto'),
  MONITOR_DRIFT_THRESHOLDS: z.string().optional(),
  MONITOR_COLUMN_THRESHOLDS: z.string().optional(),
  MONITOR_ERROR_WINDOW_ROWS: int(1, 10_000_000, 1000),
  MONITOR_ERROR_WINDOW_MINUTES: int(1, 5_256_000, 1440),
  MONITOR_RMSE_THRESHOLD: num(0, 10, 0.9),
  MONITOR_MODEL_DIRS: z.string().optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .optional()
    .default('info'),
});

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** "a=1,b=0.2" → { a: 1, b: 0.2 }; names checked by `allowed`. */
function parsePairs(
  variable: string,
  raw: string | undefined,
  allowed: (name: string) => boolean,
): Record<string, number> {
  const out: Record<string, number> = {};
  if (raw === undefined || raw.trim() === '') return out;
  for (const part of raw.split(',')) {
    const match = /^\s*([a-z_]+)\s*=\s*([0-9.eE+-]+)\s*$/.exec(part);
    const value = match === null ? NaN : Number(match[2]);
    if (match?.[1] === undefined || !Number.isFinite(value) || value <= 0) {
      throw new ConfigError(
        `${variable}: "${part}" is not name=positive number (e.g. wasserstein=0.15)`,
      );
    }
    if (!allowed(match[1])) throw new ConfigError(`${variable}: unknown name "${match[1]}"`);
    out[match[1]] = value;
  }
  return out;
}

export function loadMonitorConfig(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): MonitorConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      const shown = name === 'DATABASE_URL' ? '' : `=${JSON.stringify(env[name] ?? '')}`;
      return `${name}${shown}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid environment:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const thresholds = parsePairs('MONITOR_DRIFT_THRESHOLDS', e.MONITOR_DRIFT_THRESHOLDS, (n) =>
    (DRIFT_METHODS as readonly string[]).includes(n),
  ) as Partial<Record<DriftMethod, number>>;
  const columnThresholds = parsePairs(
    'MONITOR_COLUMN_THRESHOLDS',
    e.MONITOR_COLUMN_THRESHOLDS,
    (n) => /^[a-z_]+$/.test(n),
  );
  const drift: DriftOptions = {
    minRows: e.MONITOR_MIN_ROWS,
    driftShare: e.MONITOR_DRIFT_SHARE,
    numericalMethod: e.MONITOR_NUMERICAL_METHOD,
    categoricalMethod: e.MONITOR_CATEGORICAL_METHOD,
    thresholds,
    columns: Object.fromEntries(
      Object.entries(columnThresholds).map(([c, t]) => [c, { threshold: t }]),
    ),
  };
  try {
    resolveDriftOptions(drift);
  } catch (error) {
    if (isDriftError(error)) throw new ConfigError(`${error.message}: ${error.details.join('; ')}`);
    throw error;
  }
  let mlflow: MonitorConfig['mlflow'];
  try {
    const options = mlflowOptionsFromEnv(env);
    mlflow =
      options.trackingUri === undefined
        ? undefined
        : {
            trackingUri: options.trackingUri,
            credentials: options.credentials,
            timeoutMs: options.timeoutMs ?? 5000,
            retries: options.retries ?? 2,
          };
  } catch (error) {
    throw new ConfigError(isMlflowClientError(error) ? error.message : String(error));
  }
  const dirs = (e.MONITOR_MODEL_DIRS ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '')
    .map((d) => path.resolve(cwd, d.replace(/^file:/, '')));
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    port: e.MONITOR_PORT,
    host: e.MONITOR_HOST,
    intervalS: e.MONITOR_INTERVAL_S,
    windowRows: e.MONITOR_WINDOW_ROWS,
    windowMinutes: e.MONITOR_WINDOW_MINUTES === 0 ? undefined : e.MONITOR_WINDOW_MINUTES,
    drift,
    errorWindowRows: e.MONITOR_ERROR_WINDOW_ROWS,
    errorWindowMinutes: e.MONITOR_ERROR_WINDOW_MINUTES,
    rmseThreshold: e.MONITOR_RMSE_THRESHOLD,
    modelDirs: [...dirs, BUNDLED_MODEL_DIR],
    mlflow,
    logLevel: e.LOG_LEVEL,
  });
}

/** Where MLflow downloads go while a reference is prepared. */
export const DOWNLOAD_ROOT = os.tmpdir();
