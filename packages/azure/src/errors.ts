/**
 * Typed errors of the Azure data plane. Codes are stable and append-only: CLIs print them,
 * tests and runbooks match on them. Messages name the location, account or vault and say
 * what to do; they never carry a secret value.
 */
export const AZURE_ERROR_CODES = [
  'LOCATION_INVALID',
  'AZURE_NOT_CONFIGURED',
  'LOCATION_NOT_FOUND',
  'AZURE_FORBIDDEN',
  'AZURE_AUTH_FAILED',
  'AZURE_REQUEST_FAILED',
  'INTEGRITY_MISMATCH',
  'KEY_VAULT_URL_INVALID',
  'KEY_VAULT_SECRET_MISSING',
  'KEY_VAULT_FORBIDDEN',
  'KEY_VAULT_UNREACHABLE',
  'KEY_VAULT_SECRET_INVALID',
] as const;

export type AzureErrorCode = (typeof AZURE_ERROR_CODES)[number];

export class AzureError extends Error {
  override readonly name = 'AzureError';
  readonly code: AzureErrorCode;
  readonly details: readonly string[];

  constructor(
    code: AzureErrorCode,
    message: string,
    options?: { details?: readonly string[]; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details ?? [];
  }
}

export function isAzureError(value: unknown): value is AzureError {
  return value instanceof AzureError;
}

/** HTTP status of an Azure SDK RestError (or anything shaped like one). */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return undefined;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** A short reason for a failed call, without response bodies (which may echo request data). */
export function reasonOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const e = error as { code?: unknown; statusCode?: unknown; message?: unknown; name?: unknown };
  const status = typeof e.statusCode === 'number' ? `HTTP ${e.statusCode}` : undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const first = typeof e.message === 'string' ? e.message.split('\n')[0] : undefined;
  return [status, code, status === undefined ? first : undefined]
    .filter((p): p is string => p !== undefined && p !== '')
    .join(' ');
}
