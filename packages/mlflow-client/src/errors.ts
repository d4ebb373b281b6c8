/**
 * Typed errors of mlflow-ts-client. Codes are stable and append-only: callers branch on them
 * and the README documents them. Never reuse or rename a code.
 *
 * The server's own error code (`RESOURCE_DOES_NOT_EXIST`, `RESOURCE_ALREADY_EXISTS`, ...) is
 * carried separately in `MlflowApiError.errorCode`; `code` is always this package's code.
 */
import { isRetryableStatus } from './retry';

export const MLFLOW_CLIENT_ERROR_CODES = [
  'MLFLOW_API_ERROR',
  'MLFLOW_CONNECTION_ERROR',
  'MLFLOW_TIMEOUT',
  'MLFLOW_INVALID_RESPONSE',
  'MLFLOW_INVALID_URI',
  'MLFLOW_INVALID_ARGUMENT',
  'MLFLOW_UNSUPPORTED_ARTIFACT_URI',
  'MLFLOW_REGISTRATION_FAILED',
  'MLFLOW_REGISTRATION_TIMEOUT',
  'MLFLOW_MODEL_NOT_FOUND',
  'MLFLOW_LOCAL_IO_ERROR',
  'MLFLOW_UNSAFE_ARTIFACT',
  'MLFLOW_ARTIFACT_TOO_LARGE',
] as const;

export type MlflowClientErrorCode = (typeof MLFLOW_CLIENT_ERROR_CODES)[number];

/** One line per code; the README's error table is checked against this map in a test. */
export const MLFLOW_CLIENT_ERROR_DOCS: Record<MlflowClientErrorCode, string> = {
  MLFLOW_API_ERROR:
    'The server answered with an error; `errorCode` holds its code and `status` the HTTP status.',
  MLFLOW_CONNECTION_ERROR:
    'The tracking server could not be reached after all retries (DNS, refused, reset).',
  MLFLOW_TIMEOUT: 'A request took longer than `timeoutMs` on every attempt.',
  MLFLOW_INVALID_RESPONSE:
    'A 2xx reply was not the JSON the API promises (wrong URL, proxy or static prefix?).',
  MLFLOW_INVALID_URI: 'A `models:/` or `runs:/` URI or a tracking URI could not be parsed.',
  MLFLOW_INVALID_ARGUMENT:
    'The call was rejected before sending, e.g. one param key with two values.',
  MLFLOW_UNSUPPORTED_ARTIFACT_URI:
    'An artifact URI is not served by the tracking server proxy (`mlflow-artifacts:`).',
  MLFLOW_REGISTRATION_FAILED: 'A model version ended in FAILED_REGISTRATION.',
  MLFLOW_REGISTRATION_TIMEOUT: 'A model version stayed PENDING_REGISTRATION past the deadline.',
  MLFLOW_MODEL_NOT_FOUND: 'A model URI points at no model (unknown alias, no model at the path).',
  MLFLOW_LOCAL_IO_ERROR: 'Reading or writing a local file during an artifact transfer failed.',
  MLFLOW_UNSAFE_ARTIFACT:
    'An artifact listing named an entry that is empty, `.`/`..`, holds a slash or backslash, repeats, or leads outside the destination.',
  MLFLOW_ARTIFACT_TOO_LARGE:
    'A download would exceed its file count, byte or directory depth cap (`downloadLimits`).',
};

export class MlflowClientError extends Error {
  override readonly name: string = 'MlflowClientError';
  readonly code: MlflowClientErrorCode;

  constructor(code: MlflowClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** The server replied with a non-2xx status. */
export class MlflowApiError extends MlflowClientError {
  override readonly name = 'MlflowApiError';
  /** MLflow's `error_code` (e.g. `RESOURCE_DOES_NOT_EXIST`), or one derived from the status. */
  readonly errorCode: string;
  readonly status: number;
  readonly method: string;
  readonly url: string;

  constructor(args: {
    errorCode: string;
    status: number;
    message: string;
    method: string;
    url: string;
  }) {
    super('MLFLOW_API_ERROR', args.message);
    this.errorCode = args.errorCode;
    this.status = args.status;
    this.method = args.method;
    this.url = args.url;
  }
}

export class MlflowConnectionError extends MlflowClientError {
  override readonly name = 'MlflowConnectionError';
  readonly url: string;

  constructor(url: string, message: string, options?: { cause?: unknown }) {
    super('MLFLOW_CONNECTION_ERROR', message, options);
    this.url = url;
  }
}

export class MlflowTimeoutError extends MlflowClientError {
  override readonly name = 'MlflowTimeoutError';
  readonly url: string;
  readonly timeoutMs: number;

  constructor(url: string, timeoutMs: number, message: string, options?: { cause?: unknown }) {
    super('MLFLOW_TIMEOUT', message, options);
    this.url = url;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * True when a failed request is worth repeating (a timeout, a dropped connection, 408, 429,
 * 5xx) — and, except for 429, may still have taken effect on the server: repeat a call that is
 * not idempotent only after checking.
 */
export function isTransientFailure(error: unknown): boolean {
  if (error instanceof MlflowTimeoutError || error instanceof MlflowConnectionError) return true;
  return error instanceof MlflowApiError && isRetryableStatus(error.status);
}

export function isMlflowClientError(value: unknown): value is MlflowClientError {
  return value instanceof MlflowClientError;
}

/** True when the server said the thing does not exist (404 RESOURCE_DOES_NOT_EXIST & co). */
export function isNotFound(error: unknown): boolean {
  return (
    error instanceof MlflowApiError &&
    (error.errorCode === 'RESOURCE_DOES_NOT_EXIST' || error.errorCode === 'NOT_FOUND')
  );
}

/** True for duplicates; MLflow answers 400 RESOURCE_ALREADY_EXISTS (some stores: 409). */
export function isAlreadyExists(error: unknown): boolean {
  return (
    error instanceof MlflowApiError &&
    (error.errorCode === 'RESOURCE_ALREADY_EXISTS' || error.errorCode === 'ALREADY_EXISTS')
  );
}
