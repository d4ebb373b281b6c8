/**
 * `simulate` against the real built service with a real PostgreSQL prediction log: every
 * answered request is logged, the chosen share gets its true quality back through
 * POST /feedback, the injected shift is what the log holds. ~10 s (service start included).
 */
import { createPool, runMigrations, type Pool } from '@wine/db';
import { parseWineCsv } from '@wine/model';
import { createTempDatabase, describeWithPostgres } from '../../packages/db/test/postgres';
import type { TempDatabase } from '../../packages/db/test/postgres';
import { startService } from '../../prediction-service/test/service-process';
import type { ServiceProcess } from '../../prediction-service/test/service-process';
import { createRowSource } from '../src/simulate/row-source';
import { runSimulation } from '../src/simulate/run-simulation';
import { httpTarget } from '../src/simulate/targets';
import { syntheticCsv } from './synthetic-wine';

const TOKEN = 'simulate-test-token';
const records = parseWineCsv(syntheticCsv(300, 5), { file: 'synthetic.csv' }).records;

describeWithPostgres('simulate → the real service and PostgreSQL', () => {
  let db: TempDatabase;
  let service: ServiceProcess;
  let client: Pool;

  beforeAll(async () => {
    db = await createTempDatabase('simulate');
    await runMigrations({ databaseUrl: db.url, direction: 'up' });
    service = await startService({ DATABASE_URL: db.url, FEEDBACK_TOKEN: TOKEN });
    client = createPool({ connectionString: db.url, applicationName: 'simulate-test' });
  }, 60_000);
  afterAll(async () => {
    await client.end();
    await service.stop();
    await db.drop();
  });

  async function until(query: string, expected: number): Promise<number> {
    let n = -1;
    for (let i = 0; i < 100 && n !== expected; i++) {
      n = Number((await client.query<{ n: string }>(query)).rows[0]?.n);
      if (n !== expected) await new Promise((r) => setTimeout(r, 100));
    }
    return n;
  }

  it('replays shifted wines; every answer is logged and the chosen half gets feedback', async () => {
    const summary = await runSimulation(
      {
        rate: 300,
        requests: 400,
        concurrency: 16,
        feedbackFraction: 0.5,
        feedbackDelayMs: 300,
        seed: 7,
      },
      {
        target: httpTarget({ url: service.url, feedbackToken: TOKEN }),
        rows: createRowSource(records, {
          seed: 7,
          order: 'shuffle',
          drift: { shift: { alcohol: 1.5 }, scale: {} },
        }),
      },
    );
    expect(summary.requests).toEqual({ sent: 400, ok: 400, failed: 0, errors: {} });
    expect(summary.feedback.selected).toBeGreaterThan(150);
    expect(summary.feedback.selected).toBeLessThan(250);
    expect(summary.feedback).toMatchObject({
      ok: summary.feedback.selected,
      failed: 0,
      cancelled: 0,
    });
    expect(summary.latency_ms.p50).toBeGreaterThan(0);
    expect(await until('SELECT count(*) AS n FROM prediction_log', 400)).toBe(400);
    expect(await until('SELECT count(*) AS n FROM prediction_feedback', summary.feedback.ok)).toBe(
      summary.feedback.ok,
    );
    const logged = await client.query<{ avg: number }>(
      'SELECT avg(alcohol)::float8 AS avg FROM prediction_log',
    );
    const source = records.reduce((s, r) => s + r.alcohol, 0) / records.length;
    expect(Math.abs((logged.rows[0]?.avg ?? 0) - (source + 1.5))).toBeLessThan(0.3);
  }, 60_000);

  it('feedback with a wrong token fails (counted per error code); predictions still succeed', async () => {
    const summary = await runSimulation(
      { rate: 500, requests: 40, concurrency: 8, feedbackFraction: 1, feedbackDelayMs: 0, seed: 1 },
      {
        target: httpTarget({ url: service.url, feedbackToken: 'wrong' }),
        rows: createRowSource(records, {
          seed: 1,
          order: 'shuffle',
          drift: { shift: {}, scale: {} },
        }),
      },
    );
    expect(summary.requests.ok).toBe(40);
    expect(summary.feedback.ok).toBe(0);
    expect(summary.feedback.failed).toBe(40);
    expect(Object.keys(summary.feedback.errors)).toHaveLength(1);
  }, 30_000);
});
