/** Error codes are append-only: scripts and docs match on them. */
export const INFRA_ERROR_CODES = [
  'CONFIG_FILE_UNREADABLE',
  'CONFIG_FILE_NOT_JSON',
  'CONFIG_INVALID',
  'CLOUD_INIT_UNSAFE_VALUE',
  'TERRAFORM_FAILED',
] as const;

export type InfraErrorCode = (typeof INFRA_ERROR_CODES)[number];

/** Failures of the infrastructure app; `message` is written for the person running synth. */
export class InfraError extends Error {
  override readonly name = 'InfraError';

  constructor(
    readonly code: InfraErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
