/**
 * The closed loop, end to end, real components only: the built prediction service serves v1
 * of the registered model from MLflow → drifted traffic with feedback (the simulator's
 * library) → the model monitor sees the drift → Prometheus fires DatasetDrift → a real
 * Alertmanager posts its webhook to the pipeline API → a pipeline worker retrains on the
 * base data plus the feedback rows → v2 is promoted → the service serves v2, with zero
 * failed requests throughout. PostgreSQL (fresh database), the machine's Redis (unique
 * prefix), MLflow, Prometheus and Alertmanager from the distribution. About 2–4 min.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadWineDataDir } from '@wine/model';
import { createRowSource, httpTarget, runSimulation } from '@wine/training-scripts';
import { createMlflowClient } from 'mlflow-ts-client';
import { pino } from 'pino';
import {
  describeWithServices,
  missingMlflow,
  startMlflowServer,
  type MlflowServer,
} from '../../packages/mlflow-client/test/real-services';
import { startMonitor } from '../../model-monitor/test/monitor-process';
import { startService, waitUntil } from '../../prediction-service/test/service-process';
import {
  promQuery,
  startAlertmanager,
  startPrometheus,
} from '../../prometheus/test/real-prometheus';
import { missingTools } from '../../prometheus/test/tools';
import { runParams } from '../src/cli/run-options.schema';
import { loadConfig } from '../src/config';
import { newRunId } from '../src/engine/enqueue';
import { runInline } from '../src/engine/inline';
import { createRuntime } from '../src/runtime';
import { STEP_NAMES } from '../src/steps/step-io.schema';
import { builtPipeline, startApi, startWorker } from './processes';
import {
  createMigratedDatabase,
  missingPostgresAndRedis,
  REDIS_URL,
  uniquePrefix,
} from './services';

const DATA = process.env['WINE_DATA_DIR'];
const MODEL = 'it-closed-loop';
const FEEDBACK_TOKEN = 'loop-feedback';
const WEBHOOK_TOKEN = 'loop-webhook';
const WINDOW = 1000;

const missing = [
  ...missingMlflow(),
  ...missingPostgresAndRedis(),
  ...missingTools(['prometheus', 'alertmanager']),
  ...(DATA === undefined ? ['WINE_DATA_DIR is not set (the loop trains on the UCI data)'] : []),
];
const itBuilt = builtPipeline() ? it : it.skip;

describeWithServices('closed loop: drift alert → retrain → v2 served', missing, () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }, 120_000);

  itBuilt(
    'serves v1, drifts, alerts, retrains with the feedback rows, promotes and serves v2 without a failed request',
    async () => {
      const started = Date.now();
      const tmp = await mkdtemp(path.join(os.tmpdir(), 'pipeline-loop-'));
      cleanups.push(() => rm(tmp, { recursive: true, force: true }));
      const [server, db]: [MlflowServer, Awaited<ReturnType<typeof createMigratedDatabase>>] =
        await Promise.all([startMlflowServer(), createMigratedDatabase('pipeline_loop')]);
      cleanups.push(
        () => server.stop(),
        () => db.drop(),
      );
      const env: Record<string, string> = {
        REDIS_URL,
        DATABASE_URL: db.url,
        MLFLOW_TRACKING_URI: server.url,
        PIPELINE_QUEUE_PREFIX: uniquePrefix('loop'),
        PIPELINE_REGISTERED_MODEL: MODEL,
        PIPELINE_EXPERIMENT: MODEL,
        PIPELINE_DATA: DATA!,
        PIPELINE_WEBHOOK_TOKEN: WEBHOOK_TOKEN,
        PIPELINE_BACKOFF_S: '1',
      };
      const runtime = createRuntime(loadConfig(env), {
        name: 'test',
        logger: pino({ level: 'silent' }),
      });
      cleanups.push(async () => {
        const q = runtime.queues();
        await Promise.all(
          [q.runs, ...STEP_NAMES.map((s) => q.steps[s])].map((x) => x.obliterate({ force: true })),
        );
        await runtime.close();
      });

      // v1: the pipeline on the base data alone (nobody has given feedback yet).
      const v1 = await runInline(
        {
          runId: newRunId(),
          trigger: 'cli',
          params: runParams({ search: 'random', nIter: 8 }, runtime.config.defaults),
        },
        runtime.engineDeps(),
        { attempts: 1, backoffMs: 0 },
      );
      expect(v1.register).toMatchObject({ version: '1', alias: 'champion' });

      const service = await startService({
        MODEL_URI: `models:/${MODEL}@champion`,
        MLFLOW_TRACKING_URI: server.url,
        MODEL_POLL_INTERVAL_S: '1',
        DATABASE_URL: db.url,
        FEEDBACK_TOKEN,
        PREDICTION_LOG_FLUSH_MS: '100',
      });
      cleanups.push(() => service.stop());
      const served = async (): Promise<string | undefined> => {
        const res = await fetch(`${service.managementUrl}/model`);
        const body = (await res.json()) as { version?: string; model?: { version?: string } };
        return body.version ?? body.model?.version;
      };
      await waitUntil('the service to serve v1', async () => (await served()) === '1', 30_000);

      const monitor = await startMonitor({
        DATABASE_URL: db.url,
        MLFLOW_TRACKING_URI: server.url,
        MONITOR_INTERVAL_S: '1',
        MONITOR_WINDOW_ROWS: String(WINDOW),
        MONITOR_DRIFT_SHARE: '0.2',
        // This loop is about drift; LiveRmseHigh (the other retraining alert) stays quiet.
        MONITOR_RMSE_THRESHOLD: '5',
        LOG_LEVEL: 'info',
      });
      cleanups.push(() => monitor.stop());

      const worker = await startWorker(tmp, 'loop-worker', env);
      cleanups.push(() => worker.kill());
      const api = await startApi(tmp, 'loop-api', env);
      cleanups.push(() => api.kill());

      // Alertmanager routes action="retrain" to the pipeline API, as prometheus/alertmanager.yml does.
      const tokenFile = path.join(tmp, 'webhook-token');
      await writeFile(tokenFile, WEBHOOK_TOKEN);
      const am = await startAlertmanager(
        [
          'route:',
          '  receiver: quiet',
          '  group_by: [alertname, model_name, model_version]',
          '  group_wait: 1s',
          '  group_interval: 1s',
          '  repeat_interval: 1h',
          '  routes:',
          '    - receiver: retraining-pipeline',
          '      matchers: [\'action="retrain"\']',
          'receivers:',
          '  - name: quiet',
          '  - name: retraining-pipeline',
          '    webhook_configs:',
          `      - url: '${api.url}/hooks/alertmanager'`,
          '        send_resolved: false',
          '        http_config:',
          '          authorization:',
          '            type: Bearer',
          `            credentials_file: ${tokenFile}`,
          '',
        ].join('\n'),
      );
      cleanups.push(() => am.stop());
      const prom = await startPrometheus({
        targets: {
          'prediction-service': [`127.0.0.1:${service.managementPort}`],
          'model-monitor': [`127.0.0.1:${monitor.port}`],
          'pipeline-api': [api.url.replace('http://', '')],
        },
        alertmanager: am.url,
        forDuration: '1s',
      });
      cleanups.push(() => prom.stop());

      // Drifted traffic (alcohol +1.5, sulphates ×1.3) with every answer labelled, until v2 serves.
      const { records } = await loadWineDataDir(DATA!, { onInvalidRow: 'fail' });
      const stop = new AbortController();
      const simulation = runSimulation(
        {
          // Moderate: CI runs this beside other suites on 2 cores.
          rate: 60,
          durationS: 600,
          concurrency: 8,
          feedbackFraction: 1,
          // Labels come later than answers, as from a real labelling system; the prediction
          // log (batched writes) has the rows by then.
          feedbackDelayMs: 2000,
          seed: 5,
        },
        {
          target: httpTarget({
            url: service.url,
            feedbackToken: FEEDBACK_TOKEN,
            timeoutMs: 30_000,
          }),
          rows: createRowSource(records, {
            seed: 5,
            order: 'shuffle',
            drift: { shift: { alcohol: 1.5 }, scale: { sulphates: 1.3 } },
          }),
          signal: stop.signal,
        },
      );
      const logs = async () =>
        `--- worker ---\n${worker.log().slice(-3000)}\n--- api ---\n${api.log().slice(-2000)}\n` +
        `--- alerts ---\n${JSON.stringify(await promQuery(prom.url, 'ALERTS'))}`;
      try {
        await waitUntil(
          'DatasetDrift to fire',
          async () =>
            (await promQuery(prom.url, 'ALERTS{alertname="DatasetDrift",alertstate="firing"}'))
              .length > 0,
          240_000,
          500,
        ).catch(async (e: unknown) => {
          throw new Error(`${String(e)}\n${await logs()}`);
        });
        const alertRun = await waitUntil(
          'an alert-triggered run',
          async () =>
            (await runtime.store!.listRuns({ limit: 10 })).some((r) => r.trigger === 'alert'),
          60_000,
          500,
        ).catch(async (e: unknown) => {
          throw new Error(`${String(e)}\n${await logs()}`);
        });
        expect(alertRun).toBeGreaterThanOrEqual(0);
        await waitUntil(
          'the service to serve v2',
          async () => (await served()) === '2',
          300_000,
          500,
        ).catch(async (e: unknown) => {
          throw new Error(`${String(e)}\n${await logs()}`);
        });
      } finally {
        stop.abort();
      }
      const summary = await simulation;

      const [run] = (await runtime.store!.listRuns({ limit: 10 })).filter(
        (r) => r.trigger === 'alert',
      );
      expect(run).toMatchObject({ status: 'succeeded', modelVersion: '2', decision: 'promoted' });
      expect(run!.groupKey).toContain('DatasetDrift');
      const feedback = run!.dataFingerprints['feedback'] as {
        rows: number;
        newSinceChampion: number;
      };
      expect(feedback.rows).toBeGreaterThan(100);
      expect(feedback.newSinceChampion).toBe(feedback.rows);
      expect(
        (
          await createMlflowClient({ trackingUri: server.url }).getModelVersionByAlias(
            MODEL,
            'champion',
          )
        )?.version,
      ).toBe('2');
      // The loop never failed a request: before, during and after the swap.
      expect(summary.requests.errors).toEqual({});
      expect(summary.requests.failed).toBe(0);
      // The monitor evaluates once it has MONITOR_MIN_ROWS (default 200) labelled rows, so an
      // idle machine closes the loop before a full window of traffic has been sent.
      expect(summary.requests.ok).toBeGreaterThan(200);
      expect(summary.feedback.errors).toEqual({});
      expect(summary.feedback.failed).toBe(0);
      expect(Date.now() - started).toBeLessThan(10 * 60_000);
    },
    15 * 60_000,
  );
});
