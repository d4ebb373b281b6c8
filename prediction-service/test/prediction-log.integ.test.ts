/**
 * The prediction log and POST /feedback against a real PostgreSQL (a fresh database per run):
 * every answered prediction of /predict and /invocations (single, batch, JSON through the
 * fast lane, CSV through Express) becomes rows; feedback labels them.
 */
import { countLoggedRows, runMigrations } from '@wine/db';
import { pino } from 'pino';
import request from 'supertest';
import { createTempDatabase, describeWithPostgres } from '../../packages/db/test/postgres';
import type { TempDatabase } from '../../packages/db/test/postgres';
import { createPostgresLog } from '../src/postgres-log';
import type { PostgresLog } from '../src/postgres-log';
import { GOOD, buildTestApp, tempDir, writeTinyModel } from './fixtures';
import type { TestApp } from './fixtures';
import { metricValue } from './service-process';

const TOKEN = 'test-feedback-token';
const auth = { Authorization: `Bearer ${TOKEN}` };

describeWithPostgres('prediction log and feedback (real PostgreSQL)', () => {
  let db: TempDatabase;
  let t: TestApp;
  let log: PostgresLog;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    db = await createTempDatabase('service');
    await runMigrations({ databaseUrl: db.url, direction: 'up' });
    const tmp = await tempDir();
    cleanup = tmp.cleanup;
    await writeTinyModel(tmp.dir);
    t = await buildTestApp(
      tmp.dir,
      { feedbackToken: TOKEN },
      {
        log: (metrics) => {
          // A long flush interval: feedback must find predictions still in the queue.
          log = createPostgresLog({
            config: {
              databaseUrl: db.url,
              queueRows: 10_000,
              batchRows: 1000,
              flushIntervalMs: 5000,
            },
            metrics,
            logger: pino({ level: 'silent' }),
          });
          return { sink: log.sink, feedback: log.feedback };
        },
      },
    );
  });
  afterAll(async () => {
    await log.sink.close(Date.now() + 2000);
    await db.drop();
    await cleanup();
  });

  it('logs every answered prediction of every endpoint and form, nothing for rejected ones', async () => {
    const single = await request(t.app).post('/predict').send(GOOD).expect(200);
    const batch = await request(t.app)
      .post('/predict')
      .send({ instances: [GOOD, { ...GOOD, alcohol: 12.5 }, GOOD] })
      .expect(200);
    const inv = await request(t.app)
      .post('/invocations')
      .send({ dataframe_records: [GOOD, GOOD] })
      .expect(200);
    const csv = await request(t.app)
      .post('/invocations')
      .set('content-type', 'text/csv')
      .send(`${Object.keys(GOOD).join(',')}\n${Object.values(GOOD).join(',')}\n`)
      .expect(200);
    await request(t.app)
      .post('/predict')
      .send({ ...GOOD, ph: -1 })
      .expect(422);
    await log.writer.flush();
    expect(await countLoggedRows(log.pool)).toBe(1 + 3 + 2 + 1);

    const rows = await log.pool.query<{
      request_id: string;
      row_index: number;
      endpoint: string;
      prediction: number;
      alcohol: number;
    }>(
      'SELECT request_id, row_index, endpoint, prediction, alcohol FROM prediction_log ORDER BY id',
    );
    const byRequest = (id: unknown) => rows.rows.filter((r) => r.request_id === id);
    expect(byRequest(single.body.request_id)).toEqual([
      expect.objectContaining({
        row_index: 0,
        endpoint: '/predict',
        prediction: single.body.quality,
      }),
    ]);
    const batchRows = byRequest(batch.headers['x-request-id']);
    expect(batchRows.map((r) => r.row_index)).toEqual([0, 1, 2]);
    expect(batchRows.map((r) => r.prediction)).toEqual(batch.body.predictions);
    expect(batchRows[1]?.alcohol).toBe(12.5);
    expect(byRequest(inv.headers['x-request-id']).map((r) => r.endpoint)).toEqual([
      '/invocations',
      '/invocations',
    ]);
    expect(byRequest(csv.headers['x-request-id'])).toHaveLength(1);

    const metrics = (await request(t.management).get('/metrics')).text;
    expect(metricValue(metrics, 'wine_prediction_log_enabled')).toBe(1);
    expect(metricValue(metrics, 'wine_prediction_log_written_total')).toBe(7);
    expect(metricValue(metrics, 'wine_prediction_log_queue_rows')).toBe(0);
    expect(metrics).toContain('wine_prediction_log_dropped_total{reason="queue_full"} 0');
  });

  it('feedback: auth, labels a prediction still queued, idempotent, corrections', async () => {
    const p = await request(t.app).post('/predict').send(GOOD).expect(200);
    const id = p.body.request_id as string;
    await request(t.app).post('/feedback').send({ request_id: id, quality: 6 }).expect(401);
    await request(t.app)
      .post('/feedback')
      .set('Authorization', 'Bearer wrong')
      .send({ request_id: id, quality: 6 })
      .expect(401);
    // Still in the writer's queue (5 s flush interval): the store flushes it and finds it.
    const created = await request(t.app)
      .post('/feedback')
      .set(auth)
      .send({ request_id: id, quality: 6 })
      .expect(200);
    expect(created.body).toEqual({ request_id: id, row: null, quality: 6, status: 'created' });
    const again = await request(t.app)
      .post('/feedback')
      .set(auth)
      .send({ request_id: id, quality: 6 })
      .expect(200);
    expect(again.body.status).toBe('unchanged');
    const fixed = await request(t.app)
      .post('/feedback')
      .set(auth)
      .send({ request_id: id, quality: 5 })
      .expect(200);
    expect(fixed.body.status).toBe('updated');
    const stored = await log.pool.query(
      'SELECT quality FROM prediction_feedback f JOIN prediction_log l ON l.id = f.prediction_id WHERE l.request_id = $1',
      [id],
    );
    expect(stored.rows).toEqual([{ quality: 5 }]);
  });

  it('feedback: batch form with rows; unknown ids and impossible scores are 422 and store nothing', async () => {
    const b = await request(t.app)
      .post('/predict')
      .send({ instances: [GOOD, GOOD] })
      .expect(200);
    const id = b.headers['x-request-id'] as string;
    const res = await request(t.app)
      .post('/feedback')
      .set(auth)
      .send({
        feedback: [
          { request_id: id, row: 0, quality: 7 },
          { request_id: id, row: 1, quality: 4 },
        ],
      })
      .expect(200);
    expect((res.body as { results: { status: string }[] }).results.map((r) => r.status)).toEqual([
      'created',
      'created',
    ]);

    const unknown = await request(t.app)
      .post('/feedback')
      .set(auth)
      .send({
        feedback: [
          { request_id: id, row: 0, quality: 3 },
          { request_id: 'never-seen', quality: 3 },
          { request_id: id, quality: 3 },
        ],
      })
      .expect(422);
    expect(unknown.body.error.code).toBe('UNKNOWN_REQUEST_ID');
    expect(unknown.body.error.details).toEqual([
      { path: 'feedback[1].request_id', message: 'no logged prediction has request id never-seen' },
      { path: 'feedback[2].row', message: `request ${id} scored 2 rows: give row (0–1)` },
    ]);
    const kept = await log.pool.query(
      'SELECT quality FROM prediction_feedback f JOIN prediction_log l ON l.id = f.prediction_id WHERE l.request_id = $1 ORDER BY l.row_index',
      [id],
    );
    expect(kept.rows).toEqual([{ quality: 7 }, { quality: 4 }]);

    for (const quality of [11, -1, 6.5]) {
      const bad = await request(t.app)
        .post('/feedback')
        .set(auth)
        .send({ request_id: id, row: 0, quality })
        .expect(422);
      expect(bad.body.error.code).toBe('IMPOSSIBLE_VALUE');
      expect(bad.body.error.details[0].path).toBe('quality');
    }
    const shape = await request(t.app)
      .post('/feedback')
      .set(auth)
      .send({ request_id: id, quality: 'six' })
      .expect(422);
    expect(shape.body.error.code).toBe('INVALID_INPUT');
    await request(t.app)
      .post('/feedback')
      .set(auth)
      .set('content-type', 'text/plain')
      .send('x')
      .expect(415);
    await request(t.app).get('/feedback').set(auth).expect(405);

    const metrics = (await request(t.management).get('/metrics')).text;
    expect(
      metricValue(metrics, 'wine_feedback_total', { result: 'created' }),
    ).toBeGreaterThanOrEqual(3);
    expect(
      metricValue(metrics, 'wine_feedback_total', { result: 'rejected' }),
    ).toBeGreaterThanOrEqual(5);
  });

  it('the OpenAPI document describes POST /feedback and its bearer scheme', async () => {
    const doc = (await request(t.app).get('/openapi.json').expect(200)).body;
    expect(doc.paths['/feedback'].post.security).toEqual([{ feedbackToken: [] }]);
    expect(doc.components.securitySchemes.feedbackToken).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    expect(Object.keys(doc.components.schemas as object)).toEqual(
      expect.arrayContaining(['FeedbackRequest', 'FeedbackResponse']),
    );
  });
});

describe('without the prediction log', () => {
  it('POST /feedback is 404 FEEDBACK_DISABLED and the log metric says off', async () => {
    const tmp = await tempDir();
    try {
      await writeTinyModel(tmp.dir);
      const t = await buildTestApp(tmp.dir, { feedbackToken: TOKEN });
      const res = await request(t.app)
        .post('/feedback')
        .set(auth)
        .send({ request_id: 'x', quality: 5 })
        .expect(404);
      expect(res.body.error.code).toBe('FEEDBACK_DISABLED');
      const metrics = (await request(t.management).get('/metrics')).text;
      expect(metricValue(metrics, 'wine_prediction_log_enabled')).toBe(0);
    } finally {
      await tmp.cleanup();
    }
  });
});
