/**
 * The service's environment, read once and validated (convention C7). Every variable has a
 * type, a default and a one-line doc; an invalid value fails startup with a message naming
 * the variable to fix.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

export type ModelUri = { kind: 'bundled' } | { kind: 'file'; dir: string };

export interface Config {
  /** TCP port to listen on. */
  readonly port: number;
  /** Interface to bind. */
  readonly host: string;
  /** Which model to serve; unset → the bundled model. */
  readonly modelUri: ModelUri;
  /** Re-check the model source every N seconds (0 = only at startup and on POST /model/reload). */
  readonly modelPollIntervalS: number;
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
}

/** Docs for README and `.env.sample`; keys are the environment variable names. */
export const ENV_DOCS = {
  PORT: 'TCP port (default 9696).',
  HOST: 'Interface to bind (default 0.0.0.0).',
  MODEL_URI:
    'Model to serve: unset → bundled model; file:<dir> → a model directory. models:/ and runs:/ arrive with MLflow tracking.',
  MODEL_POLL_INTERVAL_S:
    'Re-check the model source every N seconds; 0 disables polling (default 0).',
  ADMIN_TOKEN: 'Bearer token for POST /model/reload; unset disables admin endpoints (404).',
  LOG_LEVEL: 'fatal|error|warn|info|debug|trace|silent (default info).',
  WEB_CONCURRENCY:
    'Worker processes; > 1 runs a node:cluster with aggregated /metrics (default 1).',
  MAX_BODY_BYTES: 'Largest request body in bytes (default 1048576 = 1 MB) → 413 above.',
  MAX_BATCH_ROWS: 'Largest batch in rows (default 10000) → 413 above.',
  SHUTDOWN_TIMEOUT_S: 'Seconds to drain in-flight requests on SIGTERM/SIGINT (default 10).',
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

const EnvSchema = z.object({
  PORT: int(0, 65535, 9696),
  HOST: z.string().trim().min(1).optional().default('0.0.0.0'),
  MODEL_URI: z.string().trim().optional(),
  MODEL_POLL_INTERVAL_S: int(0, 86_400, 0),
  ADMIN_TOKEN: z.string().optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .optional()
    .default('info'),
  WEB_CONCURRENCY: int(1, Math.max(64, os.availableParallelism() * 4), 1),
  MAX_BODY_BYTES: int(1024, 1024 * 1024 * 1024, 1024 * 1024),
  MAX_BATCH_ROWS: int(1, 10_000_000, 10_000),
  SHUTDOWN_TIMEOUT_S: int(1, 3600, 10),
});

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
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1];
  if (scheme === 'models' || scheme === 'runs') {
    throw new ConfigError(
      `MODEL_URI=${raw}: ${scheme}:/ URIs need the MLflow tracking integration, which this build does not have yet. ` +
        'Use file:<model dir> or leave MODEL_URI unset for the bundled model.',
    );
  }
  throw new ConfigError(
    `MODEL_URI=${raw} is not understood. Use file:<model dir> or leave it unset for the bundled model.`,
  );
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
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
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    modelUri: parseModelUri(e.MODEL_URI),
    modelPollIntervalS: e.MODEL_POLL_INTERVAL_S,
    adminToken: token,
    logLevel: e.LOG_LEVEL,
    webConcurrency: e.WEB_CONCURRENCY,
    maxBodyBytes: e.MAX_BODY_BYTES,
    maxBatchRows: e.MAX_BATCH_ROWS,
    shutdownTimeoutS: e.SHUTDOWN_TIMEOUT_S,
  });
}
