/**
 * Real PostgreSQL for tests: a fresh, uniquely named database on the machine's server per
 * test file (dropped afterwards; never touches other databases), and the skip-or-fail rule
 * of the other real-service tests.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describeWithServices } from '../../mlflow-client/test/real-services';

/** The maintenance database of the shared server (trust auth on loopback here and in CI). */
export const ADMIN_URL =
  process.env['TEST_PG_ADMIN_URL'] ??
  `postgres://${process.env['PGUSER'] ?? 'postgres'}@${process.env['PGHOST'] ?? '127.0.0.1'}:${process.env['PGPORT'] ?? '5432'}/postgres`;

function postgresReady(): boolean {
  try {
    const url = new URL(ADMIN_URL);
    execFileSync('pg_isready', ['-q', '-h', url.hostname, '-p', url.port || '5432'], {
      timeout: 5000,
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * Registers `body` when PostgreSQL answers; otherwise skips loudly, or under
 * REQUIRE_REAL_SERVICES=1 (set by .ci/run) registers a failing test saying what is missing.
 */
export function describeWithPostgres(title: string, body: () => void): void {
  const missing = postgresReady() ? [] : [`PostgreSQL not reachable at ${ADMIN_URL}`];
  describeWithServices(title, missing, body, 'start it, or set TEST_PG_ADMIN_URL');
}

export interface TempDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates `wine_test_<prefix>_<random>`; drop() terminates its sessions and drops it. */
export async function createTempDatabase(prefix: string): Promise<TempDatabase> {
  const name = `wine_test_${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      admin(async (c) => {
        await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
          name,
        ]);
        await c.query(`DROP DATABASE IF EXISTS ${name}`);
      }),
  };
}
