import { ModelError } from '../errors';
import type { ModelErrorCode } from '../errors';

/** The data-loading subset of the model package's error codes. */
export type DataErrorCode = Extract<ModelErrorCode, `DATA_${string}`>;

/** One rejected CSV row: where (file, 1-based line with the header as line 1, column), what and why. */
export interface RowError {
  file: string;
  line: number;
  column: string;
  value: string;
  reason: string;
  code: DataErrorCode;
}

/** A data problem that stops a load; the message names the file and, where known, line and column. */
export class DataError extends ModelError {
  declare readonly code: DataErrorCode;
  /** The row errors behind this error, when there are any (e.g. `onInvalidRow: 'fail'`). */
  readonly rowErrors: readonly RowError[];

  constructor(
    code: DataErrorCode,
    message: string,
    options?: { details?: readonly string[]; cause?: unknown; rowErrors?: readonly RowError[] },
  ) {
    super(code, message, options);
    this.rowErrors = options?.rowErrors ?? [];
  }
}

/** `file:line, column "c": value "v" — reason`, the one wording used in logs and CLI output. */
export function describeRowError(e: RowError): string {
  const column = e.column === '' ? '' : `, column "${e.column}"`;
  return `${e.file}:${e.line}${column}: value "${e.value}" — ${e.reason} [${e.code}]`;
}
