/**
 * The subcommands' bodies. Each gets the process's runtime (composition root) and prints;
 * argument parsing and help live in main.ts.
 */
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertMigrated } from '@wine/db';
import { createProgress } from '@wine/training-scripts';
import { Registry } from 'prom-client';
import { createApp, BOARD_PATH } from '../api/app';
import { createMetrics, QUEUE_STATES } from '../api/metrics';
import { enqueueRun, newRunId } from '../engine/enqueue';
import { runInline } from '../engine/inline';
import { ALL_QUEUES } from '../engine/queues';
import { applySchedule, describeSchedule } from '../engine/scheduler';
import { startWorkers } from '../engine/worker';
import { startBatchWorker } from '../batch/batch-worker';
import { PipelineError } from '../errors';
import type { RunStatus, RunStore } from '../history/run-store';
import type { Runtime } from '../runtime';
import { STEP_NAMES, type StepName } from '../steps/step-io.schema';
import { followRun } from './follow';
import { renderList, renderRun } from './render';
import { runParams, type RunOptions } from './run-options.schema';

type Print = (line: string) => void;

async function store(runtime: Runtime): Promise<RunStore> {
  const s = runtime.store;
  if (s === undefined || runtime.pool === undefined) {
    throw new PipelineError(
      'PIPELINE_CONFIG_INVALID',
      'the run history is in PostgreSQL: set DATABASE_URL (then `pnpm run db:migrate up`)',
    );
  }
  await assertMigrated(runtime.pool);
  return s;
}

export async function runCommand(
  runtime: Runtime,
  options: RunOptions,
  print: Print,
): Promise<number> {
  const history = await store(runtime);
  const params = runParams(options, runtime.config.defaults);
  const runId = newRunId();
  const log = options.json
    ? () => undefined
    : (line: string) => {
        console.error(line);
      };
  if (options.inline) {
    const bar = createProgress('train', { enabled: !options.json });
    log(`run ${runId} (inline): ${params.model} on ${params.data}`);
    try {
      const outputs = await runInline({ runId, trigger: 'cli', params }, runtime.engineDeps(), {
        attempts: runtime.config.worker.attempts,
        backoffMs: runtime.config.worker.backoffMs,
        progress: (done, total, detail) => {
          bar.update(done, total, detail);
        },
        onStep: (step, event, detail) => {
          if (event !== 'start') bar.stop();
          if (event !== 'start' || step === 'ingest')
            log(`${step}: ${event}${detail ? ` ${detail}` : ''}`);
        },
      });
      bar.stop();
      log(outputs.register?.reason ?? '');
    } finally {
      bar.stop();
    }
    return report(await history.getRun(runId), options.json, print);
  }
  const queues = runtime.queues();
  await enqueueRun({ runs: queues.runs, store: history }, { runId, trigger: 'cli', params });
  if (!options.wait) {
    print(options.json ? JSON.stringify({ runId, status: 'queued' }) : runId);
    return 0;
  }
  log(`run ${runId} queued; waiting for a worker (\`pnpm run pipeline -- worker\`)…`);
  const run = await followRun(
    runId,
    { store: history, trainQueue: queues.steps.train, log },
    { showProgress: !options.json },
  );
  return report(run, options.json, print);
}

function report(run: Awaited<ReturnType<RunStore['getRun']>>, json: boolean, print: Print): number {
  if (run === undefined)
    throw new PipelineError('PIPELINE_RUN_NOT_FOUND', 'the run vanished from the history');
  print(json ? JSON.stringify(run) : renderRun(run));
  return run.status === 'succeeded' ? 0 : 1;
}

export async function statusCommand(
  runtime: Runtime,
  runId: string | undefined,
  json: boolean,
  print: Print,
): Promise<void> {
  const history = await store(runtime);
  if (runId !== undefined) {
    const run = await history.getRun(runId);
    if (run === undefined)
      throw new PipelineError(
        'PIPELINE_RUN_NOT_FOUND',
        `no run ${runId} (see \`pnpm run pipeline -- list\`)`,
      );
    print(json ? JSON.stringify(run) : renderRun(run));
    return;
  }
  const queues = runtime.queues();
  const all = queues.all;
  const [counts, schedule, workers, recent] = await Promise.all([
    Promise.all(
      all.map(async (q) => ({ queue: q.name, counts: await q.getJobCounts(...QUEUE_STATES) })),
    ),
    describeSchedule(queues.runs),
    queues.runs.getWorkers(),
    history.listRuns({ limit: 5 }),
  ]);
  if (json) {
    print(
      JSON.stringify({
        queues: counts,
        schedule: schedule ?? null,
        workers: workers.length,
        recent,
      }),
    );
    return;
  }
  print(`workers on the run queue: ${workers.length}`);
  print(
    `schedule: ${schedule ? `${schedule.pattern} (${schedule.tz}), next ${schedule.next?.toISOString() ?? '?'}` : 'none (set PIPELINE_CRON on a worker)'}`,
  );
  print('queue                      waiting active delayed children failed');
  for (const { queue, counts: c } of counts) {
    print(
      `${queue.padEnd(26)} ${QUEUE_STATES.map((state, i) => String(c[state] ?? 0).padStart([7, 6, 7, 8, 6][i] ?? 7)).join(' ')}`,
    );
  }
  print('\nrecent runs:');
  print(renderList(recent));
}

export async function listCommand(
  runtime: Runtime,
  limit: number,
  status: RunStatus | undefined,
  json: boolean,
  print: Print,
): Promise<void> {
  const runs = await (await store(runtime)).listRuns({ limit, status });
  print(json ? JSON.stringify(runs) : renderList(runs));
}

/** Resolves when SIGTERM/SIGINT arrive; the caller then closes gracefully. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => {
      resolve('SIGTERM');
    });
    process.once('SIGINT', () => {
      resolve('SIGINT');
    });
  });
}

export async function workerCommand(
  runtime: Runtime,
  options: { concurrency?: number; steps?: StepName[]; batchOnly?: boolean },
): Promise<void> {
  const { config, logger } = runtime;
  const settings = {
    ...runtime.engineSettings(),
    concurrency: options.concurrency ?? config.worker.concurrency,
    lockDurationMs: config.worker.lockDurationMs,
    stalledIntervalMs: config.worker.stalledIntervalMs,
    maxStalledCount: config.worker.maxStalledCount,
    ...(options.steps ? { steps: options.steps } : {}),
  };
  let running: { close(): Promise<void> } | undefined;
  // Batch-only workers score partitions and need neither PostgreSQL nor the schedule.
  if (options.batchOnly !== true) {
    await store(runtime);
    const queues = runtime.queues();
    const change = await applySchedule(queues.runs, config.cron, runParams({}, config.defaults));
    if (change !== 'unchanged') logger.info({ cron: config.cron }, `schedule ${change}`);
    running = startWorkers(runtime.engineDeps(), settings);
  }
  const batch = startBatchWorker(runtime.batchDeps(), settings);
  logger.info(
    {
      steps: options.batchOnly === true ? [] : (options.steps ?? STEP_NAMES),
      batch: true,
      concurrency: settings.concurrency,
      pid: process.pid,
    },
    'pipeline worker ready',
  );
  const signal = await untilSignal();
  logger.info({ signal }, 'finishing active jobs, then stopping');
  await Promise.all([running?.close(), batch.close()]);
}

/** The API's express app wired to the runtime (also what the API tests exercise). */
export function buildApi(runtime: Runtime, history: RunStore): ReturnType<typeof createApp> {
  const { config, logger } = runtime;
  const queues = runtime.queues();
  const all = queues.all;
  return createApp({
    runs: queues.runs,
    store: history,
    queues: all,
    params: () => runParams({}, config.defaults),
    retrainAlerts: config.retrainAlerts,
    cooldownMs: config.cooldownMs,
    metrics: createMetrics(new Registry(), { store: history, queues: all }),
    webhookToken: config.webhookToken,
    adminToken: config.adminToken,
    log: (fields, message) => {
      logger.info(fields, message);
    },
    ready: async () => {
      const check = (p: Promise<unknown> | undefined): Promise<string> =>
        p === undefined
          ? Promise.resolve('not configured')
          : Promise.race([p.then(() => 'ok'), sleep(2000).then(() => 'timeout')]).catch(
              (e: unknown) => (e instanceof Error ? e.message : String(e)),
            );
      const [redis, postgres] = await Promise.all([
        check(queues.runs.getJobCounts('waiting')),
        check(runtime.pool?.query('SELECT 1')),
      ]);
      return { ok: redis === 'ok' && postgres === 'ok', checks: { redis, postgres } };
    },
  });
}

export async function apiCommand(runtime: Runtime): Promise<void> {
  const history = await store(runtime);
  const { config, logger } = runtime;
  const app = buildApi(runtime, history);
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.api.port, config.api.host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.api.port;
  logger.info(
    {
      host: config.api.host,
      port,
      queues: ALL_QUEUES,
      webhook: config.webhookToken !== undefined,
      board: config.adminToken !== undefined,
    },
    `pipeline API on http://${config.api.host}:${port} (bull-board at ${BOARD_PATH})`,
  );
  const signal = await untilSignal();
  logger.info({ signal }, 'stopping the API');
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
}
