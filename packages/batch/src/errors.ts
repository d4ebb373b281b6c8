/** Typed errors of batch scoring; codes are stable and append-only (CLI output, job failures). */
export const BATCH_ERROR_CODES = [
  'BATCH_NO_INPUT',
  'BATCH_HEADER_INVALID',
  'BATCH_COLUMNS_DIFFER',
  'BATCH_OPTIONS_INVALID',
  'BATCH_MODEL_MISMATCH',
  'BATCH_PART_INVALID',
] as const;

export type BatchErrorCode = (typeof BATCH_ERROR_CODES)[number];

export class BatchError extends Error {
  override readonly name = 'BatchError';
  readonly code: BatchErrorCode;
  readonly details: readonly string[];

  constructor(code: BatchErrorCode, message: string, options?: { details?: readonly string[] }) {
    super(message);
    this.code = code;
    this.details = options?.details ?? [];
  }
}

export function isBatchError(value: unknown): value is BatchError {
  return value instanceof BatchError;
}
