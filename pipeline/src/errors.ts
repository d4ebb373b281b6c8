/**
 * Typed errors of the pipeline (convention C9). Codes are stable and append-only: the run
 * history, the API's error bodies and alerts depend on them. Never rename or reuse a code.
 */
export const PIPELINE_ERROR_CODES = [
  'PIPELINE_CONFIG_INVALID',
  'PIPELINE_DATA_LOCATION_UNSUPPORTED',
  'PIPELINE_DATA_UNREADABLE',
  'PIPELINE_VALIDATION_FAILED',
  'PIPELINE_ARTIFACT_CORRUPT',
  'PIPELINE_STEP_INPUT_INVALID',
  'PIPELINE_RUN_NOT_FOUND',
  'PIPELINE_REDIS_UNAVAILABLE',
  'PIPELINE_DATABASE_UNAVAILABLE',
  'PIPELINE_STALLED',
  'PIPELINE_STEP_FAILED',
  'WEBHOOK_UNAUTHORIZED',
  'WEBHOOK_MALFORMED',
  'WEBHOOK_DISABLED',
  'API_UNAUTHORIZED',
  'API_ADMIN_DISABLED',
  'API_NOT_FOUND',
  'API_INTERNAL',
] as const;

export type PipelineErrorCode = (typeof PIPELINE_ERROR_CODES)[number];

/** A `Record` so that adding a code without its HTTP status fails to compile. */
export const HTTP_STATUS: Record<PipelineErrorCode, number> = {
  PIPELINE_CONFIG_INVALID: 500,
  PIPELINE_DATA_LOCATION_UNSUPPORTED: 400,
  PIPELINE_DATA_UNREADABLE: 502,
  PIPELINE_VALIDATION_FAILED: 422,
  PIPELINE_ARTIFACT_CORRUPT: 502,
  PIPELINE_STEP_INPUT_INVALID: 500,
  PIPELINE_RUN_NOT_FOUND: 404,
  PIPELINE_REDIS_UNAVAILABLE: 503,
  PIPELINE_DATABASE_UNAVAILABLE: 503,
  PIPELINE_STALLED: 500,
  PIPELINE_STEP_FAILED: 500,
  WEBHOOK_UNAUTHORIZED: 401,
  WEBHOOK_MALFORMED: 400,
  WEBHOOK_DISABLED: 404,
  API_UNAUTHORIZED: 401,
  API_ADMIN_DISABLED: 404,
  API_NOT_FOUND: 404,
  API_INTERNAL: 500,
};

/** One line per code, for the README and `--help`. */
export const ERROR_DOCS: Record<PipelineErrorCode, string> = {
  PIPELINE_CONFIG_INVALID: 'An environment variable has an invalid value; the message names it.',
  PIPELINE_DATA_LOCATION_UNSUPPORTED:
    '--data / PIPELINE_DATA is not a folder, an https:// URL of the UCI archive or az://<container>/<prefix>.',
  PIPELINE_DATA_UNREADABLE: 'The data source or the feedback table could not be read.',
  PIPELINE_VALIDATION_FAILED:
    'validate rejected more than PIPELINE_MAX_REJECTED_SHARE of the rows; the report lists why.',
  PIPELINE_ARTIFACT_CORRUPT:
    'A step output read back from the artifact store does not match its recorded sha256.',
  PIPELINE_STEP_INPUT_INVALID:
    'A job carried data this version cannot read (a worker of another release?).',
  PIPELINE_RUN_NOT_FOUND: 'No run with that id in the run history.',
  PIPELINE_REDIS_UNAVAILABLE: 'Redis (REDIS_URL) did not answer.',
  PIPELINE_DATABASE_UNAVAILABLE: 'PostgreSQL (DATABASE_URL) did not answer.',
  PIPELINE_STALLED:
    'A step was lost more often than PIPELINE_MAX_STALLED (its worker died or blocked).',
  PIPELINE_STEP_FAILED:
    'A step of the run failed for good; the run record names the step and its error.',
  WEBHOOK_UNAUTHORIZED: 'POST /hooks/alertmanager without the right bearer token.',
  WEBHOOK_MALFORMED: 'The webhook body is not JSON or not an Alertmanager v4 payload.',
  WEBHOOK_DISABLED: 'PIPELINE_WEBHOOK_TOKEN is not set, so the webhook is off.',
  API_UNAUTHORIZED: 'Run history or bull-board without ADMIN_TOKEN (basic auth admin:<token>).',
  API_ADMIN_DISABLED: 'ADMIN_TOKEN is not set, so run history and bull-board are off.',
  API_NOT_FOUND: 'No such route.',
  API_INTERNAL: 'An unexpected server error (a bug); details are in the log.',
};

export class PipelineError extends Error {
  override readonly name = 'PipelineError';
  readonly code: PipelineErrorCode;
  readonly details: readonly string[];

  constructor(
    code: PipelineErrorCode,
    message: string,
    options?: { details?: readonly string[]; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details ?? [];
  }

  get status(): number {
    return HTTP_STATUS[this.code];
  }
}

export function isPipelineError(value: unknown): value is PipelineError {
  return value instanceof PipelineError;
}

/**
 * The code and message recorded for any thrown value: our codes, the model package's and
 * mlflow-ts-client's codes (they carry a string `code`), else UNEXPECTED.
 */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof Error) {
    const code = 'code' in error && typeof error.code === 'string' ? error.code : 'UNEXPECTED';
    return { code, message: error.message.slice(0, 2000) };
  }
  return { code: 'UNEXPECTED', message: String(error).slice(0, 2000) };
}
