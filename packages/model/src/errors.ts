/**
 * Typed errors of the model package. Codes are stable and append-only: tests, logs and the
 * prediction API's error bodies depend on them. Never reuse or rename a code.
 */
export const MODEL_ERROR_CODES = [
  'DATA_MALFORMED_CSV',
  'DATA_MISSING_COLUMN',
  'DATA_INVALID_VALUE',
  'DATA_NO_VALID_ROWS',
  'DATA_CHECKSUM_MISMATCH',
  'MODEL_FORMAT_UNSUPPORTED',
  'MODEL_INVALID',
  'PARAMS_INVALID',
  'DATA_MISSING_VALUE',
  'DATA_NOT_A_NUMBER',
  'DATA_OUT_OF_RANGE',
  'DATA_NOT_INTEGER',
  'DATA_UNKNOWN_WINE_TYPE',
  'DATA_FIELD_COUNT',
  'DATA_DUPLICATE_COLUMN',
  'DATA_NO_WINE_TYPE',
  'DATA_FILE_NOT_FOUND',
  'DATA_DOWNLOAD_FAILED',
  'SEARCH_WORKER_UNAVAILABLE',
  'SEARCH_WORKER_FAILED',
  'MODEL_READ_FAILED',
  'MODEL_ONNX_MISMATCH',
] as const;

export type ModelErrorCode = (typeof MODEL_ERROR_CODES)[number];

export class ModelError extends Error {
  override readonly name = 'ModelError';
  readonly code: ModelErrorCode;
  readonly details: readonly string[];

  constructor(
    code: ModelErrorCode,
    message: string,
    options?: { details?: readonly string[]; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details ?? [];
  }
}

export function isModelError(value: unknown): value is ModelError {
  return value instanceof ModelError;
}
