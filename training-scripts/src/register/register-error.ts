/** Typed failures of `register` (stable codes, append-only; printed as `error [CODE]: …`). */
export const REGISTER_ERROR_CODES = ['REGISTER_NO_RUN', 'REGISTER_NO_MODEL'] as const;
export type RegisterErrorCode = (typeof REGISTER_ERROR_CODES)[number];

export class RegisterError extends Error {
  override readonly name = 'RegisterError';
  readonly code: RegisterErrorCode;

  constructor(code: RegisterErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
