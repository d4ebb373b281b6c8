/**
 * The built service as a process with the prediction log on: refuses to start on an
 * unmigrated database; in cluster mode every answered prediction is logged and SIGTERM
 * flushes what was still queued; with its PostgreSQL stopped mid-load it answers every
 * request, counts the rows it drops and resumes logging when the database returns. The
 * outage uses a private PostgreSQL (initdb/pg_ctl on an ephemeral port), never the
 * machine's shared server. About 15 s.
 */
import { countLoggedRows, createPool, runMigrations } from '@wine/db';
import type { Pool } from '@wine/db';
import { GOOD } from './fixtures';
import { createTempDatabase, describeWithPostgres } from '../../packages/db/test/postgres';
import type { TempDatabase } from '../../packages/db/test/postgres';
import { startPrivatePostgres } from '../../packages/db/test/private-postgres';
import type { PrivatePostgres } from '../../packages/db/test/private-postgres';
import { getText, metricValue, startService, steadyLoad, waitUntil } from './service-process';

async function predict(url: string, n: number): Promise<number> {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [GOOD, { ...GOOD, alcohol: 9 + i / 100 }] }),
    });
    if (res.status === 200) ok += 2;
    await res.arrayBuffer();
  }
  return ok;
}

describeWithPostgres('prediction service with the prediction log (real processes)', () => {
  let db: TempDatabase;
  let pool: Pool;
  beforeAll(async () => {
    db = await createTempDatabase('svcproc');
    pool = createPool({ connectionString: db.url, applicationName: 'test', max: 2 });
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('refuses to start while migrations are pending, naming the command to run', async () => {
    const failed = await startService({ DATABASE_URL: db.url }, 15_000).then(
      () => 'started',
      (error: unknown) => String(error),
    );
    expect(failed).toContain('exited early (2)');
    expect(failed).toContain('DB_MIGRATIONS_PENDING');
    expect(failed).toContain('pnpm run db:migrate up');
  }, 30_000);

  it('cluster of 2: every answered row is logged; SIGTERM flushes what was still queued', async () => {
    await runMigrations({ databaseUrl: db.url, direction: 'up' });
    const service = await startService({
      DATABASE_URL: db.url,
      WEB_CONCURRENCY: '2',
      // Nothing is written until shutdown: the flush on SIGTERM must write it all.
      PREDICTION_LOG_FLUSH_MS: '60000',
      PREDICTION_LOG_BATCH_ROWS: '65536',
    });
    try {
      const answered = await predict(service.url, 60);
      expect(answered).toBe(120);
      const metrics = await getText(`${service.managementUrl}/metrics`);
      expect(metricValue(metrics, 'wine_prediction_log_queue_rows')).toBe(120);
      expect(await countLoggedRows(pool)).toBe(0);
    } finally {
      await service.stop();
    }
    expect(await service.exited).toBe(0);
    expect(await countLoggedRows(pool)).toBe(120);
    const byPid = service.logs.filter((l) => l.includes('prediction log: flushed on shutdown'));
    expect(byPid).toHaveLength(2);
  }, 60_000);
});

describe('prediction service while its PostgreSQL goes away (private server)', () => {
  let pg: PrivatePostgres | undefined;
  afterAll(async () => {
    await pg?.destroy();
  });

  it('answers every request, counts drops, resumes logging when PostgreSQL returns', async () => {
    pg = await startPrivatePostgres();
    const server = pg;
    await runMigrations({ databaseUrl: server.url, direction: 'up' });
    const service = await startService({
      DATABASE_URL: server.url,
      PREDICTION_LOG_QUEUE_ROWS: '200',
      PREDICTION_LOG_FLUSH_MS: '50',
    });
    const pool = createPool({ connectionString: server.url, applicationName: 'test', max: 1 });
    try {
      const load = steadyLoad(service.url, GOOD, 2, 2);
      const scrape = async (name: string, labels: Record<string, string> = {}) =>
        metricValue(await getText(`${service.managementUrl}/metrics`), name, labels);
      await waitUntil(
        'rows written',
        async () => (await scrape('wine_prediction_log_written_total')) > 50,
        10_000,
      );

      await server.stop();
      await waitUntil(
        'drops counted while PostgreSQL is down',
        async () =>
          (await scrape('wine_prediction_log_dropped_total', { reason: 'queue_full' })) > 0,
        20_000,
      );
      expect(await scrape('wine_prediction_log_write_errors_total')).toBeGreaterThan(0);
      const writtenBefore = await scrape('wine_prediction_log_written_total');

      await server.start();
      await waitUntil(
        'logging resumes',
        async () => (await scrape('wine_prediction_log_written_total')) > writtenBefore + 50,
        20_000,
      );
      const result = await load.stop();
      expect(result.failures).toEqual([]);
      expect(result.requests).toBeGreaterThan(100);
      await waitUntil(
        'queue drained',
        async () => (await scrape('wine_prediction_log_queue_rows')) === 0,
        10_000,
      );
      // Every answered row is either in the log or counted as dropped.
      const dropped = await scrape('wine_prediction_log_dropped_total');
      expect((await countLoggedRows(pool)) + dropped).toBe(result.requests);
      expect(service.logs.join('')).toContain('prediction log: writes resumed');
    } finally {
      await pool.end();
      await service.stop();
    }
  }, 90_000);
});
