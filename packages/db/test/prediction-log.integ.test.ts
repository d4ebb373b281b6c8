import crypto, { randomUUIDv7 } from 'node:crypto';
import type pg from 'pg';
import {
  countLoggedRows,
  createPool,
  createPredictionLogWriter,
  feedbackCoverage,
  findableTime,
  requestIdTime,
  uuidV7At,
  latestLoggedModel,
  liveErrorByVersion,
  readWindow,
  recordFeedback,
  runMigrations,
} from '../src/index';
import type { DropReason, PredictionLogWriter } from '../src/index';
import { MODEL, entry } from './fixtures';
import { createTempDatabase, describeWithPostgres } from './postgres';
import type { TempDatabase } from './postgres';
import { missingPrivatePostgres, startPrivatePostgres } from './private-postgres';

describeWithPostgres('prediction log on a real database', () => {
  let db: TempDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    db = await createTempDatabase('predlog');
    await runMigrations({ databaseUrl: db.url, direction: 'up' });
    pool = createPool({ connectionString: db.url, applicationName: 'test', max: 3 });
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });
  beforeEach(async () => {
    await pool.query('TRUNCATE prediction_log_batch CASCADE');
  });

  describe.each(['copy', 'insert'] as const)('writes with %s', (method) => {
    it('every row, every column, in UTC, batched', async () => {
      const written: number[] = [];
      const writer = createPredictionLogWriter({
        pool,
        method,
        batchRows: 50,
        events: { onWritten: (n) => written.push(n) },
      });
      const tricky = entry(3, {
        model: { name: 'wine-quality', version: '7', source: 'file:/tmp/a\tb\\c\nd' },
        receivedAt: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
      });
      writer.enqueue(tricky);
      for (let i = 0; i < 120; i++) writer.enqueue(entry(1));
      await writer.flush();
      expect(await countLoggedRows(pool)).toBe(123);
      expect(written.every((n) => n <= 50)).toBe(true);
      const rows = await pool.query(
        "SELECT *, to_char(predicted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') AS utc FROM prediction_log WHERE request_id = $1 ORDER BY row_index",
        [tricky.requestId],
      );
      expect(rows.rows.map((r: { row_index: number }) => r.row_index)).toEqual([0, 1, 2]);
      const second = rows.rows[1];
      expect(second.model_source).toBe('file:/tmp/a\tb\\c\nd');
      expect(second.utc).toBe('2026-01-02 03:04:05.678');
      expect(second.alcohol).toBe(tricky.records[1]?.alcohol);
      expect(second.ph).toBe(tricky.records[1]?.ph);
      expect(second.wine_type).toBe(tricky.records[1]?.wine_type);
      expect(second.prediction).toBe(tricky.predictions[1]);
      expect(writer.stats()).toEqual({
        queuedRows: 0,
        writtenRows: 123,
        droppedRows: 0,
        writeErrors: 0,
      });
      await writer.close(Date.now() + 1000);
    });
  });

  it('writes a partial batch after the flush interval without being asked', async () => {
    const writer = createPredictionLogWriter({ pool, flushIntervalMs: 30 });
    writer.enqueue(entry(2));
    await new Promise((r) => setTimeout(r, 300));
    expect(await countLoggedRows(pool)).toBe(2);
    await writer.close(Date.now() + 1000);
  });

  it('a flush writes what was queued when it began; rows arriving meanwhile wait for a full batch', async () => {
    // Each write waits at connect() until the test lets it go, so what arrives during a
    // write is known. Chasing the queue instead wrote a small batch per write under load.
    const gates: (() => void)[] = [];
    const gated: Pick<pg.Pool, 'connect'> = {
      connect: async () => {
        await new Promise<void>((resolve) => gates.push(resolve));
        return pool.connect();
      },
    };
    const written: number[] = [];
    let wrote: (() => void) | undefined;
    const writer = createPredictionLogWriter({
      pool: gated,
      batchRows: 100,
      // Long next to the 50 ms looked at below, so a slow machine cannot make it come due.
      flushIntervalMs: 1000,
      events: {
        onWritten: (n) => {
          written.push(n);
          wrote?.();
        },
      },
    });
    const nextWrite = (): Promise<void> => new Promise<void>((resolve) => (wrote = resolve));
    const until = async (ok: () => boolean): Promise<void> => {
      while (!ok()) await new Promise((r) => setTimeout(r, 5));
    };
    for (let i = 0; i < 5; i++) writer.enqueue(entry(1));
    await until(() => gates.length === 1); // the flush interval's write of those 5
    for (let i = 0; i < 50; i++) writer.enqueue(entry(1));
    let done = nextWrite();
    gates[0]?.();
    await done;
    await new Promise((r) => setTimeout(r, 50));
    expect(gates).toHaveLength(1); // the 50 wait: neither a full batch nor due yet
    for (let i = 0; i < 60; i++) writer.enqueue(entry(1));
    await until(() => gates.length === 2);
    done = nextWrite();
    gates[1]?.();
    await done;
    expect(written).toEqual([5, 100]);
    const closing = writer.close(Date.now() + 5000);
    await until(() => gates.length === 3);
    gates[2]?.();
    expect(await closing).toEqual({ writtenRows: 10, lostRows: 0 });
    expect(await countLoggedRows(pool)).toBe(115);
  });

  it('close writes everything queued before the deadline and drops what arrives after', async () => {
    const dropped: [number, DropReason][] = [];
    const writer = createPredictionLogWriter({
      pool,
      flushIntervalMs: 60_000,
      batchRows: 10_000,
      events: { onDropped: (n, r) => dropped.push([n, r]) },
    });
    for (let i = 0; i < 500; i++) writer.enqueue(entry(2));
    const result = await writer.close(Date.now() + 5000);
    expect(result).toEqual({ writtenRows: 1000, lostRows: 0 });
    writer.enqueue(entry(1));
    expect(dropped).toEqual([[1, 'shutdown']]);
    expect(await countLoggedRows(pool)).toBe(1000);
  });

  it('feedback: stores labels, idempotent, corrections, all-or-nothing problems', async () => {
    const writer = createPredictionLogWriter({ pool });
    const single = entry(1);
    const batch = entry(3);
    writer.enqueue(single);
    writer.enqueue(batch);
    await writer.flush();

    expect(await recordFeedback(pool, [{ requestId: single.requestId, quality: 6 }])).toEqual({
      ok: true,
      statuses: ['created'],
    });
    expect(await recordFeedback(pool, [{ requestId: single.requestId, quality: 6 }])).toEqual({
      ok: true,
      statuses: ['unchanged'],
    });
    expect(await recordFeedback(pool, [{ requestId: single.requestId, quality: 7 }])).toEqual({
      ok: true,
      statuses: ['updated'],
    });

    const bad = await recordFeedback(pool, [
      { requestId: batch.requestId, row: 0, quality: 5 },
      { requestId: 'nope', quality: 5 },
      { requestId: batch.requestId, quality: 5 },
      { requestId: batch.requestId, row: 9, quality: 5 },
    ]);
    expect(bad).toEqual({
      ok: false,
      problems: [
        { index: 1, reason: 'unknown_request', requestId: 'nope' },
        { index: 2, reason: 'row_required', requestId: batch.requestId, rows: 3 },
        { index: 3, reason: 'unknown_row', requestId: batch.requestId, rows: 3 },
      ],
    });
    expect(
      await recordFeedback(pool, [
        { requestId: batch.requestId, row: 1, quality: 5 },
        { requestId: batch.requestId, row: 1, quality: 6 },
      ]),
    ).toEqual({
      ok: false,
      problems: [{ index: 1, reason: 'duplicate', requestId: batch.requestId }],
    });
    // Nothing of the rejected calls was stored.
    const stored = await pool.query('SELECT count(*)::int AS n FROM prediction_feedback');
    expect(stored.rows[0].n).toBe(1);

    expect(
      await recordFeedback(pool, [
        { requestId: batch.requestId, row: 0, quality: 5 },
        { requestId: batch.requestId, row: 2, quality: 4 },
      ]),
    ).toEqual({ ok: true, statuses: ['created', 'created'] });
    await expect(
      recordFeedback(pool, [{ requestId: single.requestId, quality: 11 }]),
    ).rejects.toMatchObject({ code: 'DB_QUERY_FAILED' });
    await writer.close(Date.now() + 1000);
  });

  it('monitor queries: newest model, windows by rows and by time, live error, coverage', async () => {
    const writer = createPredictionLogWriter({ pool });
    const now = Date.now();
    const old = { ...MODEL, version: '2' };
    for (let i = 0; i < 5; i++)
      writer.enqueue(entry(2, { model: old, receivedAt: now - 3_600_000 }));
    const recent = Array.from({ length: 10 }, (_, i) =>
      entry(1, { receivedAt: now - (10 - i) * 60_000 }),
    );
    for (const e of recent) writer.enqueue(e);
    await writer.flush();

    expect(await latestLoggedModel(pool)).toMatchObject({ version: '3', source: MODEL.source });
    const last4 = await readWindow(pool, { modelVersion: '3', maxRows: 4 });
    expect(last4.rows).toBe(4);
    expect(Array.from(last4.predictions)).toEqual([5, 5, 5, 5]);
    expect(last4.features.alcohol[0]).toBe(9);
    expect(last4.wineType).toEqual(['red', 'red', 'red', 'red']);
    const lastFive = await readWindow(pool, {
      modelVersion: '3',
      maxRows: 100,
      since: now - 5.5 * 60_000,
    });
    expect(lastFive.rows).toBe(5);
    expect(lastFive.newest?.getTime()).toBe(now - 60_000);
    expect(lastFive.oldest?.getTime()).toBe(now - 5 * 60_000);
    expect((await readWindow(pool, { modelVersion: 'none', maxRows: 10 })).rows).toBe(0);

    // Labels: predictions are 5.0; truths 6 and 3 → errors 1 and 2.
    const first = recent[0];
    const second = recent[1];
    if (first === undefined || second === undefined) throw new Error('fixture');
    await recordFeedback(pool, [
      { requestId: first.requestId, quality: 6 },
      { requestId: second.requestId, quality: 3 },
    ]);
    const errors = await liveErrorByVersion(pool, { maxRows: 100, since: now - 86_400_000 });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.modelVersion).toBe('3');
    expect(errors[0]?.labelled).toBe(2);
    expect(errors[0]?.rmse).toBeCloseTo(Math.sqrt((1 + 4) / 2), 12);
    expect(errors[0]?.mae).toBeCloseTo(1.5, 12);
    const newestOnly = await liveErrorByVersion(pool, { maxRows: 1, since: now - 86_400_000 });
    expect(newestOnly[0]?.mae).toBeCloseTo(2, 12);
    expect(await feedbackCoverage(pool, { since: now - 86_400_000 })).toEqual([
      { modelVersion: '2', predictions: 10, labelled: 0 },
      { modelVersion: '3', predictions: 10, labelled: 2 },
    ]);
    await writer.close(Date.now() + 1000);
  });

  it('feedback finds service ids by their time and other ids by the batch list', async () => {
    const writer = createPredictionLogWriter({ pool, batchRows: 4 });
    const now = Date.now();
    const own = entry(1, { requestId: randomUUIDv7(), receivedAt: now });
    // A multi-row request whose rows land in two stored batches (4 rows per write).
    const split = entry(5, { requestId: randomUUIDv7(), receivedAt: now });
    // A client's UUIDv7 from a clock a minute off: not findable by time.
    const skewed = entry(1, { requestId: uuidV7At(now - 60_000), receivedAt: now });
    const client = entry(1, { requestId: 'client-chosen-id' });
    for (const e of [own, split, skewed, client]) writer.enqueue(e);
    await writer.flush();
    const spans = await pool.query<{ rows: number; others: string[] }>(
      'SELECT rows, other_request_ids AS others FROM prediction_log_batch ORDER BY id',
    );
    expect(spans.rows.map((r) => r.rows)).toEqual([4, 4]);
    expect(spans.rows.flatMap((r) => r.others).sort()).toEqual(
      [client.requestId, skewed.requestId].sort(),
    );
    expect(
      await recordFeedback(pool, [
        { requestId: own.requestId, quality: 6 },
        { requestId: split.requestId, row: 4, quality: 3 },
        { requestId: split.requestId, row: 0, quality: 4 },
        { requestId: skewed.requestId, quality: 7 },
        { requestId: client.requestId, quality: 8 },
      ]),
    ).toEqual({ ok: true, statuses: ['created', 'created', 'created', 'created', 'created'] });
    const labelled = await pool.query<{
      request_id: string;
      row_index: number;
      quality: number;
      alcohol: number;
    }>(
      `SELECT l.request_id, l.row_index, f.quality, f.alcohol FROM prediction_feedback f
       JOIN prediction_log l ON l.id = f.prediction_id ORDER BY f.quality`,
    );
    expect(labelled.rows).toEqual([
      { request_id: split.requestId, row_index: 4, quality: 3, alcohol: 9.04 },
      { request_id: split.requestId, row_index: 0, quality: 4, alcohol: 9 },
      { request_id: own.requestId, row_index: 0, quality: 6, alcohol: 9 },
      { request_id: skewed.requestId, row_index: 0, quality: 7, alcohol: 9 },
      { request_id: client.requestId, row_index: 0, quality: 8, alcohol: 9 },
    ]);
    expect(await recordFeedback(pool, [{ requestId: split.requestId, quality: 5 }])).toEqual({
      ok: false,
      problems: [{ index: 0, reason: 'row_required', requestId: split.requestId, rows: 5 }],
    });
    expect(await recordFeedback(pool, [{ requestId: randomUUIDv7(), quality: 5 }])).toMatchObject({
      ok: false,
      problems: [{ reason: 'unknown_request' }],
    });
    await writer.close(Date.now() + 1000);
  });

  it('the writer and the SQL function agree on which request ids are findable by time', async () => {
    const now = Date.now();
    const ids: [string, number][] = [];
    for (const offset of [0, 1, -1999, 1999, 2000, -2000, 2001, -2001, 60_000, -86_400_000]) {
      ids.push([uuidV7At(now + offset), now]);
    }
    ids.push([randomUUIDv7().toUpperCase(), Date.now()]);
    ids.push([crypto.randomUUID(), Date.now()]);
    ids.push(['0190a1b2-c3d4-7e5f-c123-456789abcdef', Date.now()]); // variant bits wrong
    ids.push(['req-1', Date.now()]);
    expect(requestIdTime(uuidV7At(now))).toBe(now);
    expect(uuidV7At(now)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    for (const [id, at] of ids) {
      const sql = await pool.query<{ t: Date | null }>(
        'SELECT prediction_log_request_id_time($1, $2) AS t',
        [id, new Date(at)],
      );
      expect([id, sql.rows[0]?.t?.getTime()]).toEqual([id, findableTime(id, at)]);
    }
  });

  it('a window is the newest rows of the version even when batches overlap in time', async () => {
    // Two writers (two service workers) whose batches interleave in time.
    const a = createPredictionLogWriter({ pool, batchRows: 7 });
    const b = createPredictionLogWriter({ pool, batchRows: 11 });
    const base = Date.now() - 100_000;
    let seed = 7;
    const rand = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 300; i++) {
      const e = entry(1 + Math.floor(rand() * 3), {
        receivedAt: base + Math.floor(rand() * 90_000),
        model: { ...MODEL, version: rand() < 0.8 ? '3' : '4' },
      });
      (rand() < 0.5 ? a : b).enqueue(e);
    }
    await a.flush();
    await b.flush();
    for (const [maxRows, since] of [
      [1, undefined],
      [10, undefined],
      [137, undefined],
      [10_000, undefined],
      [50, base + 60_000],
      [10_000, base + 45_000],
    ] as const) {
      const window = await readWindow(pool, { modelVersion: '3', maxRows, since });
      const expected = await pool.query<{ predicted_at: Date }>(
        `SELECT predicted_at FROM prediction_log WHERE model_version = '3'
           AND ($2::timestamptz IS NULL OR predicted_at >= $2)
         ORDER BY predicted_at DESC LIMIT $1`,
        [maxRows, since === undefined ? null : new Date(since)],
      );
      expect(window.rows).toBe(expected.rows.length);
      expect(window.oldest?.getTime()).toBe(expected.rows.at(-1)?.predicted_at.getTime());
      expect(window.newest?.getTime()).toBe(expected.rows[0]?.predicted_at.getTime());
    }
    const coverage = await feedbackCoverage(pool, { since: base + 30_000 });
    const counts = await pool.query<{ v: string; n: number }>(
      `SELECT model_version AS v, count(*)::int AS n FROM prediction_log
       WHERE predicted_at >= $1 GROUP BY 1 ORDER BY 1`,
      [new Date(base + 30_000)],
    );
    expect(coverage).toEqual(
      counts.rows.map((r) => ({ modelVersion: r.v, predictions: r.n, labelled: 0 })),
    );
    await a.close(Date.now() + 1000);
    await b.close(Date.now() + 1000);
  });

  it('the monitor and feedback queries use indexes, not sequential scans, on a large log', async () => {
    // 2,000 stored batches of 100 rows; the benchmark times a million rows.
    await pool.query(`INSERT INTO prediction_log_batch (endpoint, model_name, model_version, model_source,
      first_at, last_at, rows, request_id_from, request_id_to, other_request_ids, request_id, row_index,
      predicted_at, fixed_acidity, volatile_acidity, citric_acid, residual_sugar, chlorides,
      free_sulfur_dioxide, total_sulfur_dioxide, density, ph, sulphates, alcohol, wine_type, prediction)
      SELECT '/predict', 'wine-quality', (g % 4)::text, 'x', t, t, 100, t, t,
        CASE WHEN g % 50 = 0 THEN ARRAY['client-' || g] ELSE '{}' END,
        array_fill(CASE WHEN g % 50 = 0 THEN 'client-' || g ELSE 'r' || g END, ARRAY[100]), array_fill(0, ARRAY[100]), array_fill(t, ARRAY[100]),
        f, f, f, f, f, f, f, f, f, f, f, array_fill('red'::text, ARRAY[100]), f
      FROM generate_series(1, 2000) g,
        LATERAL (SELECT now() - (2000 - g) * interval '1 minute' AS t, array_fill(5.5::float8, ARRAY[100]) AS f) x`);
    await pool.query('ANALYZE prediction_log_batch');
    const plans: string[] = [];
    const explain = async (sql: string, params: unknown[]): Promise<void> => {
      const r = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
      plans.push(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
    };
    const since = new Date(Date.now() - 600_000);
    await explain(
      `SELECT id, rows, first_at, last_at FROM prediction_log_batch
       WHERE model_version = $1 AND ($3::timestamptz IS NULL OR last_at >= $3) ORDER BY last_at DESC, id DESC LIMIT $2`,
      ['1', 64, since],
    );
    await explain('SELECT id FROM prediction_log_batch WHERE request_id_span @> $1::timestamptz', [
      since,
    ]);
    await explain(
      'SELECT id FROM prediction_log_batch WHERE other_request_ids @> ARRAY[$1::text]',
      ['client-50'],
    );
    await explain('SELECT model_version FROM prediction_log_batch ORDER BY id DESC LIMIT 1', []);
    await explain(
      'SELECT sum(rows) FROM prediction_log_batch b WHERE b.model_version = $1 AND b.last_at >= $2',
      ['1', since],
    );
    await explain(
      'SELECT id FROM prediction_log_batch WHERE last_at < $1 ORDER BY last_at, id LIMIT 10',
      [since],
    );
    for (const plan of plans) expect(plan).not.toMatch(/Seq Scan/);
    // And the feedback lookup finds a row of the 200,000 through them.
    const found = await recordFeedback(pool, [{ requestId: 'client-50', row: 1, quality: 5 }]);
    expect(found).toEqual({
      ok: false,
      problems: [expect.objectContaining({ reason: 'unknown_row' })],
    });
  });
});

const noPrivate = missingPrivatePostgres();
(noPrivate.length === 0 || process.env['REQUIRE_REAL_SERVICES'] === '1' ? describe : describe.skip)(
  'prediction log while PostgreSQL goes away (a private server, stopped and restarted)',
  () => {
    let server: Awaited<ReturnType<typeof startPrivatePostgres>>;
    let pool: pg.Pool;
    let writer: PredictionLogWriter | undefined;
    beforeAll(async () => {
      server = await startPrivatePostgres();
      await runMigrations({ databaseUrl: server.url, direction: 'up' });
      pool = createPool({
        connectionString: server.url,
        applicationName: 'test',
        max: 2,
        connectTimeoutMs: 1000,
      });
    }, 60_000);
    afterAll(async () => {
      await writer?.close(Date.now());
      await pool.end();
      await server.destroy();
    });

    it('keeps accepting, retries with backoff, drops the oldest when full, resumes', async () => {
      const dropped: number[] = [];
      const errorsSeen: number[] = [];
      let recoveredAfter = 0;
      const w = createPredictionLogWriter({
        pool,
        capacityRows: 100,
        batchRows: 20,
        flushIntervalMs: 20,
        initialBackoffMs: 50,
        maxBackoffMs: 200,
        events: {
          onDropped: (n) => dropped.push(n),
          onWriteError: (_e, consecutive) => errorsSeen.push(consecutive),
          onRecovered: (n) => {
            recoveredAfter = n;
          },
        },
      });
      writer = w;
      for (let i = 0; i < 10; i++) w.enqueue(entry(1));
      await w.flush();
      expect(await countLoggedRows(pool)).toBe(10);

      await server.stop();
      const during = Array.from({ length: 150 }, () => entry(1));
      for (const e of during) w.enqueue(e); // never throws, never waits
      await new Promise((r) => setTimeout(r, 600));
      expect(errorsSeen.length).toBeGreaterThan(1);
      expect(errorsSeen).toEqual(errorsSeen.map((_, i) => i + 1));
      expect(dropped.reduce((a, b) => a + b, 0)).toBe(50);
      expect(w.stats()).toMatchObject({ queuedRows: 100, droppedRows: 50 });

      await server.start();
      const deadline = Date.now() + 10_000;
      while (w.stats().queuedRows > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(recoveredAfter).toBeGreaterThan(0);
      expect(await countLoggedRows(pool)).toBe(110);
      // The oldest 50 of the outage were dropped, the newest 100 kept.
      const kept = await pool.query<{ request_id: string }>(
        'SELECT request_id FROM prediction_log ORDER BY id',
      );
      const ids = kept.rows.map((r) => r.request_id).slice(10);
      expect(new Set(ids)).toEqual(new Set(during.slice(50).map((e) => e.requestId)));
    }, 30_000);

    it('close gives up at the deadline while PostgreSQL is down and reports the loss', async () => {
      const w = createPredictionLogWriter({ pool, initialBackoffMs: 50, flushIntervalMs: 10_000 });
      await server.stop();
      try {
        for (let i = 0; i < 5; i++) w.enqueue(entry(1));
        const started = Date.now();
        const result = await w.close(Date.now() + 700);
        expect(Date.now() - started).toBeLessThan(2000);
        expect(result).toEqual({ writtenRows: 0, lostRows: 5 });
        expect(w.stats()).toMatchObject({ droppedRows: 5, queuedRows: 0 });
      } finally {
        await server.start();
      }
    }, 30_000);
  },
);
