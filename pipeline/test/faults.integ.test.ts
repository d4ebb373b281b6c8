/**
 * Scale and faults with real worker processes (the built CLI), real Redis, PostgreSQL and
 * MLflow: a worker SIGKILLed in the middle of train, Redis restarted mid-run (a private
 * redis-server, never the machine's), MLflow down during register. ≈2–3 min on 2 cores.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createMlflowClient, type MlflowClient } from 'mlflow-ts-client';
import { pino } from 'pino';
import {
  describeWithServices,
  missingMlflow,
  startMlflowServer,
  type MlflowServer,
} from '../../packages/mlflow-client/test/real-services';
import { loadConfig } from '../src/config';
import { enqueueRun, newRunId } from '../src/engine/enqueue';
import { stepJobId } from '../src/engine/flow';
import { createRuntime, type Runtime } from '../src/runtime';
import { runParams } from '../src/cli/run-options.schema';
import { STEP_NAMES } from '../src/steps/step-io.schema';
import type { RunRecord } from '../src/history/run-store';
import {
  builtPipeline,
  startPrivateRedis,
  startWorker,
  waitFor,
  type PrivateRedis,
  type Proc,
} from './processes';
import {
  createMigratedDatabase,
  missingPostgresAndRedis,
  REDIS_URL,
  syntheticDataDir,
  uniquePrefix,
  type TempDatabase,
} from './services';

const DATA = process.env['WINE_DATA_DIR'];
const missing = [
  ...missingMlflow(),
  ...missingPostgresAndRedis(),
  ...(DATA === undefined
    ? ['WINE_DATA_DIR is not set (the SIGKILL test trains a forest on the UCI data)']
    : []),
];
const itBuilt = builtPipeline() ? it : it.skip;

describeWithServices(
  'pipeline faults (worker processes, real Redis, PostgreSQL, MLflow)',
  missing,
  () => {
    let server: MlflowServer;
    let db: TempDatabase;
    let tmp: string;
    let client: MlflowClient;
    const procs: Proc[] = [];
    const runtimes: Runtime[] = [];

    beforeAll(async () => {
      [server, db, tmp] = await Promise.all([
        startMlflowServer(),
        createMigratedDatabase('pipeline_faults'),
        mkdtemp(path.join(os.tmpdir(), 'pipeline-faults-')),
      ]);
      client = createMlflowClient({ trackingUri: server.url });
    }, 240_000);

    /* eslint-disable @typescript-eslint/no-unnecessary-condition -- unset if beforeAll failed */
    afterAll(async () => {
      await Promise.all(procs.map((p) => p.kill('SIGKILL')));
      for (const runtime of runtimes) {
        const q = runtime.queues();
        await Promise.all(
          [q.runs, ...STEP_NAMES.map((s) => q.steps[s])].map((x) =>
            x.obliterate({ force: true }).catch(() => undefined),
          ),
        );
        await runtime.close();
      }
      await Promise.all([
        server?.stop(),
        db?.drop(),
        tmp && rm(tmp, { recursive: true, force: true }),
      ]);
    }, 120_000);
    /* eslint-enable @typescript-eslint/no-unnecessary-condition */

    /** Environment of one scenario: its own queue prefix and registered model. */
    function scenario(name: string, extra: Record<string, string> = {}) {
      const env: Record<string, string> = {
        REDIS_URL,
        DATABASE_URL: db.url,
        MLFLOW_TRACKING_URI: server.url,
        PIPELINE_QUEUE_PREFIX: uniquePrefix(name),
        PIPELINE_REGISTERED_MODEL: `it-faults-${name}`,
        PIPELINE_EXPERIMENT: `it-faults-${name}`,
        PIPELINE_SEARCH_THREADS: '2',
        ...extra,
      };
      const runtime = createRuntime(loadConfig(env), {
        name: 'test',
        logger: pino({ level: 'silent' }),
      });
      runtimes.push(runtime);
      const worker = async (label: string, args: string[] = []) => {
        const proc = await startWorker(tmp, `${name}-${label}`, env, args);
        procs.push(proc);
        return proc;
      };
      const enqueue = async (options: Parameters<typeof runParams>[0]) => {
        const runId = newRunId();
        const params = runParams(options, runtime.config.defaults);
        await enqueueRun(
          { runs: runtime.queues().runs, store: runtime.store },
          { runId, trigger: 'cli', params },
        );
        return runId;
      };
      const finished = (runId: string, timeoutMs: number, context: () => string) =>
        waitFor<RunRecord>(
          `run ${runId} to finish`,
          async () => {
            const run = await runtime.store!.getRun(runId);
            return run?.status === 'succeeded' || run?.status === 'failed' ? run : undefined;
          },
          timeoutMs,
          context,
        );
      return { env, runtime, worker, enqueue, finished };
    }

    itBuilt(
      'two workers; the one in the middle of train is SIGKILLed: the other retries it after stall detection, one version',
      async () => {
        const s = scenario('sigkill', {
          PIPELINE_LOCK_DURATION_S: '10',
          PIPELINE_STALLED_INTERVAL_S: '1',
        });
        const [a, b] = await Promise.all([s.worker('a'), s.worker('b')]);
        const runId = await s.enqueue({ data: DATA!, model: 'forest', search: 'random', nIter: 6 });
        const logs = () => `--- a ---\n${a.log().slice(-3000)}\n--- b ---\n${b.log().slice(-3000)}`;
        const train = s.runtime.queues().steps.train;
        // Mid-train: the search has reported at least one finished candidate.
        const victim = await waitFor(
          'train to be running with progress',
          async () => {
            const job = await train.getJob(stepJobId(runId, 'train'));
            const progress = job?.progress as { done?: number } | undefined;
            if (job?.processedBy === undefined || (progress?.done ?? 0) < 1) return undefined;
            return [a, b].find((p) => job.processedBy?.endsWith(`/${p.pid}`));
          },
          120_000,
          logs,
        );
        const survivor = victim === a ? b : a;
        await victim.kill('SIGKILL');

        const run = await s.finished(runId, 180_000, logs);
        expect(run.status).toBe('succeeded');
        const trainStep = run.steps.find((x) => x.step === 'train')!;
        expect(trainStep.attempts).toBe(2);
        const job = await train.getJob(stepJobId(runId, 'train'));
        expect(job!.processedBy).toMatch(new RegExp(`/${survivor.pid}$`));
        const versions = await client.searchAllModelVersions({
          filter: `name = 'it-faults-sigkill'`,
        });
        expect(versions.map((v) => v.version)).toEqual(['1']);
        // The parent run shows one complete set of candidates (an interrupted set is superseded).
        const children = await client.searchAllRuns({
          experimentIds: [(await client.getExperimentByName('it-faults-sigkill'))!.experimentId],
          filter: `tags.mlflow.parentRunId = '${run.mlflowRunId!}' AND tags.\`wine.role\` = 'candidate'`,
        });
        expect(children).toHaveLength(6);
      },
      420_000,
    );

    itBuilt(
      'Redis restarted in the middle of a run: the run resumes and finishes',
      async () => {
        const redis: PrivateRedis = await startPrivateRedis();
        try {
          const s = scenario('redis', { REDIS_URL: redis.url });
          const worker = await s.worker('w');
          const runId = await s.enqueue({
            data: DATA!,
            model: 'forest',
            search: 'random',
            nIter: 4,
          });
          await waitFor(
            'train to start',
            async () =>
              (await s.runtime.store!.getRun(runId))?.steps.some((x) => x.step === 'train')
                ? true
                : undefined,
            120_000,
            () => worker.log().slice(-3000),
          );
          await redis.restart();
          const run = await s.finished(runId, 180_000, () => worker.log().slice(-4000));
          expect(run.status).toBe('succeeded');
          expect(run.modelVersion).toBe('1');
          await worker.kill();
        } finally {
          // This scenario's queues live in the private Redis: close them before it goes.
          await runtimes.pop()?.close();
          await redis.stop();
        }
      },
      420_000,
    );

    itBuilt(
      'MLflow down during register: retried with backoff, then the run fails with the step and cause; nothing registered',
      async () => {
        const data = await syntheticDataDir(200, 7);
        const s = scenario('mlflow', {
          PIPELINE_ATTEMPTS: '3',
          PIPELINE_BACKOFF_S: '0.5',
          MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0',
          MLFLOW_HTTP_REQUEST_TIMEOUT: '3',
        });
        // Every step but register here; register is taken by a second worker once MLflow is down.
        const early = await s.worker('early', ['--steps', 'ingest,validate,split,train,evaluate']);
        const runId = await s.enqueue({ data, search: 'random', nIter: 4 });
        const register = s.runtime.queues().steps.register;
        await waitFor(
          'the register job to wait for a worker',
          async () =>
            (await register.getJob(stepJobId(runId, 'register')))
              ?.isWaiting()
              .then((w) => (w ? true : undefined)),
          120_000,
          () => early.log().slice(-3000),
        );
        await server.kill();
        const started = Date.now();
        const late = await s.worker('register', ['--steps', 'register']);
        try {
          const run = await s.finished(runId, 120_000, () => late.log().slice(-3000));
          expect(run.status).toBe('failed');
          expect(run.error).toMatchObject({ step: 'register', code: 'MLFLOW_CONNECTION_ERROR' });
          const step = run.steps.find((x) => x.step === 'register')!;
          expect(step).toMatchObject({ status: 'failed', attempts: 3 });
          // Two backoffs (0.5 s, 1 s, ±20 % jitter) separate the three attempts.
          expect(Date.now() - started).toBeGreaterThan(1200);
          const job = await register.getJob(stepJobId(runId, 'register'));
          expect(job!.attemptsMade).toBe(3);
        } finally {
          await server.restart();
          await rm(data, { recursive: true, force: true });
        }
        expect(
          await client.searchAllModelVersions({ filter: `name = 'it-faults-mlflow'` }),
        ).toEqual([]);
      },
      300_000,
    );
  },
);
