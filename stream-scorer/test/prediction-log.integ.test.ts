/**
 * Streamed predictions in the prediction log (a fresh PostgreSQL database with the
 * platform's migrations, the machine's Redis): one row per written prediction, endpoint
 * "stream", request id "<input stream>/<entry id>", the served model — so the monitor counts
 * them for drift and POST /feedback can label them by entry id. Dead letters are not logged.
 */
import { createPool, recordFeedback, runMigrations } from '@wine/db';
import type { Pool } from '@wine/db';
import { EXAMPLE_WINE } from '@wine/model';
import { createPostgresLog } from '@wine/prediction-service';
import type { PostgresLog } from '@wine/prediction-service';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { createTempDatabase, describeWithPostgres } from '../../packages/db/test/postgres';
import type { TempDatabase } from '../../packages/db/test/postgres';
import { startConsumer } from './harness';
import {
  addEntries,
  connect,
  describeWithRedis,
  drained,
  dropStreams,
  recordEntries,
  uniqueStreams,
  wines,
} from './redis';

describeWithPostgres('streamed predictions in the prediction log', () => {
  describeWithRedis('with Redis', () => {
    let db: TempDatabase;
    let pool: Pool;
    let redis: Redis;

    beforeAll(async () => {
      db = await createTempDatabase('stream_log');
      await runMigrations({ databaseUrl: db.url, direction: 'up' });
      pool = createPool({ connectionString: db.url, applicationName: 'stream-log-test', max: 2 });
      redis = connect();
    }, 60_000);
    afterAll(async () => {
      await pool.end();
      await redis.quit();
      await db.drop();
    });

    it('logs every written prediction once, keyed by its entry id, and feedback finds it', async () => {
      const streams = uniqueStreams('log');
      const good = wines(300);
      const entries = [
        ...recordEntries(good),
        ['record', JSON.stringify({ ...EXAMPLE_WINE, ph: 99 })],
      ];
      const ids = await addEntries(redis, streams.input, entries);
      let log: PostgresLog | undefined;
      const running = await startConsumer(streams, 'logger', {
        sink: (metrics) => {
          log = createPostgresLog({
            config: { databaseUrl: db.url, queueRows: 10_000, batchRows: 100, flushIntervalMs: 50 },
            metrics,
            logger: pino({ level: 'silent' }),
          });
          return log.sink;
        },
      });
      try {
        await drained(redis, streams, 15_000);
        await running.stop();
        await log?.sink.close(Date.now() + 5000);

        const { rows } = await pool.query<{
          request_id: string;
          row_index: number;
          endpoint: string;
          model_version: string;
          alcohol: number;
          prediction: number;
        }>(
          'SELECT request_id, row_index, endpoint, model_version, alcohol, prediction FROM prediction_log ORDER BY id',
        );
        expect(rows).toHaveLength(good.length);
        const model = running.store.current()!;
        expect(new Set(rows.map((r) => r.endpoint))).toEqual(new Set(['stream']));
        expect(new Set(rows.map((r) => r.model_version))).toEqual(new Set([model.info.version]));
        expect(rows.map((r) => r.request_id).sort()).toEqual(
          ids
            .slice(0, good.length)
            .map((id) => `${streams.input}/${id}`)
            .sort(),
        );
        const first = rows.find((r) => r.request_id === `${streams.input}/${ids[0]!}`)!;
        expect(first).toMatchObject({ row_index: 0, alcohol: good[0]!.alcohol });
        expect(first.prediction).toBe(model.predictRecords([good[0]!])[0]);

        const labelled = await recordFeedback(pool, [
          { requestId: `${streams.input}/${ids[1]!}`, quality: 6 },
        ]);
        expect(labelled).toEqual({ ok: true, statuses: ['created'] });
      } finally {
        await running.stop();
        await dropStreams(redis, streams);
      }
    });
  });
});
