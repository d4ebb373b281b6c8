/**
 * Schema migrations for every table of the platform, applied with node-pg-migrate from the
 * SQL files in packages/db/migrations (`-- Up Migration` / `-- Down Migration` sections).
 * Processes that use the database call `assertMigrated` at startup and refuse to run on a
 * schema that is behind (or ahead of) their release, naming the command that fixes it.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { DbError, describePgError, isConnectionError } from './errors';
import { redactConnectionString } from './pool';

/** packages/db/migrations, from src/ (tests) and dist/ (built) alike. */
export const MIGRATIONS_DIR = path.resolve(__dirname, '..', 'migrations');
/** node-pg-migrate's bookkeeping table (its default name). */
export const MIGRATIONS_TABLE = 'pgmigrations';
export const MIGRATE_COMMAND = 'pnpm run db:migrate up';

/**
 * Migrations renamed after they landed, old name → new name. Two migrations once shared the
 * timestamp 1767312000000 (pipeline-runs and prediction-log-lean-indexes; they ran in name
 * order, which is also the order they landed in); the second now has its own timestamp, so
 * the order is explicit, not a tie-break. A database that applied one under its old name
 * gets its `pgmigrations` row renamed before node-pg-migrate checks the order
 * (`checkOrder`), and the startup check reads the old name as the new one, so nothing is
 * re-run and nothing is reported unknown. A test keeps migration timestamps unique.
 */
export const RENAMED_MIGRATIONS: Readonly<Record<string, string>> = {
  '1767312000000_prediction-log-lean-indexes': '1767312000001_prediction-log-lean-indexes',
};

export interface MigrationStatus {
  /** Applied migrations this release knows, oldest first. */
  readonly applied: readonly string[];
  /** Migrations of this release not yet applied, in the order they will run. */
  readonly pending: readonly string[];
  /** Applied migrations this release does not have (the database is ahead of the code). */
  readonly unknown: readonly string[];
}

/** Migration names (file names without extension), in run order. */
export async function listMigrations(dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = await readdir(dir);
  return files
    .filter((f) => f.endsWith('.sql') && !f.startsWith('.'))
    .map((f) => f.slice(0, -'.sql'.length))
    .sort();
}

interface Queryable {
  query<R extends pg.QueryResultRow>(sql: string): Promise<pg.QueryResult<R>>;
}

export async function migrationStatus(
  db: Queryable,
  dir = MIGRATIONS_DIR,
): Promise<MigrationStatus> {
  const known = await listMigrations(dir);
  let appliedNames: string[];
  try {
    const result = await db.query<{ name: string }>(
      `SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY run_on, id`,
    );
    appliedNames = result.rows.map((r) => RENAMED_MIGRATIONS[r.name] ?? r.name);
  } catch (error) {
    // undefined_table: a fresh database, nothing applied yet.
    if ((error as { code?: unknown }).code === '42P01') appliedNames = [];
    else throw translate(error);
  }
  const applied = new Set(appliedNames);
  const knownSet = new Set(known);
  return {
    applied: known.filter((n) => applied.has(n)),
    pending: known.filter((n) => !applied.has(n)),
    unknown: appliedNames.filter((n) => !knownSet.has(n)),
  };
}

/** Throws DB_MIGRATIONS_PENDING / DB_MIGRATIONS_UNKNOWN / DB_UNREACHABLE unless the schema is current. */
export async function assertMigrated(db: Queryable, dir = MIGRATIONS_DIR): Promise<void> {
  const status = await migrationStatus(db, dir);
  if (status.pending.length > 0) {
    throw new DbError(
      'DB_MIGRATIONS_PENDING',
      `the database has ${status.pending.length} pending migration(s); run \`${MIGRATE_COMMAND}\` with the same DATABASE_URL, then start again`,
      { details: status.pending.map((n) => `pending: ${n}`) },
    );
  }
  if (status.unknown.length > 0) {
    throw new DbError(
      'DB_MIGRATIONS_UNKNOWN',
      'the database was migrated by a newer release (migrations this one does not know); deploy that release, or run its `pnpm run db:migrate down`',
      { details: status.unknown.map((n) => `unknown: ${n}`) },
    );
  }
}

export type StartupSchemaCheck =
  | { readonly status: 'current' }
  /** PostgreSQL could not be asked: a process may start anyway and retry. */
  | { readonly status: 'unreachable'; readonly reason: string }
  /** Pending or unknown migrations: the process must not start; `message` says what to run. */
  | { readonly status: 'refuse'; readonly message: string };

/**
 * The startup check of every process that uses the database (one short-lived connection).
 * Processes that must stay up when PostgreSQL is down (the service, the monitor) start on
 * `unreachable` and exit on `refuse`.
 */
export async function checkSchemaAtStartup(
  databaseUrl: string,
  applicationName: string,
): Promise<StartupSchemaCheck> {
  const client = new pg.Client({
    connectionString: databaseUrl,
    application_name: applicationName,
    connectionTimeoutMillis: 5000,
  });
  try {
    await client.connect();
    await assertMigrated(client);
    return { status: 'current' };
  } catch (error) {
    if (
      error instanceof DbError &&
      (error.code === 'DB_MIGRATIONS_PENDING' || error.code === 'DB_MIGRATIONS_UNKNOWN')
    ) {
      return {
        status: 'refuse',
        message: `error [${error.code}]: ${error.message}\n  ${error.details.join('\n  ')}`,
      };
    }
    return {
      status: 'unreachable',
      reason: `${redactConnectionString(databaseUrl)}: ${describePgError(error)}`,
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface RunMigrationsOptions {
  readonly databaseUrl: string;
  readonly direction: 'up' | 'down';
  /** How many to apply/revert; default all pending (up) or 1 (down). */
  readonly count?: number;
  readonly dir?: string;
  /** Progress lines ("applying X"); default silent. */
  readonly log?: (line: string) => void;
}

/** Applies or reverts migrations in one transaction under node-pg-migrate's advisory lock. */
export async function runMigrations(options: RunMigrationsOptions): Promise<string[]> {
  const client = new pg.Client({
    connectionString: options.databaseUrl,
    connectionTimeoutMillis: 10_000,
    options: '-c TimeZone=UTC',
  });
  try {
    await client.connect();
  } catch (error) {
    throw new DbError(
      'DB_UNREACHABLE',
      `cannot connect to ${redactConnectionString(options.databaseUrl)}: ${describePgError(error)}`,
      { cause: error },
    );
  }
  const log = options.log ?? (() => undefined);
  try {
    await renameAppliedMigrations(client, log);
    const ran = await runner({
      dbClient: client,
      dir: options.dir ?? MIGRATIONS_DIR,
      migrationsTable: MIGRATIONS_TABLE,
      direction: options.direction,
      count: options.count ?? (options.direction === 'up' ? Infinity : 1),
      checkOrder: true,
      singleTransaction: true,
      verbose: false,
      logger: {
        debug: () => undefined,
        info: (msg: string) => {
          if (/^(Migrating|MIGRATION)/i.test(msg)) log(msg.trim());
        },
        warn: (msg: string) => {
          log(`warning: ${msg}`);
        },
        error: (msg: string) => {
          log(`error: ${msg}`);
        },
      },
    });
    return ran.map((m) => m.name);
  } catch (error) {
    if (isConnectionError(error)) throw translate(error);
    throw new DbError(
      'DB_MIGRATION_FAILED',
      `migration ${options.direction} failed: ${describePgError(error)}`,
      {
        cause: error,
      },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Applies RENAMED_MIGRATIONS to the bookkeeping table (idempotent; nothing on a fresh database). */
async function renameAppliedMigrations(client: pg.Client, log: (line: string) => void) {
  const table = await client.query<{ oid: string | null }>(
    `SELECT to_regclass('${MIGRATIONS_TABLE}')::text AS oid`,
  );
  if (table.rows[0]?.oid == null) return;
  for (const [from, to] of Object.entries(RENAMED_MIGRATIONS)) {
    const renamed = await client.query(`UPDATE ${MIGRATIONS_TABLE} SET name = $2 WHERE name = $1`, [
      from,
      to,
    ]);
    if ((renamed.rowCount ?? 0) > 0) log(`renamed applied migration ${from} → ${to}`);
  }
}

/** Writes an empty SQL migration named `<unix ms>_<name>.sql` and returns its path. */
export async function createMigrationFile(
  name: string,
  dir = MIGRATIONS_DIR,
  now = Date.now(),
): Promise<string> {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  if (slug === '')
    throw new DbError('DB_MIGRATION_FAILED', 'a migration needs a name, e.g. pipeline-runs');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${now}_${slug}.sql`);
  await writeFile(
    file,
    `-- Up Migration\n-- What this migration adds, and who reads/writes it.\n\n\n-- Down Migration\n-- Reverts exactly the Up section.\n\n`,
    { flag: 'wx' },
  );
  return file;
}

function translate(error: unknown): DbError {
  if (error instanceof DbError) return error;
  if (isConnectionError(error)) {
    return new DbError('DB_UNREACHABLE', `PostgreSQL is unreachable: ${describePgError(error)}`, {
      cause: error,
    });
  }
  return new DbError('DB_QUERY_FAILED', describePgError(error), { cause: error });
}
