/**
 * `pnpm run db:prune` as the built CLI against a real PostgreSQL: says what it needs, counts
 * on --dry-run, deletes only rows older than PREDICTION_LOG_RETENTION_DAYS, refuses an
 * unmigrated database. About 3 s.
 */
import { countLoggedRows, createPool, runMigrations, type Pool } from '@wine/db';
import { createTempDatabase, describeWithPostgres } from '../../packages/db/test/postgres';
import type { TempDatabase } from '../../packages/db/test/postgres';
import { builtCli, runNode } from './cli-harness';

const cli = builtCli('db-prune');
const itBuilt = cli === undefined ? it.skip : it;

describeWithPostgres('db:prune (built CLI, real PostgreSQL)', () => {
  let db: TempDatabase;
  let pool: Pool;
  beforeAll(async () => {
    db = await createTempDatabase('prune_cli');
    await runMigrations({ databaseUrl: db.url, direction: 'up' });
    pool = createPool({ connectionString: db.url, applicationName: 'test', max: 1 });
    // One row a day for 10 days, the newest now.
    await pool.query(
      `INSERT INTO prediction_log (request_id, row_index, predicted_at, endpoint, model_name,
         model_version, model_source, fixed_acidity, volatile_acidity, citric_acid, residual_sugar,
         chlorides, free_sulfur_dioxide, total_sulfur_dioxide, density, ph, sulphates, alcohol,
         wine_type, prediction)
       SELECT 'r' || d, 0, now() - d * interval '1 day' + interval '1 hour', '/predict', 'm', '1',
         'file:/m', 7.4, 0.7, 0, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56, 9.4, 'red', 5.1
       FROM generate_series(0, 9) AS d`,
    );
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  itBuilt('asks for the retention, counts on --dry-run, then deletes the older rows', async () => {
    const env = { DATABASE_URL: db.url, PREDICTION_LOG_RETENTION_DAYS: '' };
    const missing = await runNode(cli!, [], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('PREDICTION_LOG_RETENTION_DAYS');

    const dry = await runNode(cli!, ['--days', '3', '--dry-run'], env);
    expect(dry.stdout).toContain('6 rows predicted before');
    expect(await countLoggedRows(pool)).toBe(10);

    const pruned = await runNode(cli!, ['--batch-rows', '4'], {
      ...env,
      PREDICTION_LOG_RETENTION_DAYS: '3',
    });
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/deleted 6 prediction-log rows .* \(2 batches/);
    expect(await countLoggedRows(pool)).toBe(4);
  });

  itBuilt('refuses a database that is not migrated, naming the command', async () => {
    const bare = await createTempDatabase('prune_bare');
    try {
      const result = await runNode(cli!, ['--days', '30'], { DATABASE_URL: bare.url });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('DB_MIGRATIONS_PENDING');
      expect(result.stderr).toContain('pnpm run db:migrate up');
    } finally {
      await bare.drop();
    }
  });
});
