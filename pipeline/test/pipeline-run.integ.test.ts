/**
 * Full runs against real services: PostgreSQL (a fresh migrated database), the machine's
 * Redis (unique key prefix) and a real MLflow server started for this file.
 */
import { rm } from 'node:fs/promises';
import { QueueEvents } from 'bullmq';
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
import { runInline } from '../src/engine/inline';
import { RUN_QUEUE } from '../src/engine/queues';
import { startWorkers } from '../src/engine/worker';
import { createRuntime, type Runtime } from '../src/runtime';
import type { RunParams } from '../src/steps/step-io.schema';
import {
  createMigratedDatabase,
  missingPostgresAndRedis,
  REDIS_URL,
  syntheticDataDir,
  uniquePrefix,
  type TempDatabase,
} from './services';

const MODEL = 'it-pipeline-model';

describeWithServices(
  'pipeline runs (real Redis, PostgreSQL, MLflow)',
  [...missingMlflow(), ...missingPostgresAndRedis()],
  () => {
    let server: MlflowServer;
    let db: TempDatabase;
    let dataDir: string;
    let runtime: Runtime;
    let client: MlflowClient;
    let params: RunParams;

    beforeAll(async () => {
      [server, db, dataDir] = await Promise.all([
        startMlflowServer(),
        createMigratedDatabase('pipeline_run'),
        syntheticDataDir(),
      ]);
      const config = loadConfig({
        REDIS_URL,
        DATABASE_URL: db.url,
        MLFLOW_TRACKING_URI: server.url,
        PIPELINE_QUEUE_PREFIX: uniquePrefix('run'),
        PIPELINE_BACKOFF_S: '0.2',
        PIPELINE_DATA: dataDir,
        PIPELINE_REGISTERED_MODEL: MODEL,
        PIPELINE_EXPERIMENT: 'it-pipeline',
      });
      runtime = createRuntime(config, { name: 'test', logger: pino({ level: 'silent' }) });
      client = createMlflowClient({ trackingUri: server.url });
      params = {
        data: dataDir,
        model: 'tree',
        search: 'random',
        nIter: 6,
        testSize: 0.2,
        validationSize: 0.2,
        seed: 42,
        experiment: 'it-pipeline',
        registeredModel: MODEL,
        minImprovement: 0.005,
        maxRejectedShare: 0.05,
        feedbackMaxAgeDays: 0,
      };
    }, 240_000);

    /* eslint-disable @typescript-eslint/no-unnecessary-condition -- unset if beforeAll failed */
    afterAll(async () => {
      const queues = runtime?.queues();
      if (queues) {
        await Promise.all(
          [queues.runs, ...Object.values(queues.steps)].map((q) => q.obliterate({ force: true })),
        );
      }
      await runtime?.close();
      await Promise.all([
        server?.stop(),
        db?.drop(),
        dataDir && rm(dataDir, { recursive: true, force: true }),
      ]);
    });
    /* eslint-enable @typescript-eslint/no-unnecessary-condition */

    it('runs inline: registers and promotes version 1, recording every step', async () => {
      const runId = newRunId();
      const outputs = await runInline({ runId, trigger: 'cli', params }, runtime.engineDeps(), {
        attempts: 1,
        backoffMs: 0,
      });
      expect(outputs.register).toMatchObject({
        version: '1',
        decision: 'first',
        alias: 'champion',
      });
      const record = await runtime.store!.getRun(runId);
      expect(record).toMatchObject({ status: 'succeeded', modelVersion: '1', decision: 'first' });
      expect(record!.steps.map((s) => [s.step, s.status, s.cachedFrom])).toEqual([
        ['ingest', 'succeeded', null],
        ['validate', 'succeeded', null],
        ['split', 'succeeded', null],
        ['train', 'succeeded', null],
        ['evaluate', 'succeeded', null],
        ['register', 'succeeded', null],
      ]);
      expect(record!.dataFingerprints).toMatchObject({
        sources: {
          'winequality-red.csv': expect.stringMatching(/^[0-9a-f]{64}$/),
          'winequality-white.csv': expect.stringMatching(/^[0-9a-f]{64}$/),
        },
      });
      const run = await client.getRun(record!.mlflowRunId!);
      expect(run.data.tags['wine.pipeline.run_id']).toBe(runId);
      const files = (await client.listArtifactsRecursive(run.info.artifactUri)).map((f) => f.path);
      expect(files).toEqual(
        expect.arrayContaining([
          'pipeline/ingest/winequality-red.csv',
          'pipeline/validate/dataset.csv',
          'pipeline/split/holdout.csv',
          'model/model.json',
        ]),
      );
      expect((await client.getModelVersionByAlias(MODEL, 'champion'))?.version).toBe('1');
    }, 120_000);

    it('runs on BullMQ workers; the same data and parameters do no work twice', async () => {
      const queues = runtime.queues();
      const settings = runtime.engineSettings();
      const workers = startWorkers(runtime.engineDeps(), {
        ...settings,
        concurrency: 1,
        lockDurationMs: 30_000,
        stalledIntervalMs: 30_000,
        maxStalledCount: 1,
      });
      const events = new QueueEvents(RUN_QUEUE, {
        connection: { url: REDIS_URL },
        prefix: settings.prefix,
      });
      try {
        await events.waitUntilReady();
        const runId = newRunId();
        await enqueueRun(
          { runs: queues.runs, store: runtime.store },
          { runId, trigger: 'cli', params },
        );
        const job = await queues.runs.getJob(runId);
        const summary = await job!.waitUntilFinished(events, 90_000);
        expect(summary).toMatchObject({ runId, modelVersion: '1', decision: 'already-champion' });
        const record = await runtime.store!.getRun(runId);
        expect(record!.status).toBe('succeeded');
        // Same sources, same parameters: every step up to train reused the inline run's output.
        const reused = record!.steps.filter((s) => s.cachedFrom !== null).map((s) => s.step);
        expect(reused).toEqual(expect.arrayContaining(['ingest', 'validate', 'split', 'train']));
        const versions = await client.searchAllModelVersions({ filter: `name = '${MODEL}'` });
        expect(versions).toHaveLength(1);
      } finally {
        await events.close();
        await workers.close();
      }
    }, 120_000);
  },
);
