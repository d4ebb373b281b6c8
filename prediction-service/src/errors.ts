/**
 * Error codes of the prediction service. They appear in every error body
 * (`{ "error": { "code", "message", "details" } }`), so clients and dashboards depend on them:
 * append-only, never rename or reuse a code (convention C9).
 */
export const SERVICE_ERROR_CODES = [
  'MALFORMED_JSON',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
  'BATCH_TOO_LARGE',
  'INVALID_REQUEST',
  'INVALID_INPUT',
  'IMPOSSIBLE_VALUE',
  'UNAUTHORIZED',
  'ADMIN_DISABLED',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'MODEL_NOT_READY',
  'MODEL_RELOAD_REJECTED',
  'INTERNAL',
  'MODEL_SOURCE_UNAVAILABLE',
  'FEEDBACK_DISABLED',
  'UNKNOWN_REQUEST_ID',
  'FEEDBACK_UNAVAILABLE',
  'MALFORMED_CONTENT_ENCODING',
  'MALFORMED_CSV',
] as const;

export type ServiceErrorCode = (typeof SERVICE_ERROR_CODES)[number];

/** A `Record` so that adding a code without its status fails to compile. */
export const HTTP_STATUS: Record<ServiceErrorCode, number> = {
  MALFORMED_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  BATCH_TOO_LARGE: 413,
  INVALID_REQUEST: 400,
  INVALID_INPUT: 422,
  IMPOSSIBLE_VALUE: 422,
  UNAUTHORIZED: 401,
  ADMIN_DISABLED: 404,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  MODEL_NOT_READY: 503,
  MODEL_RELOAD_REJECTED: 409,
  INTERNAL: 500,
  MODEL_SOURCE_UNAVAILABLE: 503,
  FEEDBACK_DISABLED: 404,
  UNKNOWN_REQUEST_ID: 422,
  FEEDBACK_UNAVAILABLE: 503,
  MALFORMED_CONTENT_ENCODING: 400,
  MALFORMED_CSV: 400,
};

/** One line per code, shown in the README and the OpenAPI document. */
export const ERROR_DOCS: Record<ServiceErrorCode, string> = {
  MALFORMED_JSON: 'The body is not valid JSON.',
  UNSUPPORTED_MEDIA_TYPE:
    'Content-Type must be application/json (or text/csv on /invocations) in a supported charset (JSON: UTF-8, UTF-16 or UTF-32), Content-Encoding gzip, deflate, br, zstd or none.',
  PAYLOAD_TOO_LARGE: 'The body is larger than MAX_BODY_BYTES.',
  BATCH_TOO_LARGE: 'The batch has more rows than MAX_BATCH_ROWS.',
  INVALID_REQUEST: 'The envelope is wrong (e.g. no or several MLflow input formats, empty batch).',
  INVALID_INPUT:
    'A record is missing a feature, has a non-number or non-finite value, an unknown field, or a wine_type other than red/white.',
  IMPOSSIBLE_VALUE:
    'A value is physically impossible (negative concentration, pH outside 0–14, density outside 0.9–1.1, alcohol outside 0–100).',
  UNAUTHORIZED: 'Admin endpoint: missing or wrong bearer token.',
  ADMIN_DISABLED: 'Admin endpoints are disabled because ADMIN_TOKEN is not set.',
  NOT_FOUND: 'No such route.',
  METHOD_NOT_ALLOWED: 'The route exists but not for this method.',
  MODEL_NOT_READY: 'No model is loaded yet.',
  MODEL_RELOAD_REJECTED: 'The candidate model failed validation; the previous model keeps serving.',
  INTERNAL: 'An unexpected server error (a bug); the request id is in the logs.',
  MODEL_SOURCE_UNAVAILABLE:
    'Admin reload: the model source (MLflow) could not be reached; the current model keeps serving.',
  FEEDBACK_DISABLED:
    'POST /feedback is disabled: set DATABASE_URL (the prediction log) and FEEDBACK_TOKEN.',
  UNKNOWN_REQUEST_ID:
    'Feedback names a request id (or row) that is not in the prediction log; details list which items. Nothing was stored.',
  FEEDBACK_UNAVAILABLE: 'PostgreSQL is unreachable; retry the feedback later (nothing was stored).',
  MALFORMED_CONTENT_ENCODING:
    'The body is not valid data for its Content-Encoding (e.g. corrupt or truncated gzip).',
  MALFORMED_CSV:
    'A text/csv body is not valid CSV: empty, an unclosed quote, a row with more or fewer cells than the header, a column named twice.',
};

/** One entry of `error.details`: where (`instances[3].ph`) and what went wrong. */
export interface ErrorDetail {
  readonly path: string;
  readonly message: string;
}

/**
 * Bounds on what an error body repeats back: the client needs examples, not a copy of a
 * hostile payload (1 MiB of unknown keys once produced a 5.4 MB answer). The rest of the
 * details is only counted (`details_omitted`); texts quoting input are clipped.
 */
export const MAX_ERROR_DETAILS = 20;
const MAX_DETAIL_CHARS = 200;
const MAX_MESSAGE_CHARS = 1000;

/** `text` cut to `max` characters, marked with an ellipsis when cut. */
export function clip(text: string, max = MAX_DETAIL_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** "a, b, c (and 49,997 more)": names quoted from the input, a few of them, each clipped. */
export function someNames(names: readonly string[], shown = 5): string {
  const listed = names.slice(0, shown).map((name) => clip(name, 50));
  const rest = names.length - listed.length;
  return rest > 0
    ? `${listed.join(', ')} (and ${rest.toLocaleString('en-US')} more)`
    : listed.join(', ');
}

export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  readonly code: ServiceErrorCode;
  /** At most MAX_ERROR_DETAILS entries. */
  readonly details: readonly ErrorDetail[];
  /** Problems found beyond `details`. */
  readonly detailsOmitted: number;

  constructor(
    code: ServiceErrorCode,
    message: string,
    options?: {
      details?: readonly ErrorDetail[];
      /** Problems counted but not listed in `details` (the caller stopped collecting). */
      detailsOmitted?: number;
      cause?: unknown;
    },
  ) {
    super(
      clip(message, MAX_MESSAGE_CHARS),
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    const all = options?.details ?? [];
    this.details = all
      .slice(0, MAX_ERROR_DETAILS)
      .map((d) => ({ path: clip(d.path), message: clip(d.message) }));
    this.detailsOmitted =
      (options?.detailsOmitted ?? 0) + Math.max(0, all.length - MAX_ERROR_DETAILS);
  }

  get status(): number {
    return HTTP_STATUS[this.code];
  }
}

/** The JSON body sent for an error. */
export interface ErrorBody {
  error: {
    code: ServiceErrorCode;
    message: string;
    details: readonly ErrorDetail[];
    /** How many more problems were found than `details` lists; absent when none. */
    details_omitted?: number;
  };
}

export function errorBody(error: ServiceError): ErrorBody {
  const { code, message, details, detailsOmitted } = error;
  return {
    error:
      detailsOmitted > 0
        ? { code, message, details, details_omitted: detailsOmitted }
        : { code, message, details },
  };
}

/** Shared by the body reader and the error handler, so every path says the same. */
export function malformedJson(): ServiceError {
  return new ServiceError('MALFORMED_JSON', 'The request body is not valid JSON.');
}

export function payloadTooLarge(limit: number): ServiceError {
  return new ServiceError(
    'PAYLOAD_TOO_LARGE',
    `The request body is larger than ${limit} bytes (MAX_BODY_BYTES).`,
    { details: [{ path: '', message: `limit is ${limit} bytes` }] },
  );
}

export function unreadableBody(): ServiceError {
  return new ServiceError('INVALID_REQUEST', 'The request body could not be read.');
}

/**
 * Normalises anything thrown inside a request into a ServiceError. A 4xx from Express or a
 * library it runs (e.g. serve-static's range errors) stays a 4xx; anything else is a bug.
 */
export function toServiceError(value: unknown): ServiceError {
  if (value instanceof ServiceError) return value;
  const status = errorField(value, 'status');
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ServiceError('INVALID_REQUEST', 'The request could not be processed.');
  }
  return new ServiceError('INTERNAL', 'Internal server error.', { cause: value });
}

function errorField(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}
