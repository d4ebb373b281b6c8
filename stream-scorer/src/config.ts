/**
 * The stream scorer's environment, read once and validated (convention C7): every variable
 * has a type, a default and a one-line doc; an invalid value stops startup naming it. The
 * model and prediction-log variables mean what they mean for the prediction service.
 */
import os from 'node:os';
import type { SecretEnvName } from '@wine/azure';
import {
  ConfigError,
  DEFAULT_MLFLOW_POLL_INTERVAL_S,
  mlflowConfig,
  parseModelUri,
} from '@wine/prediction-service';
import type { MlflowConfig, ModelUri, PredictionLogConfig } from '@wine/prediction-service';
import { z } from 'zod';

export { ConfigError };

export const DEFAULT_METRICS_PORT = 9700;

export interface StreamNames {
  readonly input: string;
  readonly output: string;
  readonly deadLetter: string;
  readonly group: string;
  /** This process's name in the group; must be unique among live consumers. */
  readonly consumer: string;
}

export interface ConsumerSettings {
  /** Most entries read (and scored) at once. */
  readonly batchSize: number;
  /** How long a read waits for new entries before looking again. */
  readonly blockMs: number;
  /** Most entries this consumer holds read but not yet acknowledged (back-pressure). */
  readonly maxPending: number;
  /** Entries another consumer has held this long unacknowledged are claimed and re-scored. */
  readonly claimIdleMs: number;
  /** An entry delivered more often than this (each holder died) is dead-lettered, not scored. */
  readonly maxDeliveries: number;
  /** Largest `record` field accepted, in bytes. */
  readonly maxRecordBytes: number;
}

export interface StreamConfig {
  readonly redisUrl: string;
  readonly streams: StreamNames;
  /** Where a new group starts: "0" = everything in the input stream, "$" = only new entries. */
  readonly groupStart: '0' | '$';
  readonly consumer: ConsumerSettings;
  /** Approximate cap on the output and dead-letter streams (XADD MAXLEN ~); 0 = keep all. */
  readonly outputMaxLen: number;
  readonly metricsPort: number;
  readonly metricsHost: string;
  readonly modelUri: ModelUri;
  readonly modelPollIntervalS: number;
  readonly mlflow: MlflowConfig | undefined;
  /** The prediction log; undefined when DATABASE_URL is unset. */
  readonly predictionLog: PredictionLogConfig | undefined;
  readonly shutdownTimeoutS: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** Secret variables the scorer takes from Key Vault when AZURE_KEY_VAULT_URL is set. */
export const STREAM_SECRET_ENV: readonly SecretEnvName[] = [
  'REDIS_URL',
  'DATABASE_URL',
  'MLFLOW_TRACKING_PASSWORD',
];

/** Docs for README and `.env.sample`; keys are the environment variable names. */
export const STREAM_ENV_DOCS = {
  REDIS_URL:
    'Redis holding the streams, redis://[user:password@]host:port[/db] or rediss://… (default redis://127.0.0.1:6379).',
  STREAM_INPUT:
    'Stream of measurements to score; each entry has one field `record` = JSON of one wine (default wine:measurements).',
  STREAM_OUTPUT:
    'Stream the predictions go to: fields input_id, prediction, model_version (default wine:predictions).',
  STREAM_DEAD_LETTER:
    'Stream of entries that could not be scored: fields input_id, code, message (default wine:dead-letter).',
  STREAM_GROUP:
    'Consumer group; every scorer in it shares the input, each entry goes to one of them (default wine-scorers).',
  STREAM_CONSUMER:
    'This process’s name in the group, unique among running scorers (default <hostname>-<pid>); a stable name lets a restarted scorer finish its own pending entries first.',
  STREAM_GROUP_START:
    'Where a group created by the scorer starts: 0 = every entry already in the stream, $ = only entries added later (default 0).',
  STREAM_BATCH_SIZE: 'Entries read and scored at once (default 500).',
  STREAM_BLOCK_MS:
    'How long a read waits for new entries (default 1000); also bounds the shutdown wait.',
  STREAM_MAX_PENDING:
    'Most entries one scorer holds read but unacknowledged; it stops reading above (default 5000).',
  STREAM_CLAIM_IDLE_MS:
    'Entries held this long unacknowledged by a consumer (crashed, stuck) are claimed and re-scored (default 30000).',
  STREAM_MAX_DELIVERIES:
    'An entry delivered more often than this without being acknowledged goes to the dead-letter stream as TOO_MANY_DELIVERIES (default 5).',
  STREAM_MAX_RECORD_BYTES: 'Largest `record` field accepted (default 16384) → PAYLOAD_TOO_LARGE.',
  STREAM_OUTPUT_MAXLEN:
    'Approximate cap on the output and dead-letter streams (XADD MAXLEN ~); 0 keeps everything (default 0).',
  STREAM_METRICS_PORT: `TCP port of /metrics, /health, /ready and /status (default ${DEFAULT_METRICS_PORT}).`,
  STREAM_METRICS_HOST:
    'Interface of that port (default 127.0.0.1; 0.0.0.0 in a container so Prometheus can scrape).',
  MODEL_URI:
    'Model to score with, as for the prediction service: unset → bundled; file:<dir>; models:/wine-quality@champion (needs MLFLOW_TRACKING_URI).',
  MODEL_POLL_INTERVAL_S: `Re-check the model source every N seconds and hot-swap (default ${DEFAULT_MLFLOW_POLL_INTERVAL_S} for MLflow URIs, else 0).`,
  MLFLOW_TRACKING_URI: 'MLflow tracking server for models:/ and runs:/ URIs.',
  MLFLOW_TRACKING_USERNAME: 'Basic-auth user for MLflow.',
  MLFLOW_TRACKING_PASSWORD: 'Basic-auth password for MLflow.',
  MLFLOW_TRACKING_TOKEN: 'Bearer token for MLflow.',
  MLFLOW_HTTP_REQUEST_TIMEOUT: 'Seconds per MLflow request attempt (default 5).',
  MLFLOW_HTTP_REQUEST_MAX_RETRIES: 'Retries per MLflow request (default 2).',
  DATABASE_URL:
    'PostgreSQL of the prediction log: streamed predictions are logged like the API’s (endpoint "stream") and count for drift; unset → not logged.',
  PREDICTION_LOG_QUEUE_ROWS:
    'Prediction-log rows held while PostgreSQL is slow or down (default 100000).',
  PREDICTION_LOG_BATCH_ROWS: 'Rows per prediction-log write, at most 65536 (default 2000).',
  PREDICTION_LOG_FLUSH_MS: 'A partial prediction-log batch waits at most this long (default 250).',
  SHUTDOWN_TIMEOUT_S:
    'On SIGTERM/SIGINT: seconds to finish the batch in hand, acknowledge it and flush the log (default 10).',
  LOG_LEVEL: 'fatal|error|warn|info|debug|trace|silent (default info).',
} as const;

const blank = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const int = (min: number, max: number, fallback: number) =>
  z.preprocess(
    blank,
    z
      .string()
      .trim()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(min).max(max))
      .default(fallback),
  );
/** Redis keys: printable, no spaces (they appear in commands, logs and metric labels). */
const key = (fallback: string) =>
  z.preprocess(
    blank,
    z
      .string()
      .trim()
      .regex(/^[\x21-\x7e]{1,200}$/, 'must be 1–200 printable characters without spaces')
      .default(fallback),
  );

const EnvSchema = z.object({
  REDIS_URL: z.preprocess(
    blank,
    z
      .string()
      .trim()
      .regex(/^rediss?:\/\/\S+$/, 'must be redis://host:port or rediss://host:port')
      .default('redis://127.0.0.1:6379'),
  ),
  STREAM_INPUT: key('wine:measurements'),
  STREAM_OUTPUT: key('wine:predictions'),
  STREAM_DEAD_LETTER: key('wine:dead-letter'),
  STREAM_GROUP: key('wine-scorers'),
  STREAM_CONSUMER: key(`${os.hostname()}-${process.pid}`),
  STREAM_GROUP_START: z.preprocess(blank, z.enum(['0', '$']).default('0')),
  STREAM_BATCH_SIZE: int(1, 10_000, 500),
  STREAM_BLOCK_MS: int(1, 60_000, 1000),
  STREAM_MAX_PENDING: int(1, 1_000_000, 5000),
  STREAM_CLAIM_IDLE_MS: int(100, 86_400_000, 30_000),
  STREAM_MAX_DELIVERIES: int(1, 1000, 5),
  STREAM_MAX_RECORD_BYTES: int(256, 1024 * 1024, 16 * 1024),
  STREAM_OUTPUT_MAXLEN: int(0, 1_000_000_000, 0),
  STREAM_METRICS_PORT: int(0, 65535, DEFAULT_METRICS_PORT),
  STREAM_METRICS_HOST: z.preprocess(blank, z.string().trim().default('127.0.0.1')),
  MODEL_URI: z.string().trim().optional(),
  MODEL_POLL_INTERVAL_S: z.preprocess(
    blank,
    z
      .string()
      .trim()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(0).max(86_400))
      .optional(),
  ),
  DATABASE_URL: z.preprocess(
    blank,
    z
      .string()
      .trim()
      .regex(/^postgres(ql)?:\/\/\S+$/, 'must be postgres://user:password@host:port/database')
      .optional(),
  ),
  PREDICTION_LOG_QUEUE_ROWS: int(1, 100_000_000, 100_000),
  PREDICTION_LOG_BATCH_ROWS: int(1, 65_536, 2000),
  PREDICTION_LOG_FLUSH_MS: int(1, 60_000, 250),
  SHUTDOWN_TIMEOUT_S: int(1, 3600, 10),
  LOG_LEVEL: z.preprocess(
    blank,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
});

/** Never echo secrets (URLs may carry passwords) in a config error. */
const SECRET_VARIABLES: ReadonlySet<string> = new Set(['REDIS_URL', 'DATABASE_URL']);

export function loadStreamConfig(env: NodeJS.ProcessEnv = process.env): StreamConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      const shown = SECRET_VARIABLES.has(name) ? '' : `=${JSON.stringify(env[name] ?? '')}`;
      return `${name}${shown}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid environment:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const names = [e.STREAM_INPUT, e.STREAM_OUTPUT, e.STREAM_DEAD_LETTER];
  if (new Set(names).size !== names.length) {
    throw new ConfigError(
      `STREAM_INPUT, STREAM_OUTPUT and STREAM_DEAD_LETTER must be three different streams (got ${names.join(', ')}): scoring into the input would feed the scorer its own output.`,
    );
  }
  if (e.STREAM_BATCH_SIZE > e.STREAM_MAX_PENDING) {
    throw new ConfigError(
      `STREAM_BATCH_SIZE=${e.STREAM_BATCH_SIZE} is above STREAM_MAX_PENDING=${e.STREAM_MAX_PENDING}: one batch must fit in what a scorer may hold.`,
    );
  }
  const modelUri = parseModelUri(e.MODEL_URI);
  const mlflow = mlflowConfig(env);
  if (modelUri.kind === 'mlflow' && mlflow === undefined) {
    throw new ConfigError(
      `MODEL_URI=${modelUri.uri} needs MLFLOW_TRACKING_URI (e.g. http://127.0.0.1:5000) to reach the registry.`,
    );
  }
  return Object.freeze({
    redisUrl: e.REDIS_URL,
    streams: {
      input: e.STREAM_INPUT,
      output: e.STREAM_OUTPUT,
      deadLetter: e.STREAM_DEAD_LETTER,
      group: e.STREAM_GROUP,
      consumer: e.STREAM_CONSUMER,
    },
    groupStart: e.STREAM_GROUP_START,
    consumer: {
      batchSize: e.STREAM_BATCH_SIZE,
      blockMs: e.STREAM_BLOCK_MS,
      maxPending: e.STREAM_MAX_PENDING,
      claimIdleMs: e.STREAM_CLAIM_IDLE_MS,
      maxDeliveries: e.STREAM_MAX_DELIVERIES,
      maxRecordBytes: e.STREAM_MAX_RECORD_BYTES,
    },
    outputMaxLen: e.STREAM_OUTPUT_MAXLEN,
    metricsPort: e.STREAM_METRICS_PORT,
    metricsHost: e.STREAM_METRICS_HOST,
    modelUri,
    modelPollIntervalS:
      e.MODEL_POLL_INTERVAL_S ?? (modelUri.kind === 'mlflow' ? DEFAULT_MLFLOW_POLL_INTERVAL_S : 0),
    mlflow,
    predictionLog:
      e.DATABASE_URL === undefined
        ? undefined
        : {
            databaseUrl: e.DATABASE_URL,
            queueRows: e.PREDICTION_LOG_QUEUE_ROWS,
            batchRows: e.PREDICTION_LOG_BATCH_ROWS,
            flushIntervalMs: e.PREDICTION_LOG_FLUSH_MS,
          },
    shutdownTimeoutS: e.SHUTDOWN_TIMEOUT_S,
    logLevel: e.LOG_LEVEL,
  });
}
