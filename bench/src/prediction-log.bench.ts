/**
 * `pnpm run bench prediction-log`:
 *
 * 1. Service throughput with the prediction log on (real PostgreSQL) vs off, in the same run:
 *    the built service with one worker (issue 14's serving goal is per worker), single-record
 *    /predict under wrk, one process without DATABASE_URL and one with it, both running and
 *    measured in alternating rounds (BENCH_ROUNDS, default 7: one round's ratio ranges over
 *    ±0.15 on these shared 2-core machines, the median of 7 much less); the ratio is the
 *    median of the rounds' (goal: on ≥ 0.9× off). Afterwards the log must hold every answered row (a
 *    benchmark that drops rows would be measuring the wrong thing).
 * 2. The writer's methods on the same rows: binary COPY of stored batches, rows encoded one
 *    entry at a time into the byte queue (the service's path), and one INSERT … SELECT FROM
 *    unnest … GROUP BY, per batch size — why the service uses COPY.
 * 3. The monitor's queries on a large log (BENCH_LOG_QUERY_ROWS rows, default 1,000,000).
 * 4. PostgreSQL's own CPU per logged row (its backend's, from /proc), with the schema's
 *    indexes and with each of them left out: where the database's share of the log's cost
 *    goes, on the same cores as the service.
 *
 * Sizes: BENCH_SECONDS (10), BENCH_LOG_ROWS (200,000 per method and batch size),
 * BENCH_LOG_QUERY_ROWS. Needs PostgreSQL (BENCH_PG_ADMIN_URL, default the machine's) and wrk.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  EncodedRowQueue,
  countLoggedRows,
  createBatchCopier,
  createPool,
  feedbackCoverage,
  insertRows,
  latestLoggedModel,
  liveErrorByVersion,
  readWindow,
  runMigrations,
  uuidV7At,
} from '@wine/db';
import type { EntrySlice, Pool, PoolClient, PredictionLogEntry } from '@wine/db';
import { EXAMPLE_WINE } from '@wine/model';
import pg from 'pg';
import type { Benchmark, HeadlineRow } from './registry';
import { WRK, cpuSeconds, wrk, writeWrkScript } from './service/load';
import type { ThroughputResult } from './service/load';
import { startOurs } from './service/servers';
import { median } from './learner/common';
import type { Running } from './service/servers';

const WORKERS = 1;
const ROUNDS = Math.max(1, Number(process.env['BENCH_ROUNDS'] ?? 7));
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const LOG_ROWS = Number(process.env['BENCH_LOG_ROWS'] ?? 200_000);
const QUERY_ROWS = Number(process.env['BENCH_LOG_QUERY_ROWS'] ?? 1_000_000);
const ADMIN_URL =
  process.env['BENCH_PG_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TARGET_ON_VS_OFF = 0.9;
const ROOT = path.resolve(__dirname, '..', '..');

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function withDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const name = `wine_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    await runMigrations({ databaseUrl: url.toString(), direction: 'up' });
    return await fn(url.toString());
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

function entries(n: number, at = Date.now()): PredictionLogEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    // Made at the prediction's time, as the service's own ids: found by their time.
    requestId: uuidV7At(at - (n - i) * 10),
    endpoint: '/predict',
    model: {
      name: 'wine-quality',
      version: String(1 + (i % 3)),
      source: 'models:/wine-quality@champion',
    },
    records: [{ ...EXAMPLE_WINE, alcohol: 9 + (i % 50) / 10 }],
    predictions: [5 + (i % 30) / 10],
    receivedAt: at - (n - i) * 10,
  }));
}

const rowsPerSecond = (rows: number, ms: number): number => Math.round((rows / ms) * 1000);

/** The service writer's COPY: stored batches encoded into a buffer reused across writes. */
const copyBatch = createBatchCopier();

/**
 * What the service's writer does with COPY: encode each entry when it arrives (into a queue
 * kept across batches, so its chunks are reused), then write the batch as stored batches.
 */
async function copyAsTheServiceDoes(
  client: PoolClient,
  queue: EncodedRowQueue,
  batch: readonly PredictionLogEntry[],
): Promise<void> {
  for (const entry of batch) queue.push(entry);
  const taken = queue.take(Infinity);
  await copyBatch(client, taken);
  queue.done(taken);
}

async function writeMethods(pool: Pool): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  const rows = entries(LOG_ROWS);
  // One queue for the run, as in the service, so its chunks are reused from batch to batch.
  const queue = new EncodedRowQueue();
  const copyEncoded = (client: PoolClient, slices: EntrySlice[]): Promise<void> =>
    copyAsTheServiceDoes(
      client,
      queue,
      slices.map((s) => s.entry),
    );
  for (const batch of [500, 2000]) {
    for (const [method, write] of [
      ['copy', copyEncoded],
      ['insert', insertRows],
    ] as const) {
      await pool.query('TRUNCATE prediction_log_batch CASCADE');
      const client = await pool.connect();
      const started = performance.now();
      try {
        for (let i = 0; i < rows.length; i += batch) {
          const slices: EntrySlice[] = rows
            .slice(i, i + batch)
            .map((entry) => ({ entry, start: 0, end: 1 }));
          await write(client, slices);
        }
      } finally {
        client.release();
      }
      const ms = performance.now() - started;
      (out[`batch${batch}`] ??= {})[method] = rowsPerSecond(rows.length, ms);
      console.log(`  ${method}, batches of ${batch}: ${rowsPerSecond(rows.length, ms)} rows/s`);
    }
  }
  return out;
}

async function queryTimes(pool: Pool): Promise<Record<string, number>> {
  await pool.query('TRUNCATE prediction_log_batch CASCADE');
  console.log(`  loading ${QUERY_ROWS} rows`);
  const client = await pool.connect();
  try {
    const all = entries(QUERY_ROWS);
    const queue = new EncodedRowQueue();
    for (let i = 0; i < all.length; i += 2000) {
      await copyAsTheServiceDoes(client, queue, all.slice(i, i + 2000));
    }
  } finally {
    client.release();
  }
  await pool.query(`INSERT INTO prediction_feedback (prediction_id, model_version, predicted_at, prediction, quality,
      fixed_acidity, volatile_acidity, citric_acid, residual_sugar, chlorides, free_sulfur_dioxide,
      total_sulfur_dioxide, density, ph, sulphates, alcohol, wine_type)
    SELECT id, model_version, predicted_at, prediction, 6, fixed_acidity, volatile_acidity, citric_acid,
      residual_sugar, chlorides, free_sulfur_dioxide, total_sulfur_dioxide, density, ph, sulphates,
      alcohol, wine_type FROM prediction_log WHERE id % 20 = 0`);
  await pool.query('VACUUM ANALYZE prediction_log_batch');
  await pool.query('VACUUM ANALYZE prediction_feedback');
  const now = Date.now();
  const time = async (what: string, fn: () => Promise<unknown>): Promise<[string, number]> => {
    await fn();
    const started = performance.now();
    for (let i = 0; i < 5; i++) await fn();
    const ms = Math.round(((performance.now() - started) / 5) * 10) / 10;
    console.log(`  ${what}: ${ms} ms`);
    return [what, ms];
  };
  return Object.fromEntries([
    await time('latestLoggedModel', () => latestLoggedModel(pool)),
    await time('readWindow last 5000 rows', () =>
      readWindow(pool, { modelVersion: '2', maxRows: 5000 }),
    ),
    await time('readWindow last 15 minutes', () =>
      readWindow(pool, { modelVersion: '2', maxRows: 100_000, since: now - 15 * 60_000 }),
    ),
    await time('liveErrorByVersion 1000 labels', () =>
      liveErrorByVersion(pool, { maxRows: 1000, since: now - 86_400_000 }),
    ),
    await time('feedbackCoverage last hour', () =>
      feedbackCoverage(pool, { since: now - 3_600_000 }),
    ),
  ]);
}

/**
 * PostgreSQL's CPU per row for the service's write path (rows encoded at enqueue, COPY of
 * stored batches of 2,000, as the service's writer does) into the migrated table, then with
 * each secondary index dropped, then with none: the backend's CPU from /proc, so other load
 * on the machine moves it little. Indexes are recreated from their own definitions afterwards.
 */
async function postgresCpuPerRow(pool: Pool): Promise<Record<string, number>> {
  const { rows: indexes } = await pool.query<{ indexname: string; indexdef: string }>(
    `SELECT indexname, indexdef FROM pg_indexes
     WHERE tablename = 'prediction_log_batch' AND indexname <> 'prediction_log_batch_pkey' ORDER BY indexname`,
  );
  const variants: [string, string[]][] = [
    ['every index (the schema)', []],
    ...indexes.map((ix): [string, string[]] => [`without ${ix.indexname}`, [ix.indexname]]),
    ['primary key only', indexes.map((ix) => ix.indexname)],
  ];
  const rows = entries(LOG_ROWS);
  const queue = new EncodedRowQueue();
  const out: Record<string, number> = {};
  for (const [label, dropped] of variants) {
    await pool.query('TRUNCATE prediction_log_batch CASCADE');
    for (const name of dropped) await pool.query(`DROP INDEX ${name}`);
    const client = await pool.connect();
    try {
      const { rows: me } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const pid = me[0]?.pid ?? 0;
      const before = cpuSeconds(pid);
      for (let i = 0; i < rows.length; i += 2000) {
        await copyAsTheServiceDoes(client, queue, rows.slice(i, i + 2000));
      }
      const after = cpuSeconds(pid);
      if (before !== null && after !== null) {
        out[label] = Math.round(((after - before) / rows.length) * 1e7) / 10;
        console.log(`  PostgreSQL CPU per row, ${label}: ${out[label]} µs`);
      }
    } finally {
      client.release();
    }
    for (const ix of indexes) if (dropped.includes(ix.indexname)) await pool.query(ix.indexdef);
  }
  return out;
}

type Timed = ThroughputResult & { cpuUsPerRequest: number | null };

interface OnOffRound {
  off: Timed;
  on: Timed;
  ratio: number;
}

async function serviceOnOff(url: string): Promise<{
  rounds: OnOffRound[];
  off: number;
  on: number;
  logged: number;
  answered: number;
  ratio: number;
}> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'wine-bench-log-'));
  const bundled = path.join(ROOT, 'prediction-service', 'model');
  const servers: Running[] = [];
  try {
    const script = path.join(work, 'single.lua');
    await writeWrkScript(script, JSON.stringify(EXAMPLE_WINE));
    const env = { LOG_LEVEL: 'info' };
    const off = await startOurs(bundled, WORKERS, env, 'log off');
    servers.push(off);
    const on = await startOurs(bundled, WORKERS, { ...env, DATABASE_URL: url }, 'log on');
    servers.push(on);
    // With the worker's CPU per answered request (its own process; PostgreSQL's is not in it).
    const load = async (s: Running, seconds: number): Promise<Timed> => {
      const before = cpuSeconds(s.pid);
      const result = await wrk(`${s.url}/predict`, script, seconds);
      const after = cpuSeconds(s.pid);
      const cpuUsPerRequest =
        before === null || after === null
          ? null
          : Math.round(((after - before) / result.requests) * 1e7) / 10;
      return { ...result, cpuUsPerRequest };
    };
    let answered = (await load(on, 2)).requests;
    await load(off, 2);
    const rounds: OnOffRound[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Alternate who goes first: other load on the machine drifts.
      const first = i % 2 === 0 ? off : on;
      const a = await load(first, SECONDS);
      const b = await load(first === off ? on : off, SECONDS);
      const [rOff, rOn] = first === off ? [a, b] : [b, a];
      answered += rOn.requests;
      const ratio = Math.round((rOn.requestsPerSecond / rOff.requestsPerSecond) * 100) / 100;
      console.log(
        `  round ${i + 1}: log off ${rOff.requestsPerSecond.toFixed(0)} req/s (${rOff.cpuUsPerRequest} µs CPU/req), ` +
          `on ${rOn.requestsPerSecond.toFixed(0)} req/s (${rOn.cpuUsPerRequest} µs CPU/req) → ${ratio}`,
      );
      rounds.push({ off: rOff, on: rOn, ratio });
    }
    // Stopping the service flushes its queue.
    await on.stop();
    const pool = createPool({ connectionString: url, applicationName: 'bench', max: 1 });
    const logged = await countLoggedRows(pool);
    await pool.end();
    return {
      rounds,
      off: Math.round(median(rounds.map((r) => r.off.requestsPerSecond))),
      on: Math.round(median(rounds.map((r) => r.on.requestsPerSecond))),
      logged,
      answered,
      ratio: Math.round(median(rounds.map((r) => r.ratio)) * 100) / 100,
    };
  } finally {
    for (const s of servers) await s.stop();
    await rm(work, { recursive: true, force: true });
  }
}

export const predictionLogBenchmark: Benchmark = {
  name: 'prediction-log',
  description: `service with the prediction log on vs off (${WORKERS} workers, wrk single-record), COPY vs INSERT, monitor queries on a large log`,
  async run() {
    if (!existsSync(WRK))
      throw new Error('prediction-log benchmark needs wrk (apt-get install wrk)');
    if (!existsSync(path.join(ROOT, 'prediction-service', 'dist', 'main.js'))) {
      throw new Error('prediction-log benchmark needs the built service (pnpm build)');
    }
    const service = await withDatabase((url) => serviceOnOff(url));
    console.log(
      `  on/off: ${service.ratio} (target ≥ ${TARGET_ON_VS_OFF}); rows logged: ${service.logged} of ${service.answered} answered`,
    );
    const { methods, queries, postgresCpu } = await withDatabase(async (url) => {
      const pool = createPool({ connectionString: url, applicationName: 'bench', max: 2 });
      try {
        return {
          methods: await writeMethods(pool),
          postgresCpu: await postgresCpuPerRow(pool),
          queries: await queryTimes(pool),
        };
      } finally {
        await pool.end();
      }
    });
    const headline: HeadlineRow[] = [
      {
        id: 'prediction-log.on-vs-off',
        label: `single-record /predict with the PostgreSQL prediction log on vs off (1 worker, median of ${ROUNDS} alternating rounds)`,
        ours: { value: service.on, unit: 'req/s' },
        peer: { name: 'the same service, log off', value: service.off, unit: 'req/s' },
        ratio: { value: service.ratio, meaning: '× the rate with the log off' },
        goal: { op: '>=', value: TARGET_ON_VS_OFF, text: '≥ 0.9× the rate without the log' },
        threads: '1 worker each; PostgreSQL on the same cores',
      },
    ];
    return {
      headline,
      loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
      machine: {
        cpus: os.availableParallelism(),
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        node: process.version,
      },
      setup: {
        workers: WORKERS,
        rounds: ROUNDS,
        wrk: `-t2 -c64 -d${SECONDS}s (keep-alive)`,
        logLevel: 'info',
        model: 'the bundled model (prediction-service/model)',
        writeRows: LOG_ROWS,
        queryRows: QUERY_ROWS,
        postgres: 'the machine’s PostgreSQL, a fresh database per part',
      },
      results: {
        service,
        writeMethods: methods,
        postgresCpuUsPerRow: postgresCpu,
        queryMs: queries,
      },
      targets: {
        logOnAtLeast90PercentOfOff: {
          target: TARGET_ON_VS_OFF,
          measured: service.ratio,
          met: service.ratio >= TARGET_ON_VS_OFF,
        },
      },
    };
  },
};
