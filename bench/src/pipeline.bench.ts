/**
 * `pnpm run bench pipeline`: what the orchestration costs (issue 9).
 *
 * 1. Overhead: full runs (UCI data, the default 100-candidate tree grid, a fresh seed each so
 *    nothing is reused) through two BullMQ workers; overhead = the run's wall time (enqueue →
 *    outcome recorded) − the steps' own work (their recorded durations). Target: < 5 %.
 * 2. Throughput: no-op runs — the same engine (run job, six step jobs as a flow, every
 *    history write) with steps that do nothing — through two workers; runs/s and jobs/s.
 *
 * Needs Redis (REDIS_URL; a unique key prefix, removed afterwards), PostgreSQL on
 * 127.0.0.1:5432 (a temporary database) and mlflow (MLFLOW_BIN). Sizes:
 * BENCH_PIPELINE_RUNS (default 3), BENCH_PIPELINE_NOOP_RUNS (default 1000; smoke-test small).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { QueueEvents } from 'bullmq';
import { runMigrations } from '@wine/db';
import {
  createRuntime,
  enqueueRun,
  loadConfig,
  newRunId,
  RUN_QUEUE,
  runParams,
  startWorkers,
  STEP_NAMES,
  type EngineDeps,
  type Runtime,
  type StepDefinitions,
} from '@wine/pipeline';
import { pino } from 'pino';
import { dataDir, machine, median, round } from './learner/common';
import { goal, valueRow } from './headline';
import type { Benchmark } from './registry';
import { startLocalMlflow } from './tracking/mlflow-server';

const run = promisify(execFile);
const RUNS = Number(process.env['BENCH_PIPELINE_RUNS'] ?? 3);
const NOOP_RUNS = Number(process.env['BENCH_PIPELINE_NOOP_RUNS'] ?? 1000);
const TARGET_OVERHEAD = 0.05;

const psql = (sql: string) =>
  run('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qc', sql]);

/** Steps that do nothing (a unique key each time, so nothing is reused): pure engine cost. */
function noopSteps(): StepDefinitions {
  const noop = {
    prepare: () =>
      Promise.resolve({ key: randomBytes(8).toString('hex'), run: () => Promise.resolve({}) }),
  };
  return Object.fromEntries(
    STEP_NAMES.map((name) => [name, { name, ...noop }]),
  ) as unknown as StepDefinitions;
}

async function timedRuns(
  runtime: Runtime,
  deps: EngineDeps,
  count: number,
  params: (i: number) => Parameters<typeof runParams>[0],
  concurrent: number,
): Promise<{ walls: number[]; works: number[]; seconds: number }> {
  const settings = runtime.engineSettings();
  const workers = [1, 2].map(() =>
    startWorkers(deps, {
      ...settings,
      concurrency: 1,
      lockDurationMs: 120_000,
      stalledIntervalMs: 30_000,
      maxStalledCount: 1,
    }),
  );
  const events = new QueueEvents(RUN_QUEUE, {
    connection: { url: settings.redisUrl },
    prefix: settings.prefix,
  });
  await events.waitUntilReady();
  // Every in-flight run waits on the same QueueEvents and run queue.
  events.setMaxListeners(concurrent * 4);
  runtime.queues().runs.setMaxListeners(concurrent * 4);
  const store = runtime.store;
  if (store === undefined) throw new Error('no run store');
  const walls: number[] = [];
  const works: number[] = [];
  const started = performance.now();
  let next = 0;
  const one = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const runId = newRunId();
      const t0 = performance.now();
      await enqueueRun(
        { runs: runtime.queues().runs, store },
        { runId, trigger: 'cli', params: runParams(params(i), runtime.config.defaults) },
      );
      const job = await runtime.queues().runs.getJob(runId);
      await job?.waitUntilFinished(events, 30 * 60_000);
      walls.push(performance.now() - t0);
      const record = await store.getRun(runId);
      works.push(record?.steps.reduce((sum, s) => sum + (s.durationMs ?? 0), 0) ?? NaN);
    }
  };
  await Promise.all(Array.from({ length: concurrent }, one));
  const seconds = (performance.now() - started) / 1000;
  await events.close();
  await Promise.all(workers.map((w) => w.close()));
  return { walls, works, seconds };
}

export const pipelineBenchmark: Benchmark = {
  name: 'pipeline',
  description: 'orchestration overhead of full runs, and no-op runs through 2 BullMQ workers',
  async run() {
    const mlflow = await startLocalMlflow();
    const db = `wine_bench_pipeline_${process.pid}`;
    await psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await psql(`CREATE DATABASE ${db}`);
    const databaseUrl = `postgres://postgres@127.0.0.1:5432/${db}`;
    await runMigrations({ databaseUrl, direction: 'up' });
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: databaseUrl,
      MLFLOW_TRACKING_URI: mlflow.url,
      PIPELINE_QUEUE_PREFIX: `wine-bench-${randomBytes(4).toString('hex')}`,
      PIPELINE_DATA: dataDir(),
      PIPELINE_EXPERIMENT: 'bench-pipeline',
      PIPELINE_REGISTERED_MODEL: 'bench-pipeline',
    });
    const runtime = createRuntime(config, { name: 'bench', logger: pino({ level: 'silent' }) });
    try {
      const deps = runtime.engineDeps();
      process.stdout.write(`  ${RUNS} full runs (100-candidate tree grid)…\n`);
      const full = await timedRuns(runtime, deps, RUNS, (i) => ({ seed: 1000 + i }), 1);
      const overheads = full.walls.map((wall, i) => (wall - (full.works[i] ?? NaN)) / wall);
      process.stdout.write(
        `  overhead per run: ${overheads.map((o) => `${(o * 100).toFixed(2)} %`).join(', ')}\n`,
      );
      process.stdout.write(`  ${NOOP_RUNS} no-op runs through 2 workers…\n`);
      const noop = await timedRuns(
        runtime,
        { ...deps, steps: noopSteps() },
        NOOP_RUNS,
        () => ({}),
        16,
      );
      const jobsPerRun = 1 + STEP_NAMES.length;
      const runsPerSecond = NOOP_RUNS / noop.seconds;
      process.stdout.write(
        `  ${runsPerSecond.toFixed(1)} no-op runs/s (${(runsPerSecond * jobsPerRun).toFixed(0)} jobs/s)\n`,
      );
      return {
        headline: [
          valueRow({
            id: 'pipeline.overhead',
            label: `orchestration overhead of a full run (100-candidate tree grid; wall time − steps' work), median of ${RUNS}`,
            ours: round(median(overheads) * 100, 2),
            unit: '%',
            goal: goal(
              '<',
              TARGET_OVERHEAD * 100,
              `< ${TARGET_OVERHEAD * 100} % of the run's wall time (issue 9)`,
            ),
            threads: '2 BullMQ workers',
          }),
          valueRow({
            id: 'pipeline.noop-runs',
            label: `no-op runs (run job + ${STEP_NAMES.length} step jobs, full history), 16 in flight`,
            ours: round(runsPerSecond, 1),
            unit: 'runs/s',
            threads: '2 BullMQ workers',
          }),
        ],
        machine: machine(),
        redis: config.redisUrl.replace(/\/\/[^@]*@/, '//'),
        workers: 2,
        full: {
          runs: full.walls.map((wall, i) => ({
            wallSeconds: round(wall / 1000, 3),
            stepWorkSeconds: round((full.works[i] ?? NaN) / 1000, 3),
            overheadSeconds: round((wall - (full.works[i] ?? NaN)) / 1000, 3),
          })),
          medianOverheadShare: round(median(overheads), 4),
          targetOverheadShare: TARGET_OVERHEAD,
          meetsTarget: median(overheads) < TARGET_OVERHEAD,
        },
        noop: {
          runs: NOOP_RUNS,
          jobsPerRun,
          seconds: round(noop.seconds, 3),
          runsPerSecond: round(runsPerSecond, 2),
          jobsPerSecond: round(runsPerSecond * jobsPerRun, 1),
          medianRunLatencyMs: round(median(noop.walls), 1),
          inFlight: 16,
        },
      };
    } finally {
      const q = runtime.queues();
      await Promise.all(
        [q.runs, ...STEP_NAMES.map((s) => q.steps[s])].map((x) =>
          x.obliterate({ force: true }).catch(() => undefined),
        ),
      );
      await runtime.close();
      await psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
      await mlflow.stop();
    }
  },
};
