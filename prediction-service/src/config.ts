/**
 * The service's environment, read once and validated (convention C7). Every variable has a
 * type, a default and a one-line doc; an invalid value fails startup with a message naming
 * the variable to fix.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  isMlflowClientError,
  mlflowOptionsFromEnv,
  parseModelUri as parseMlflowUri,
} from 'mlflow-ts-client';
import type { CredentialsProvider } from 'mlflow-ts-client';
import type { SecretEnvName } from '@wine/azure';
import { z } from 'zod';

export type ModelUri =
  | { kind: 'bundled' }
  | { kind: 'file'; dir: string }
  /** `models:/…` or `runs:/…`, served from the MLflow tracking server / registry. */
  | { kind: 'mlflow'; uri: string };

/** How to reach MLflow; set whenever MLFLOW_TRACKING_URI is. */
export interface MlflowConfig {
  readonly trackingUri: string;
  readonly credentials: CredentialsProvider;
  /** Per attempt; a poll must not hang for Python's 120 s default. */
  readonly timeoutMs: number;
  /** Retries per request; low, because the next poll is the real retry. */
  readonly retries: number;
}

/**
 * File descriptors kept free for everything but public connections: model files, MLflow and
 * PostgreSQL connections, the management port, logs, cluster IPC.
 */
export const FD_RESERVE = 512;
export const DEFAULT_MAX_CONNECTIONS = 10_000;
export const DEFAULT_MAX_PER_ADDRESS = 256;
/** The management port's own cap (part of FD_RESERVE). */
export const MANAGEMENT_MAX_CONNECTIONS = 128;

/** This process's open-file limit (Node raises the soft limit to the hard one at startup). */
export function openFileLimit(): number | undefined {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const soft = /^Max open files\s+(\d+)/m.exec(limits)?.[1];
    return soft === undefined ? undefined : Number(soft);
  } catch {
    return undefined; // not Linux: no check
  }
}

/** Poll interval when MODEL_URI is an MLflow URI and MODEL_POLL_INTERVAL_S is unset. */
export const DEFAULT_MLFLOW_POLL_INTERVAL_S = 30;
export const DEFAULT_MLFLOW_TIMEOUT_MS = 5000;
export const DEFAULT_MLFLOW_RETRIES = 2;

export interface Config {
  /** TCP port to listen on. */
  readonly port: number;
  /** Interface to bind. */
  readonly host: string;
  /** TCP port of the operations endpoints (/metrics, /model, /model/reload). */
  readonly managementPort: number;
  /** Interface for the management port; loopback unless the scraper sits elsewhere. */
  readonly managementHost: string;
  /** Which model to serve; unset → the bundled model. */
  readonly modelUri: ModelUri;
  /** Re-check the model source every N seconds, jittered (0 = only at startup and on POST /model/reload). */
  readonly modelPollIntervalS: number;
  /** MLflow connection; undefined when MLFLOW_TRACKING_URI is unset. */
  readonly mlflow: MlflowConfig | undefined;
  /** Bearer token for POST /model/reload; unset → admin endpoints disabled. */
  readonly adminToken: string | undefined;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Worker processes; > 1 runs a node:cluster. */
  readonly webConcurrency: number;
  /** Largest accepted request body in bytes. */
  readonly maxBodyBytes: number;
  /** Largest accepted batch in rows. */
  readonly maxBatchRows: number;
  /** Seconds to finish in-flight requests after SIGTERM/SIGINT before forcing exit. */
  readonly shutdownTimeoutS: number;
  /** Open connections on the public port per worker; kept below the open-file limit. */
  readonly maxConnections: number;
  /** Open connections per client address (IPv6: per /64) per worker; 0 = no per-address cap. */
  readonly maxConnectionsPerAddress: number;
  /** Seconds a client has to send a request's headers (slowloris). */
  readonly headersTimeoutS: number;
  /** Seconds a client has to send a whole request, body included. */
  readonly requestTimeoutS: number;
  /** Seconds an idle keep-alive connection stays open. */
  readonly keepAliveTimeoutS: number;
  /** The prediction log and feedback; undefined when DATABASE_URL is unset (logging off). */
  readonly predictionLog: PredictionLogConfig | undefined;
  /** Bearer token for POST /feedback; unset → feedback disabled (404). */
  readonly feedbackToken: string | undefined;
}

export interface PredictionLogConfig {
  readonly databaseUrl: string;
  /** Rows held in memory while PostgreSQL is slow or down; the oldest are dropped above. */
  readonly queueRows: number;
  readonly batchRows: number;
  readonly flushIntervalMs: number;
}

/** Docs for README and `.env.sample`; keys are the environment variable names. */
export const ENV_DOCS = {
  PORT: 'TCP port (default 9696).',
  HOST: 'Interface to bind (default 0.0.0.0).',
  MANAGEMENT_PORT:
    'TCP port of the operations endpoints /metrics, /model and /model/reload (default 9697); never expose it to the internet.',
  MANAGEMENT_HOST:
    'Interface for the management port (default 127.0.0.1; 0.0.0.0 inside a container so Prometheus on the compose network can scrape).',
  MODEL_URI:
    'Model to serve: unset → bundled model; file:<dir> → a model directory; models:/wine-quality@champion, models:/wine-quality/3 or runs:/<run id>/model → from MLflow (needs MLFLOW_TRACKING_URI).',
  MODEL_POLL_INTERVAL_S: `Re-check the model source every N seconds (±10 % jitter); 0 disables polling (default ${DEFAULT_MLFLOW_POLL_INTERVAL_S} for MLflow URIs, else 0).`,
  MLFLOW_TRACKING_URI:
    'MLflow tracking server, e.g. http://mlflow:5000; required for models:/ and runs:/ MODEL_URIs.',
  MLFLOW_TRACKING_USERNAME:
    'Basic-auth user for MLflow (with MLFLOW_TRACKING_PASSWORD); unset → no basic auth.',
  MLFLOW_TRACKING_PASSWORD: 'Basic-auth password for MLflow.',
  MLFLOW_TRACKING_TOKEN: 'Bearer token for MLflow, used when no username/password is set.',
  MLFLOW_HTTP_REQUEST_TIMEOUT: `Seconds per MLflow request attempt (default ${DEFAULT_MLFLOW_TIMEOUT_MS / 1000}).`,
  MLFLOW_HTTP_REQUEST_MAX_RETRIES: `Retries per MLflow request on connection errors, 429 and 5xx (default ${DEFAULT_MLFLOW_RETRIES}).`,
  ADMIN_TOKEN: 'Bearer token for POST /model/reload; unset disables admin endpoints (404).',
  LOG_LEVEL: 'fatal|error|warn|info|debug|trace|silent (default info).',
  WEB_CONCURRENCY:
    'Worker processes; > 1 runs a node:cluster with aggregated /metrics (default 1).',
  MAX_BODY_BYTES: 'Largest request body in bytes (default 1048576 = 1 MB) → 413 above.',
  MAX_BATCH_ROWS: 'Largest batch in rows (default 10000) → 413 above.',
  MAX_CONNECTIONS: `Open connections on the public port per worker (default ${DEFAULT_MAX_CONNECTIONS}, or the open-file limit minus ${FD_RESERVE} if lower; must stay below it). At the cap the longest-open idle connection is closed, else the new one is refused.`,
  MAX_CONNECTIONS_PER_ADDRESS: `Open connections per client address (IPv6: per /64) per worker (default ${DEFAULT_MAX_PER_ADDRESS}; 0 = no cap, e.g. behind a reverse proxy that limits clients itself). At the cap that client's longest-open idle connection is closed, else the new one is refused.`,
  HEADERS_TIMEOUT_S:
    'Seconds a client has to send the request headers, else 408 and close (default 10).',
  REQUEST_TIMEOUT_S:
    'Seconds a client has to send the whole request, body included, else 408 and close (default 30).',
  KEEP_ALIVE_TIMEOUT_S:
    'Seconds an idle keep-alive connection stays open (default 5; keep it above a reverse proxy’s upstream idle timeout).',
  SHUTDOWN_TIMEOUT_S:
    'Seconds to drain in-flight requests (and flush the prediction log) on SIGTERM/SIGINT (default 10).',
  DATABASE_URL:
    'PostgreSQL for the prediction log and feedback, postgres://user:password@host:5432/db; unset → logging off. Run `pnpm run db:migrate up` first.',
  FEEDBACK_TOKEN:
    'Bearer token for POST /feedback (the labelling system’s credential, separate from ADMIN_TOKEN); unset → feedback disabled (404). Needs DATABASE_URL.',
  PREDICTION_LOG_QUEUE_ROWS:
    'Prediction-log rows held in memory per worker while PostgreSQL is slow or down; the oldest are dropped above (default 100000).',
  PREDICTION_LOG_BATCH_ROWS: 'Rows per prediction-log write, at most 65536 (default 2000).',
  PREDICTION_LOG_FLUSH_MS: 'A partial prediction-log batch waits at most this long (default 250).',
} as const;

/** A whole number in [min, max], or undefined when unset. */
const optionalInt = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional();

const int = (min: number, max: number, fallback: number) =>
  optionalInt(min, max).transform((v) => v ?? fallback);

const EnvSchema = z.object({
  PORT: int(0, 65535, 9696),
  HOST: z.string().trim().min(1).optional().default('0.0.0.0'),
  MANAGEMENT_PORT: int(0, 65535, 9697),
  MANAGEMENT_HOST: z.string().trim().min(1).optional().default('127.0.0.1'),
  MODEL_URI: z.string().trim().optional(),
  MODEL_POLL_INTERVAL_S: optionalInt(0, 86_400),
  ADMIN_TOKEN: z.string().optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .optional()
    .default('info'),
  WEB_CONCURRENCY: int(1, Math.max(64, os.availableParallelism() * 4), 1),
  MAX_BODY_BYTES: int(1024, 1024 * 1024 * 1024, 1024 * 1024),
  MAX_BATCH_ROWS: int(1, 10_000_000, 10_000),
  MAX_CONNECTIONS: optionalInt(1, 10_000_000),
  MAX_CONNECTIONS_PER_ADDRESS: int(0, 10_000_000, DEFAULT_MAX_PER_ADDRESS),
  HEADERS_TIMEOUT_S: int(1, 600, 10),
  REQUEST_TIMEOUT_S: int(1, 3600, 30),
  KEEP_ALIVE_TIMEOUT_S: int(1, 3600, 5),
  SHUTDOWN_TIMEOUT_S: int(1, 3600, 10),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be postgres://user:password@host:port/database')
    .optional()
    .or(z.literal('')),
  FEEDBACK_TOKEN: z.string().optional(),
  PREDICTION_LOG_QUEUE_ROWS: int(1, 100_000_000, 100_000),
  PREDICTION_LOG_BATCH_ROWS: int(1, 65_536, 2000),
  PREDICTION_LOG_FLUSH_MS: int(1, 60_000, 250),
});

/** Secret variables the service takes from Key Vault when AZURE_KEY_VAULT_URL is set. */
export const SECRET_ENV: readonly SecretEnvName[] = [
  'ADMIN_TOKEN',
  'MLFLOW_TRACKING_PASSWORD',
  'DATABASE_URL',
];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses MODEL_URI; an unsupported scheme is a ConfigError saying what to do instead. */
export function parseModelUri(raw: string | undefined, cwd = process.cwd()): ModelUri {
  if (raw === undefined || raw === '' || raw === 'bundled') return { kind: 'bundled' };
  if (raw.startsWith('file:')) {
    const rest = raw.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
    if (rest === '') throw new ConfigError('MODEL_URI=file: needs a directory, e.g. file:./model');
    return { kind: 'file', dir: path.resolve(cwd, rest) };
  }
  if (/^(models|runs):/.test(raw)) {
    let parsed;
    try {
      parsed = parseMlflowUri(raw);
    } catch (error) {
      throw new ConfigError(
        `MODEL_URI: ${isMlflowClientError(error) ? error.message : String(error)}`,
      );
    }
    if (parsed.kind === 'stage') {
      throw new ConfigError(
        `MODEL_URI=${raw}: model stages are deprecated in MLflow 3; use an alias, e.g. models:/${parsed.name}@champion.`,
      );
    }
    return { kind: 'mlflow', uri: raw };
  }
  throw new ConfigError(
    `MODEL_URI=${raw} is not understood. Use models:/<name>@<alias>, models:/<name>/<version>, ` +
      'runs:/<run id>/<path>, file:<model dir>, or leave it unset for the bundled model.',
  );
}

/** MLflow connection from MLFLOW_* (service defaults: short timeout, few retries); undefined when MLFLOW_TRACKING_URI is unset. */
export function mlflowConfig(env: NodeJS.ProcessEnv): MlflowConfig | undefined {
  let options;
  try {
    options = mlflowOptionsFromEnv(env);
  } catch (error) {
    throw new ConfigError(isMlflowClientError(error) ? error.message : String(error));
  }
  if (options.trackingUri === undefined) return undefined;
  if (!/^https?:\/\/[^/]/.test(options.trackingUri)) {
    throw new ConfigError(
      `MLFLOW_TRACKING_URI=${options.trackingUri}: the service talks to a tracking server over HTTP; use http(s)://host:port.`,
    );
  }
  return {
    trackingUri: options.trackingUri,
    credentials: options.credentials,
    timeoutMs: options.timeoutMs ?? DEFAULT_MLFLOW_TIMEOUT_MS,
    retries: options.retries ?? DEFAULT_MLFLOW_RETRIES,
  };
}

/** MAX_CONNECTIONS, or its default, checked against the open-file limit. */
function maxConnections(explicit: number | undefined, fdLimit: number | undefined): number {
  if (fdLimit === undefined) return explicit ?? DEFAULT_MAX_CONNECTIONS;
  const room = fdLimit - FD_RESERVE;
  const raise =
    'raise the limit (ulimit -n, systemd LimitNOFILE=, docker run --ulimit nofile=N:N, compose ulimits.nofile)';
  if (room < 1) {
    throw new ConfigError(
      `The open-file limit of this process is ${fdLimit}: too low to serve (${FD_RESERVE} are kept for files, MLflow, PostgreSQL and the management port); ${raise}.`,
    );
  }
  if (explicit === undefined) return Math.min(DEFAULT_MAX_CONNECTIONS, room);
  if (explicit > room) {
    throw new ConfigError(
      `MAX_CONNECTIONS=${explicit} does not fit under this process's open-file limit (${fdLimit}, of which ${FD_RESERVE} are kept for files, MLflow, PostgreSQL and the management port): set it to at most ${room}, or ${raise}.`,
    );
  }
  return explicit;
}

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  fdLimit: number | undefined = openFileLimit(),
): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      return `${name}=${JSON.stringify(env[name] ?? '')}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid environment:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const token = e.ADMIN_TOKEN === undefined || e.ADMIN_TOKEN === '' ? undefined : e.ADMIN_TOKEN;
  const modelUri = parseModelUri(e.MODEL_URI);
  const mlflow = mlflowConfig(env);
  if (modelUri.kind === 'mlflow' && mlflow === undefined) {
    throw new ConfigError(
      `MODEL_URI=${modelUri.uri} needs MLFLOW_TRACKING_URI (e.g. http://127.0.0.1:5000) to reach the registry.`,
    );
  }
  if (e.MANAGEMENT_PORT === e.PORT && e.PORT !== 0) {
    throw new ConfigError(
      `MANAGEMENT_PORT=${e.MANAGEMENT_PORT} is also PORT: the operations endpoints need their own port (default 9697).`,
    );
  }
  if (e.HEADERS_TIMEOUT_S > e.REQUEST_TIMEOUT_S) {
    throw new ConfigError(
      `HEADERS_TIMEOUT_S=${e.HEADERS_TIMEOUT_S} is longer than REQUEST_TIMEOUT_S=${e.REQUEST_TIMEOUT_S}: the headers are part of the request.`,
    );
  }
  const predictionLog =
    e.DATABASE_URL === undefined || e.DATABASE_URL === ''
      ? undefined
      : {
          databaseUrl: e.DATABASE_URL,
          queueRows: e.PREDICTION_LOG_QUEUE_ROWS,
          batchRows: e.PREDICTION_LOG_BATCH_ROWS,
          flushIntervalMs: e.PREDICTION_LOG_FLUSH_MS,
        };
  const feedbackToken =
    e.FEEDBACK_TOKEN === undefined || e.FEEDBACK_TOKEN === '' ? undefined : e.FEEDBACK_TOKEN;
  if (feedbackToken !== undefined && predictionLog === undefined) {
    throw new ConfigError(
      'FEEDBACK_TOKEN is set but DATABASE_URL is not: feedback labels logged predictions, so set DATABASE_URL too (or unset FEEDBACK_TOKEN).',
    );
  }
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    managementPort: e.MANAGEMENT_PORT,
    managementHost: e.MANAGEMENT_HOST,
    modelUri,
    modelPollIntervalS:
      e.MODEL_POLL_INTERVAL_S ?? (modelUri.kind === 'mlflow' ? DEFAULT_MLFLOW_POLL_INTERVAL_S : 0),
    mlflow,
    adminToken: token,
    logLevel: e.LOG_LEVEL,
    webConcurrency: e.WEB_CONCURRENCY,
    maxBodyBytes: e.MAX_BODY_BYTES,
    maxBatchRows: e.MAX_BATCH_ROWS,
    shutdownTimeoutS: e.SHUTDOWN_TIMEOUT_S,
    maxConnections: maxConnections(e.MAX_CONNECTIONS, fdLimit),
    maxConnectionsPerAddress: e.MAX_CONNECTIONS_PER_ADDRESS,
    headersTimeoutS: e.HEADERS_TIMEOUT_S,
    requestTimeoutS: e.REQUEST_TIMEOUT_S,
    keepAliveTimeoutS: e.KEEP_ALIVE_TIMEOUT_S,
    predictionLog,
    feedbackToken,
  });
}
