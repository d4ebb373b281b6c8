import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  DbError,
  MIGRATIONS_DIR,
  RENAMED_MIGRATIONS,
  assertMigrated,
  createMigrationFile,
  listMigrations,
  migrationStatus,
  runMigrations,
} from '../src/index';
import { createTempDatabase, describeWithPostgres } from './postgres';
import type { TempDatabase } from './postgres';

describe('migration files', () => {
  it('every file has an Up and a Down section', async () => {
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(file).toMatch(/^\d{13}_[a-z0-9-]+\.sql$/);
      const text = await readFile(path.join(MIGRATIONS_DIR, file), 'utf8');
      expect(text).toMatch(/^-- Up Migration/m);
      expect(text).toMatch(/^-- Down Migration/m);
    }
  });

  it('timestamps are unique and the run order is theirs (no tie broken by name)', async () => {
    const names = await listMigrations();
    const stamps = names.map((n) => Number(n.split('_')[0]));
    expect(new Set(stamps).size).toBe(stamps.length);
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
    expect(new Set(names).size).toBe(names.length);
    // A renamed migration's new name exists and its old name no longer does.
    for (const [from, to] of Object.entries(RENAMED_MIGRATIONS)) {
      expect(names).toContain(to);
      expect(names).not.toContain(from);
    }
  });

  it('createMigrationFile writes a timestamped template and refuses to overwrite', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'wine-mig-'));
    try {
      const file = await createMigrationFile('Pipeline runs', dir, 1767225600001);
      expect(path.basename(file)).toBe('1767225600001_pipeline-runs.sql');
      expect(await listMigrations(dir)).toEqual(['1767225600001_pipeline-runs']);
      await expect(createMigrationFile('pipeline runs', dir, 1767225600001)).rejects.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Each test has a database of its own: a test that times out under load leaves work behind
 * (node-pg-migrate still running), and dropping a shared database at the end of the file
 * then terminated it ("terminating connection due to administrator command") in the middle
 * of the next test's queries.
 */
async function withDatabase(fn: (db: TempDatabase, pool: pg.Pool) => Promise<void>) {
  const db = await createTempDatabase('migrations');
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  try {
    await fn(db, pool);
  } finally {
    await pool.end();
    await db.drop();
  }
}

describeWithPostgres('migrations on a real database', () => {
  it('a fresh database has every migration pending and refuses to start', () =>
    withDatabase(async (_db, pool) => {
      const all = await listMigrations();
      expect(await migrationStatus(pool)).toEqual({ applied: [], pending: all, unknown: [] });
      const error = await assertMigrated(pool).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DbError);
      expect((error as DbError).code).toBe('DB_MIGRATIONS_PENDING');
      expect((error as DbError).message).toContain('pnpm run db:migrate up');
    }));

  it(
    'up applies all, down reverts one, up again; status follows',
    () =>
      withDatabase(async (db, pool) => {
        const all = await listMigrations();
        expect(await runMigrations({ databaseUrl: db.url, direction: 'up' })).toEqual(all);
        await expect(assertMigrated(pool)).resolves.toBeUndefined();
        expect(await runMigrations({ databaseUrl: db.url, direction: 'up' })).toEqual([]);
        const tables = await pool.query<{ tablename: string }>(
          "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
        );
        expect(tables.rows.map((r) => r.tablename)).toEqual(
          expect.arrayContaining(['pgmigrations', 'prediction_feedback', 'prediction_log']),
        );

        const reverted = await runMigrations({ databaseUrl: db.url, direction: 'down' });
        expect(reverted).toEqual([all[all.length - 1]]);
        expect((await migrationStatus(pool)).pending).toEqual(reverted);
        await runMigrations({ databaseUrl: db.url, direction: 'up' });
        expect((await migrationStatus(pool)).pending).toEqual([]);
      }),
    60_000,
  );

  it(
    'a database migrated under a renamed migration’s old name is current and migrates on',
    () =>
      withDatabase(async (db, pool) => {
        await runMigrations({ databaseUrl: db.url, direction: 'up' });
        // What the release before the rename left in pgmigrations.
        for (const [from, to] of Object.entries(RENAMED_MIGRATIONS)) {
          await pool.query('UPDATE pgmigrations SET name = $1 WHERE name = $2', [from, to]);
        }
        await expect(assertMigrated(pool)).resolves.toBeUndefined();
        const lines: string[] = [];
        // checkOrder passes and nothing is re-run (the renamed migration's DROP INDEX would fail).
        expect(
          await runMigrations({ databaseUrl: db.url, direction: 'up', log: (l) => lines.push(l) }),
        ).toEqual([]);
        expect(lines.join('\n')).toContain('renamed applied migration');
        const names = await pool.query<{ name: string }>(
          'SELECT name FROM pgmigrations ORDER BY id',
        );
        expect(names.rows.map((r) => r.name)).toEqual(await listMigrations());
        // The newest can still be reverted and applied again under its new name.
        expect(await runMigrations({ databaseUrl: db.url, direction: 'down' })).toHaveLength(1);
        expect(await runMigrations({ databaseUrl: db.url, direction: 'up' })).toHaveLength(1);
      }),
    60_000,
  );

  it('a migration this release does not know is reported, not ignored', () =>
    withDatabase(async (db, pool) => {
      await runMigrations({ databaseUrl: db.url, direction: 'up' });
      await pool.query(
        "INSERT INTO pgmigrations (name, run_on) VALUES ('9999999999999_from-the-future', now())",
      );
      const error = await assertMigrated(pool).catch((e: unknown) => e);
      expect((error as DbError).code).toBe('DB_MIGRATIONS_UNKNOWN');
    }));

  it('an unreachable server is DB_UNREACHABLE with the password hidden', async () => {
    const error = await runMigrations({
      databaseUrl: 'postgres://u:secret@127.0.0.1:1/x',
      direction: 'up',
    }).catch((e: unknown) => e);
    expect((error as DbError).code).toBe('DB_UNREACHABLE');
    expect((error as DbError).message).not.toContain('secret');
  });
});
