/**
 * Prediction-log retention on a real PostgreSQL: deletes exactly the rows predicted before
 * the cutoff, in batches, labels with them, nothing newer; the delete finds old stored
 * batches through the index on last_at, not a sequential scan of the log.
 */
import type pg from 'pg';
import {
  countLoggedRows,
  countRowsBefore,
  createPool,
  prunePredictionLog,
  retentionCutoff,
  runMigrations,
} from '../src/index';
import { createTempDatabase, describeWithPostgres } from './postgres';
import type { TempDatabase } from './postgres';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 30, 12);

/**
 * `rows` log rows, one a minute, the newest at `newest` (in time order, as the service
 * writes), inserted through the prediction_log view: each row a stored batch of its own.
 */
async function fillLog(pool: pg.Pool, rows: number, newest: number): Promise<void> {
  await pool.query(
    `INSERT INTO prediction_log (request_id, row_index, predicted_at, endpoint, model_name,
       model_version, model_source, fixed_acidity, volatile_acidity, citric_acid, residual_sugar,
       chlorides, free_sulfur_dioxide, total_sulfur_dioxide, density, ph, sulphates, alcohol,
       wine_type, prediction)
     SELECT 'r' || i, 0, to_timestamp($2::double precision / 1000) - (($1 - i) * interval '1 minute'),
       '/predict', 'wine-quality', '1', 'file:/m', 7.4, 0.7, 0, 1.9, 0.076, 11, 34, 0.9978, 3.51,
       0.56, 9.4, 'red', 5.1
     FROM generate_series(1, $1) AS i`,
    [rows, newest],
  );
}

describeWithPostgres('prediction-log retention (real PostgreSQL)', () => {
  let db: TempDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    db = await createTempDatabase('retention');
    await runMigrations({ databaseUrl: db.url, direction: 'up' });
    pool = createPool({ connectionString: db.url, applicationName: 'test', max: 2 });
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });
  beforeEach(async () => {
    await pool.query('TRUNCATE prediction_log_batch CASCADE');
  });

  it('deletes the rows before the cutoff in batches, with their labels, and nothing newer', async () => {
    // 10 days of one row a minute: 14,400 rows; keep the last 7 days.
    await fillLog(pool, 14_400, NOW);
    const old = await pool.query<{ id: string }>(
      'SELECT id FROM prediction_log ORDER BY id LIMIT 1',
    );
    const young = await pool.query<{ id: string }>(
      'SELECT id FROM prediction_log ORDER BY id DESC LIMIT 1',
    );
    for (const row of [old.rows[0]!, young.rows[0]!]) {
      await pool.query(
        `INSERT INTO prediction_feedback (prediction_id, model_version, predicted_at, prediction, quality,
           fixed_acidity, volatile_acidity, citric_acid, residual_sugar, chlorides, free_sulfur_dioxide,
           total_sulfur_dioxide, density, ph, sulphates, alcohol, wine_type)
         SELECT id, model_version, predicted_at, prediction, 6, fixed_acidity, volatile_acidity,
           citric_acid, residual_sugar, chlorides, free_sulfur_dioxide, total_sulfur_dioxide, density,
           ph, sulphates, alcohol, wine_type FROM prediction_log WHERE id = $1`,
        [row.id],
      );
    }
    const cutoff = retentionCutoff(7, NOW);
    const due = await countRowsBefore(pool, cutoff);
    expect(due).toBe(3 * 24 * 60 - 1); // exactly 7 days old is kept

    const progress: number[] = [];
    const result = await prunePredictionLog(pool, {
      before: cutoff,
      batchRows: 1000,
      onBatch: (n) => progress.push(n),
    });
    expect(result).toEqual({ deletedRows: due, batches: 5, more: false });
    expect(progress).toEqual([1000, 2000, 3000, 4000, due]);
    expect(await countLoggedRows(pool)).toBe(14_400 - due);
    expect(await countRowsBefore(pool, cutoff)).toBe(0);
    const oldest = await pool.query<{ predicted_at: Date }>(
      'SELECT min(predicted_at) AS predicted_at FROM prediction_log',
    );
    expect(oldest.rows[0]!.predicted_at.getTime()).toBeGreaterThanOrEqual(cutoff.getTime());
    const labels = await pool.query<{ prediction_id: string }>(
      'SELECT prediction_id FROM prediction_feedback',
    );
    expect(labels.rows.map((r) => r.prediction_id)).toEqual([young.rows[0]!.id]);

    // Nothing left to do; a second run deletes nothing.
    expect(await prunePredictionLog(pool, { before: cutoff })).toEqual({
      deletedRows: 0,
      batches: 0,
      more: false,
    });
  });

  it('maxBatches stops early and says more is left', async () => {
    await fillLog(pool, 3000, NOW);
    const before = new Date(NOW); // every row is older
    const first = await prunePredictionLog(pool, { before, batchRows: 1000, maxBatches: 2 });
    expect(first).toEqual({ deletedRows: 2000, batches: 2, more: true });
    expect(await countLoggedRows(pool)).toBe(1000);
  });

  it('deletes whole stored batches: one that straddles the cutoff stays until all of it is old', async () => {
    // Two stored batches of 3 rows, a minute apart within each.
    await pool.query(
      `INSERT INTO prediction_log_batch (endpoint, model_name, model_version, model_source,
      first_at, last_at, rows, request_id, row_index, predicted_at, fixed_acidity, volatile_acidity,
      citric_acid, residual_sugar, chlorides, free_sulfur_dioxide, total_sulfur_dioxide, density, ph,
      sulphates, alcohol, wine_type, prediction, other_request_ids)
      SELECT '/predict', 'wine-quality', '1', 'x', t[1], t[3], 3, '{a,b,c}', '{0,0,0}', t,
        f, f, f, f, f, f, f, f, f, f, f, '{red,red,red}', f, '{a,b,c}'
      FROM (VALUES (0), (10)) AS v(start),
        LATERAL (SELECT ARRAY[$1::timestamptz + start * interval '1 minute',
          $1::timestamptz + (start + 1) * interval '1 minute',
          $1::timestamptz + (start + 2) * interval '1 minute'] AS t, '{1,2,3}'::float8[] AS f) x`,
      [new Date(NOW)],
    );
    const midFirst = new Date(NOW + 60_000);
    expect(await countRowsBefore(pool, midFirst)).toBe(0);
    expect(await prunePredictionLog(pool, { before: midFirst })).toMatchObject({ deletedRows: 0 });
    const afterFirst = new Date(NOW + 3 * 60_000);
    expect(await countRowsBefore(pool, afterFirst)).toBe(3);
    expect(await prunePredictionLog(pool, { before: afterFirst })).toEqual({
      deletedRows: 3,
      batches: 1,
      more: false,
    });
    expect(await countLoggedRows(pool)).toBe(3);
  });

  it('finds the old stored batches through the index on last_at, not a sequential scan', async () => {
    // 20,000 stored batches of 5 rows, one a minute.
    await pool.query(
      `INSERT INTO prediction_log_batch (endpoint, model_name, model_version, model_source,
      first_at, last_at, rows, request_id, row_index, predicted_at, fixed_acidity, volatile_acidity,
      citric_acid, residual_sugar, chlorides, free_sulfur_dioxide, total_sulfur_dioxide, density, ph,
      sulphates, alcohol, wine_type, prediction)
      SELECT '/predict', 'wine-quality', '1', 'x', t, t, 5, array_fill('r' || g, ARRAY[5]), '{0,1,2,3,4}',
        array_fill(t, ARRAY[5]), f, f, f, f, f, f, f, f, f, f, f, array_fill('red'::text, ARRAY[5]), f
      FROM generate_series(1, 20000) g,
        LATERAL (SELECT $1::timestamptz - (20000 - g) * interval '1 minute' AS t,
          array_fill(5.5::float8, ARRAY[5]) AS f) x`,
      [new Date(NOW)],
    );
    await pool.query('ANALYZE prediction_log_batch');
    // One day of a ~14-day log.
    const plan = await pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT id, sum(rows) OVER w FROM prediction_log_batch WHERE last_at < $1
       WINDOW w AS (ORDER BY last_at, id) ORDER BY last_at, id LIMIT 10000`,
      [new Date(NOW - 13 * DAY)],
    );
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toContain('prediction_log_batch_last_at_idx');
    expect(text).not.toContain('Seq Scan');
  });

  it('refuses a retention that is not a positive number of days', () => {
    expect(() => retentionCutoff(0)).toThrow(RangeError);
    expect(() => retentionCutoff(Number.NaN)).toThrow(RangeError);
  });
});
