/**
 * The PostgreSQL connection pool every process uses. Sessions run in UTC (timestamps are
 * timestamptz; UTC keeps text renderings unambiguous in logs and psql), with a statement
 * timeout so a stuck server cannot pile up work, and a short connect timeout so "PostgreSQL
 * is down" is noticed in seconds. Idle-client errors (the server restarting) are reported to
 * `onError` instead of crashing the process, which is pg's default for an unhandled 'error'.
 */
import pg from 'pg';

export interface PoolOptions {
  /** postgres://user:password@host:port/database (the DATABASE_URL of the process). */
  readonly connectionString: string;
  /** Connections; keep it small per process (a service worker needs 2). */
  readonly max?: number;
  /** Shown in pg_stat_activity, e.g. "prediction-service". */
  readonly applicationName: string;
  readonly connectTimeoutMs?: number;
  readonly statementTimeoutMs?: number;
  /** Called for errors of idle clients (server restart, network cut). */
  readonly onError?: (error: Error) => void;
  /**
   * `synchronous_commit = off` for every session: commits return before the WAL reaches
   * disk. A PostgreSQL crash can then lose the last few hundred ms of commits (never
   * corrupt anything). Right for the prediction log's bulk writes, wrong for feedback.
   */
  readonly asyncCommit?: boolean;
}

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 4,
    application_name: options.applicationName,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    idleTimeoutMillis: 30_000,
    options:
      options.asyncCommit === true
        ? '-c TimeZone=UTC -c synchronous_commit=off'
        : '-c TimeZone=UTC',
  });
  pool.on('error', (error) => {
    options.onError?.(error);
  });
  return pool;
}

/** Hides the password of a connection string for logs and error messages. */
export function redactConnectionString(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
