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
          expect.arrayContaining(['pgmigrations', 'prediction_feedback', 'prediction_log_batch']),
        );
        const views = await pool.query<{ viewname: string }>(
          "SELECT viewname FROM pg_views WHERE schemaname = 'public'",
        );
        expect(views.rows.map((r) => r.viewname)).toEqual(['prediction_log']);

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

  it(
    'moving the log into stored batches keeps every row, id order and label, and moves back',
    () =>
      withDatabase(async (db, pool) => {
        const all = await listMigrations();
        const batches = all.indexOf('1801000000000_prediction-log-batches');
        await runMigrations({ databaseUrl: db.url, direction: 'up', count: batches });
        // 4,500 rows of two models, a UUIDv7 id or a client's, and labels on every 7th row.
        await pool.query(`INSERT INTO prediction_log (request_id, row_index, predicted_at, endpoint,
            model_name, model_version, model_source, fixed_acidity, volatile_acidity, citric_acid,
            residual_sugar, chlorides, free_sulfur_dioxide, total_sulfur_dioxide, density, ph,
            sulphates, alcohol, wine_type, prediction)
          SELECT CASE WHEN g % 3 = 0 THEN 'client-' || g
                 ELSE '019ad5b2-' || lpad(to_hex(g), 4, '0') || '-7abc-8def-0123456789ab' END,
            g % 2, to_timestamp(('x019ad5b2' || lpad(to_hex(g), 4, '0'))::bit(48)::bigint / 1000.0),
            '/predict', 'wine', (g % 2)::text, 'src', g, 0.5, 0.3, 2, 0.08, 15, 40, 0.996, 3.3, 0.6, 10,
            CASE WHEN g % 5 = 0 THEN 'white' ELSE 'red' END, g / 1000.0
          FROM generate_series(1, 4500) g`);
        await pool.query(`INSERT INTO prediction_feedback (prediction_id, model_version, predicted_at, prediction, quality)
          SELECT id, model_version, predicted_at, prediction, id % 11 FROM prediction_log WHERE id % 7 = 0`);
        const snapshot = async (): Promise<unknown[]> =>
          (
            await pool.query<
              Record<string, unknown>
            >(`SELECT l.request_id, l.row_index, l.predicted_at, l.model_version,
                l.fixed_acidity, l.wine_type, l.prediction, f.quality
              FROM prediction_log l LEFT JOIN prediction_feedback f ON f.prediction_id = l.id
              ORDER BY l.fixed_acidity`)
          ).rows;
        const before = await snapshot();
        const orderBefore = (
          await pool.query<{ fixed_acidity: number }>(
            'SELECT fixed_acidity FROM prediction_log ORDER BY id',
          )
        ).rows;

        await runMigrations({ databaseUrl: db.url, direction: 'up' });
        expect(await snapshot()).toEqual(before);
        const stored = await pool.query<{ n: number; others: number }>(
          'SELECT count(*)::int AS n, sum(cardinality(other_request_ids))::int AS others FROM prediction_log_batch',
        );
        // Two models, 2,250 rows each: two batches of 2,000 and two of 250.
        expect(stored.rows[0]).toEqual({ n: 4, others: 1500 });
        const labels = await pool.query<{ ok: boolean }>(
          `SELECT bool_and(f.fixed_acidity = l.fixed_acidity AND f.wine_type = l.wine_type) AS ok
           FROM prediction_feedback f JOIN prediction_log l ON l.id = f.prediction_id`,
        );
        expect(labels.rows[0]?.ok).toBe(true);
        // Within a model the old id order is the new one.
        const byModel = async (): Promise<unknown[]> =>
          (
            await pool.query<{ fixed_acidity: number }>(
              "SELECT fixed_acidity FROM prediction_log WHERE model_version = '1' ORDER BY id",
            )
          ).rows;
        expect(await byModel()).toEqual(orderBefore.filter((r) => r.fixed_acidity % 2 === 1));

        await runMigrations({ databaseUrl: db.url, direction: 'down' });
        expect(await snapshot()).toEqual(before);
        await runMigrations({ databaseUrl: db.url, direction: 'up' });
        expect(await snapshot()).toEqual(before);
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
