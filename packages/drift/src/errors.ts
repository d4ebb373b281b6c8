/**
 * Typed errors of the drift package. Codes are stable and append-only: the CLI, the monitor
 * and their tests depend on them.
 */
export const DRIFT_ERROR_CODES = [
  'DRIFT_EMPTY_SAMPLE',
  'DRIFT_NON_FINITE',
  'DRIFT_OPTIONS_INVALID',
  'DRIFT_COLUMN_MISSING',
  'DRIFT_COLUMN_LENGTH',
  'DRIFT_METHOD_UNSUPPORTED',
  'DRIFT_REFERENCE_INVALID',
  'DRIFT_VALUE_INVALID',
] as const;

export type DriftErrorCode = (typeof DRIFT_ERROR_CODES)[number];

export class DriftError extends Error {
  override readonly name = 'DriftError';
  readonly code: DriftErrorCode;
  readonly details: readonly string[];

  constructor(code: DriftErrorCode, message: string, options?: { details?: readonly string[] }) {
    super(message);
    this.code = code;
    this.details = options?.details ?? [];
  }
}

export function isDriftError(value: unknown): value is DriftError {
  return value instanceof DriftError;
}
