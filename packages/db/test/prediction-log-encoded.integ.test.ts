/**
 * The COPY writer encodes rows when they are enqueued (EncodedRowQueue) instead of when their
 * batch is written (encodeCopyBinary over the entries). These tests hold the two to the same
 * bytes and the same rows in the table, including edge values, and check that the byte queue
 * takes, puts back and drops whole rows exactly as the entry queue does.
 */
import type pg from 'pg';
import {
  EncodedRowQueue,
  createPool,
  createPredictionLogWriter,
  encodeCopyBinary,
  encodedCopyPayload,
  runMigrations,
} from '../src/index';
import type { EntrySlice, PredictionLogEntry } from '../src/index';
import { RowQueue } from '../src/prediction-log/row-queue';
import { MODEL, entry } from './fixtures';
import { createTempDatabase, describeWithPostgres } from './postgres';
import type { TempDatabase } from './postgres';

/** Entries whose values are hard to carry exactly: signed zero, extremes, long and non-ASCII text. */
function edgeEntries(): PredictionLogEntry[] {
  const odd = entry(4, {
    requestId: `ünïcødé-🍷-葡萄酒-${'x'.repeat(300)}`,
    endpoint: '/predict/batch',
    model: { name: 'wine-qualité', version: 'v2 ✓', source: 'file:/tmp/a\tb\\c\nd€' },
    receivedAt: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
  });
  const values = [-0, 5e-324, 1.7976931348623157e308, -2.2250738585072014e-308];
  const records = odd.records.map((r, i) => ({
    ...r,
    fixed_acidity: values[i] as number,
    volatile_acidity: -(values[i] as number),
    alcohol: 1e-300 * (i + 1),
    wine_type: i % 2 === 0 ? ('white' as const) : ('red' as const),
  }));
  return [
    { ...odd, records, predictions: [-0, 5e-324, 1e308, 0.1 + 0.2] },
    // Longer than one 64 KiB chunk: gets a chunk of its own.
    entry(2, { requestId: 'r'.repeat(100_000) }),
    // Before 2000 and before 1970 (negative PostgreSQL and Unix timestamps), sub-ms time.
    entry(1, { receivedAt: Date.UTC(1999, 11, 31, 23, 59, 59, 999) }),
    entry(1, { receivedAt: Date.UTC(1969, 6, 20, 20, 17, 40, 1) + 0.25 }),
    // More predictions than records: only the pairs are rows.
    { ...entry(2), predictions: [5, 6, 7] },
    entry(0),
  ];
}

const whole = (entries: readonly PredictionLogEntry[]): EntrySlice[] =>
  entries.map((e) => ({
    entry: e,
    start: 0,
    end: Math.min(e.records.length, e.predictions.length),
  }));

/** A small deterministic PRNG (mulberry32) so a failure replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('EncodedRowQueue', () => {
  it('encodes the same bytes as encodeCopyBinary over the entries', () => {
    const entries = edgeEntries();
    const queue = new EncodedRowQueue();
    for (const e of entries) queue.push(e);
    expect(queue.rows).toBe(4 + 2 + 1 + 1 + 2);
    const batch = queue.take(Infinity);
    expect(batch.rows).toBe(10);
    expect(queue.rows).toBe(0);
    expect(encodedCopyPayload(batch).equals(encodeCopyBinary(whole(entries)))).toBe(true);
  });

  it('takes exactly the rows asked for across chunks, and drops only whole rows', () => {
    const queue = new EncodedRowQueue();
    const entries = Array.from({ length: 50 }, () => entry(20));
    for (const e of entries) queue.push(e);
    expect(queue.dropOldest(15)).toBe(15);
    const batch = queue.take(700);
    expect(batch.rows).toBe(700);
    expect(batch.segments.length).toBeGreaterThan(1);
    // Rows 15..714: entry 0 from row 15, entries 1..34, entry 35 up to row 14.
    const expected = encodeCopyBinary([
      { entry: entries[0] as PredictionLogEntry, start: 15, end: 20 },
      ...entries.slice(1, 35).map((e) => ({ entry: e, start: 0, end: 20 })),
      { entry: entries[35] as PredictionLogEntry, start: 0, end: 15 },
    ]);
    expect(encodedCopyPayload(batch).equals(expected)).toBe(true);
    expect(queue.rows).toBe(285);
    expect(queue.dropOldest(1000)).toBe(285);
    expect(queue.take(10).rows).toBe(0);
  });

  it.each([1, 2, 3])(
    'takes, puts back, drops and reuses chunks in whole rows, in the order the entry queue does (seed %i)',
    (seed) => {
      const rnd = random(seed);
      const bytes = new EncodedRowQueue();
      const objects = new RowQueue();
      let compared = 0;
      let largest = 0;
      for (let step = 0; step < 400; step++) {
        const op = rnd();
        if (op < 0.6) {
          // Entries of 1-80 rows, now and then with a long request id, cross chunk boundaries.
          const e = entry(1 + Math.floor(rnd() * 80), {
            requestId: rnd() < 0.05 ? `long-${'é'.repeat(40_000)}` : `req-${step}`,
          });
          bytes.push(e);
          objects.push(e);
        } else if (op < 0.8) {
          const n = Math.floor(rnd() * 100);
          expect(bytes.dropOldest(n)).toBe(objects.dropOldest(n));
        } else {
          const n = 1 + Math.floor(rnd() * 600);
          const a = bytes.take(n);
          const b = objects.take(n);
          expect(a.rows).toBe(b.reduce((s, x) => s + x.end - x.start, 0));
          expect(encodedCopyPayload(a).equals(encodeCopyBinary(b))).toBe(true);
          compared += a.rows;
          if (rnd() < 0.5) {
            bytes.putBack(a);
            objects.putBack(b);
          } else {
            // Written: its chunks may be reused for new rows, never while rows in them are queued.
            bytes.done(a);
          }
        }
        expect(bytes.rows).toBe(objects.rows);
        largest = Math.max(largest, bytes.rows);
      }
      const rest = bytes.take(Infinity);
      expect(encodedCopyPayload(rest).equals(encodeCopyBinary(objects.take(Infinity)))).toBe(true);
      expect(compared).toBeGreaterThan(5000);
      expect(largest).toBeGreaterThan(500);
    },
  );
});

describeWithPostgres('encoded COPY rows on a real database', () => {
  let db: TempDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    db = await createTempDatabase('predlog_enc');
    await runMigrations({ databaseUrl: db.url, direction: 'up' });
    pool = createPool({ connectionString: db.url, applicationName: 'test', max: 2 });
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  /** Every column but the identity, in write order, with the timestamp as exact microseconds. */
  async function readBack(): Promise<Record<string, unknown>[]> {
    await pool.query("SET TIME ZONE 'UTC'");
    const { rows } = await pool.query<Record<string, unknown>>(
      `SELECT *, (extract(epoch FROM predicted_at) * 1000000)::bigint::text AS micros
         FROM prediction_log ORDER BY id`,
    );
    return rows.map(({ id: _id, predicted_at: _at, ...rest }) => rest);
  }

  it('the writer (encoded at enqueue, stored as batches) stores exactly what the INSERT path stored', async () => {
    const entries = edgeEntries();
    await pool.query('TRUNCATE prediction_log_batch CASCADE');
    const inserter = createPredictionLogWriter({ pool, batchRows: 3, method: 'insert' });
    for (const e of entries) inserter.enqueue(e);
    await inserter.flush();
    // The INSERT path sends times as ISO text, to the millisecond, and numbers as text (-0 as 0).
    const withoutTime = (rows: Record<string, unknown>[]): unknown =>
      JSON.parse(JSON.stringify(rows.map(({ micros: _m, ...rest }) => rest)));
    const viaEntries = withoutTime(await readBack());

    await pool.query('TRUNCATE prediction_log_batch CASCADE');
    const writer = createPredictionLogWriter({ pool, batchRows: 3 });
    for (const e of entries) writer.enqueue(e);
    await writer.flush();
    const viaBytes = await readBack();

    expect(viaBytes).toHaveLength(10);
    expect(withoutTime(viaBytes)).toEqual(viaEntries);
    const first = viaBytes[0] as Record<string, unknown>;
    expect(first['request_id']).toBe(entries[0]?.requestId);
    expect(first['model_name']).toBe('wine-qualité');
    expect(first['model_source']).toBe('file:/tmp/a\tb\\c\nd€');
    expect(first['endpoint']).toBe('/predict/batch');
    expect(Object.is(first['fixed_acidity'], -0)).toBe(true);
    expect(Object.is(first['prediction'], -0)).toBe(true);
    expect((viaBytes[1] as Record<string, unknown>)['fixed_acidity']).toBe(5e-324);
    expect((viaBytes[2] as Record<string, unknown>)['fixed_acidity']).toBe(1.7976931348623157e308);
    expect((viaBytes[3] as Record<string, unknown>)['prediction']).toBe(0.1 + 0.2);
    expect(viaBytes.map((r) => r['row_index'])).toEqual([0, 1, 2, 3, 0, 1, 0, 0, 0, 1]);
    expect(viaBytes.map((r) => r['micros'])).toEqual([
      ...Array<string>(4).fill(String(BigInt(Date.UTC(2026, 0, 2, 3, 4, 5, 678)) * 1000n)),
      ...Array<string>(2).fill(String(BigInt(Math.round((entries[1]?.receivedAt ?? 0) * 1000)))),
      String(BigInt(Date.UTC(1999, 11, 31, 23, 59, 59, 999)) * 1000n),
      String(BigInt(Date.UTC(1969, 6, 20, 20, 17, 40, 1)) * 1000n + 250n),
      ...Array<string>(2).fill(String(BigInt(Math.round((entries[4]?.receivedAt ?? 0) * 1000)))),
    ]);
    expect(first['model_version']).toBe('v2 ✓');
    expect(viaBytes.slice(4).every((r) => r['model_name'] === MODEL.name)).toBe(true);
  });
});
