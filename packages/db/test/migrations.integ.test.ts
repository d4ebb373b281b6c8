import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  DbError,
  MIGRATIONS_DIR,
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

describeWithPostgres('migrations on a real database', () => {
  let db: TempDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    db = await createTempDatabase('migrations');
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('a fresh database has every migration pending and refuses to start', async () => {
    const all = await listMigrations();
    expect(await migrationStatus(pool)).toEqual({ applied: [], pending: all, unknown: [] });
    const error = await assertMigrated(pool).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DbError);
    expect((error as DbError).code).toBe('DB_MIGRATIONS_PENDING');
    expect((error as DbError).message).toContain('pnpm run db:migrate up');
  });

  it('up applies all, down reverts one, up again; status follows', async () => {
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
  });

  it('a migration this release does not know is reported, not ignored', async () => {
    await pool.query(
      "INSERT INTO pgmigrations (name, run_on) VALUES ('9999999999999_from-the-future', now())",
    );
    try {
      const error = await assertMigrated(pool).catch((e: unknown) => e);
      expect((error as DbError).code).toBe('DB_MIGRATIONS_UNKNOWN');
    } finally {
      await pool.query("DELETE FROM pgmigrations WHERE name = '9999999999999_from-the-future'");
    }
  });

  it('an unreachable server is DB_UNREACHABLE with the password hidden', async () => {
    const error = await runMigrations({
      databaseUrl: 'postgres://u:secret@127.0.0.1:1/x',
      direction: 'up',
    }).catch((e: unknown) => e);
    expect((error as DbError).code).toBe('DB_UNREACHABLE');
    expect((error as DbError).message).not.toContain('secret');
  });
});
