import { z } from 'zod';
import { MlflowClientError } from './errors';

/**
 * The one place that knows MLflow's environment variable names. Callers pass their `env`
 * (usually `process.env` from their own config module), nothing here reads `process.env`.
 */

export type MlflowCredentials =
  { readonly username: string; readonly password: string } | { readonly token: string };

/** Called before every request, so rotated secrets are picked up without a restart. */
export type CredentialsProvider = () =>
  MlflowCredentials | undefined | Promise<MlflowCredentials | undefined>;

type Env = Readonly<Record<string, string | undefined>>;

const nonEmpty = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const blankToUndefined = (v: unknown): unknown =>
  typeof v === 'string' && v.trim() === '' ? undefined : v;

const envSchema = z.object({
  /** Base URL of the tracking server, e.g. http://mlflow:5000 (optionally with a path prefix). */
  MLFLOW_TRACKING_URI: nonEmpty,
  /** Basic-auth user (MLflow's basic-auth app or a fronting proxy). */
  MLFLOW_TRACKING_USERNAME: nonEmpty,
  /** Basic-auth password; required together with the username. */
  MLFLOW_TRACKING_PASSWORD: nonEmpty,
  /** Bearer token, used when no username/password pair is set (as the Python client does). */
  MLFLOW_TRACKING_TOKEN: nonEmpty,
  /** Per-request timeout in seconds (Python's default is 120). */
  MLFLOW_HTTP_REQUEST_TIMEOUT: z.preprocess(
    blankToUndefined,
    z.coerce.number().positive().optional(),
  ),
  /** Retries after the first attempt on connection errors, 429 and 5xx. */
  MLFLOW_HTTP_REQUEST_MAX_RETRIES: z.preprocess(
    blankToUndefined,
    z.coerce.number().int().min(0).optional(),
  ),
});

function parseEnv(env: Env): z.infer<typeof envSchema> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = issue?.path.join('.') ?? 'MLFLOW_*';
    throw new MlflowClientError(
      'MLFLOW_INVALID_ARGUMENT',
      `Invalid ${variable}: ${issue?.message ?? 'bad value'}. Fix or unset the variable.`,
    );
  }
  return parsed.data;
}

/**
 * Basic credentials from MLFLOW_TRACKING_USERNAME/_PASSWORD, else a bearer token from
 * MLFLOW_TRACKING_TOKEN, else none. A username without a password is a configuration error.
 */
export function credentialsFromEnv(env: Env): MlflowCredentials | undefined {
  const e = parseEnv(env);
  if (e.MLFLOW_TRACKING_USERNAME !== undefined || e.MLFLOW_TRACKING_PASSWORD !== undefined) {
    if (e.MLFLOW_TRACKING_USERNAME === undefined || e.MLFLOW_TRACKING_PASSWORD === undefined) {
      throw new MlflowClientError(
        'MLFLOW_INVALID_ARGUMENT',
        'Set both MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or neither.',
      );
    }
    return { username: e.MLFLOW_TRACKING_USERNAME, password: e.MLFLOW_TRACKING_PASSWORD };
  }
  if (e.MLFLOW_TRACKING_TOKEN !== undefined) return { token: e.MLFLOW_TRACKING_TOKEN };
  return undefined;
}

export interface MlflowEnvOptions {
  readonly trackingUri: string | undefined;
  readonly credentials: CredentialsProvider;
  readonly timeoutMs?: number;
  readonly retries?: number;
}

/** Everything `createMlflowClient` can take from the environment, validated once. */
export function mlflowOptionsFromEnv(env: Env): MlflowEnvOptions {
  const e = parseEnv(env);
  const credentials = credentialsFromEnv(env);
  return {
    trackingUri: e.MLFLOW_TRACKING_URI,
    credentials: () => credentials,
    ...(e.MLFLOW_HTTP_REQUEST_TIMEOUT === undefined
      ? {}
      : { timeoutMs: e.MLFLOW_HTTP_REQUEST_TIMEOUT * 1000 }),
    ...(e.MLFLOW_HTTP_REQUEST_MAX_RETRIES === undefined
      ? {}
      : { retries: e.MLFLOW_HTTP_REQUEST_MAX_RETRIES }),
  };
}

/** The Authorization header value for a set of credentials. */
export function authorizationHeader(
  credentials: MlflowCredentials | undefined,
): string | undefined {
  if (credentials === undefined) return undefined;
  if ('token' in credentials) return `Bearer ${credentials.token}`;
  const raw = `${credentials.username}:${credentials.password}`;
  return `Basic ${Buffer.from(raw, 'utf8').toString('base64')}`;
}
