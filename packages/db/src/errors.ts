/**
 * Typed errors of the database package. Codes are stable and append-only: the service, the
 * monitor and the CLIs print them, and tests match on them. Never reuse or rename a code.
 */
export const DB_ERROR_CODES = [
  'DB_UNREACHABLE',
  'DB_MIGRATIONS_PENDING',
  'DB_MIGRATIONS_UNKNOWN',
  'DB_MIGRATION_FAILED',
  'DB_QUERY_FAILED',
] as const;

export type DbErrorCode = (typeof DB_ERROR_CODES)[number];

/** What each code means and what to do, for READMEs and CLI help. */
export const DB_ERROR_DOCS: Record<DbErrorCode, string> = {
  DB_UNREACHABLE: 'PostgreSQL did not accept a connection (check DATABASE_URL and that it runs).',
  DB_MIGRATIONS_PENDING:
    'The database schema is behind this release: run `pnpm run db:migrate up` against DATABASE_URL.',
  DB_MIGRATIONS_UNKNOWN:
    'The database has migrations this release does not know (a newer release migrated it): deploy that release or migrate down with it.',
  DB_MIGRATION_FAILED: 'A migration failed and was rolled back; the message names it.',
  DB_QUERY_FAILED: 'A query failed; the message carries PostgreSQL’s error.',
};

export class DbError extends Error {
  override readonly name = 'DbError';
  readonly code: DbErrorCode;
  readonly details: readonly string[];

  constructor(
    code: DbErrorCode,
    message: string,
    options?: { details?: readonly string[]; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details ?? [];
  }
}

export function isDbError(value: unknown): value is DbError {
  return value instanceof DbError;
}

/** PostgreSQL SQLSTATE classes that mean "could not talk to the server" rather than "bad SQL". */
const CONNECTION_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  'EHOSTUNREACH',
]);

/** True when the error says PostgreSQL is down or unreachable (worth retrying later). */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || NETWORK_CODES.has(code)))
    return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/i.test(
    message,
  );
}

/** One line for logs and metrics: PostgreSQL's message, never the query parameters. */
export function describePgError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}

/**
 * A pg failure as a DbError: DB_UNREACHABLE when the connection failed, DB_QUERY_FAILED
 * otherwise; `context` prefixes the message ("storing feedback failed: …").
 */
export function pgFailure(error: unknown, context?: string): DbError {
  const message = describePgError(error);
  return new DbError(
    isConnectionError(error) ? 'DB_UNREACHABLE' : 'DB_QUERY_FAILED',
    context === undefined ? message : `${context}: ${message}`,
    { cause: error },
  );
}

/** Runs a query, its pg failure thrown as a DbError (see pgFailure). */
export async function runQuery<T>(query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (error) {
    throw pgFailure(error);
  }
}
