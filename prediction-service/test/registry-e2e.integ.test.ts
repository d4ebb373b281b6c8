/**
 * End to end against real processes: `mlflow server` (PostgreSQL backend), the train CLI with
 * tracking and registration, and the built prediction service on
 * `models:/wine-quality@champion` polling every second — in cluster mode (2 workers), under a
 * steady load that must never see a failed request. Needs `pnpm build`, mlflow and the UCI data.
 *
 * Story: small search → v1 champion → served; search on more data → v2 beats v1 on the same
 * holdout → champion moves → swapped within one poll interval; MLflow killed → still serving;
 * a second service started while MLflow is down serves the bundled model as "fallback"; MLflow
 * back → it picks up the champion; a corrupt v3 made champion → rejected once, counted, v2 kept;
 * champion moved back to v1 with the client → swap latency measured from the exact alias move.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createRng, FEATURE_NAMES, loadWineDataDir, shuffleInPlace } from '@wine/model';
import type { LabeledWineRecord } from '@wine/model';
import { createMlflowClient } from 'mlflow-ts-client';
import type { FetchLike, MlflowClient } from 'mlflow-ts-client';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import {
  describeWithServices,
  missingMlflow,
  startMlflowServer,
} from '../../packages/mlflow-client/test/real-services';
import type { MlflowServer } from '../../packages/mlflow-client/test/real-services';
import { createMetrics } from '../src/metrics';
import { createMlflowSource } from '../src/model/mlflow-source';
import { createModelStore } from '../src/model/model-store';
import { SourceUnavailableError } from '../src/model/servable-model';
import { GOOD, writeTinyModel } from './fixtures';
import {
  getJson,
  getText,
  metricValue,
  SERVICE_MAIN,
  startService,
  steadyLoad,
  waitUntil,
} from './service-process';
import type { ServiceProcess } from './service-process';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
const TRAIN_CLI = path.join(ROOT, 'training-scripts', 'dist', 'cli', 'train.js');
const DATA_DIR = process.env['WINE_DATA_DIR'] ?? path.resolve(ROOT, '..', 'shared', 'data');
const URI = 'models:/wine-quality@champion';
const POLL_S = 1;
/** One poll interval (+10 % jitter) plus resolve + download + parse on a busy 2-core box. */
const SWAP_DEADLINE_MS = POLL_S * 1100 + 2000;

function missing(): string[] {
  const out = missingMlflow();
  for (const file of [SERVICE_MAIN, TRAIN_CLI]) {
    if (!existsSync(file)) out.push(`${path.relative(ROOT, file)} missing: run \`pnpm build\``);
  }
  if (!existsSync(path.join(DATA_DIR, 'winequality-red.csv'))) {
    out.push(`no UCI data in ${DATA_DIR} (set WINE_DATA_DIR)`);
  }
  return out;
}

function toCsv(rows: readonly LabeledWineRecord[]): string {
  const cols = [...FEATURE_NAMES, 'wine_type', 'quality'] as const;
  return [cols.join(','), ...rows.map((r) => cols.map((c) => String(r[c])).join(','))].join('\n');
}

interface TrainSummary {
  best: { rmse: number };
  registration: { version: string; alias: string; decision: string };
}

describeWithServices('serving the registry champion end to end', missing(), () => {
  let server: MlflowServer;
  let mlflow: MlflowClient;
  let work: string;
  const services: ServiceProcess[] = [];

  const train = async (trainCsv: string, out: string): Promise<TrainSummary> => {
    const { stdout } = await run(
      process.execPath,
      [
        TRAIN_CLI,
        ...['--train', trainCsv, '--test', path.join(work, 'test.csv')],
        ...['--search', 'random', '--n-iter', '4', '--workers', '1'],
        ...['--tracking-uri', server.url, '--register', '--json', '-o', path.join(work, out)],
      ],
      { cwd: work, env: { ...process.env, NO_COLOR: '1' } },
    );
    return JSON.parse(stdout.trim().split('\n').pop() ?? '') as TrainSummary;
  };

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'wine-registry-e2e-'));
    // A fixed holdout, a small and a large training set, all from the UCI data.
    const { records } = await loadWineDataDir(DATA_DIR);
    shuffleInPlace(records, createRng(7));
    await writeFile(path.join(work, 'test.csv'), toCsv(records.slice(0, 1300)));
    await writeFile(path.join(work, 'small.csv'), toCsv(records.slice(1300, 1550)));
    await writeFile(path.join(work, 'large.csv'), toCsv(records.slice(1300)));
    server = await startMlflowServer();
    console.info(`mlflow server up in ${server.startupMs} ms at ${server.url}`);
    mlflow = createMlflowClient({ trackingUri: server.url, retries: 1, timeoutMs: 30_000 });
  }, 240_000);

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await (server as MlflowServer | undefined)?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  }, 60_000);

  it('the MLflow source resolves every URI form; a check that finds nothing new downloads nothing', async () => {
    const requests: string[] = [];
    const counting: FetchLike = (input, init) => {
      requests.push(`${init.method ?? 'GET'} ${input}`);
      return fetch(input, init);
    };
    const client = createMlflowClient({ trackingUri: server.url, fetch: counting, retries: 0 });
    const experiment = await mlflow.getOrCreateExperiment({ name: 'source-test' });
    const { info } = await mlflow.createRun({ experimentId: experiment.experimentId });
    const logged = await mlflow.logModel({
      runId: info.runId,
      name: 'model',
      writeArtifacts: async () => {
        const dir = path.join(work, 'source-test');
        await writeTinyModel(dir);
        return dir;
      },
    });
    const mv = await mlflow.registerModel(`models:/${logged.modelId}`, 'source-test');
    await mlflow.setAlias('source-test', 'champion', mv.version);

    const byAlias = 'models:/source-test@champion';
    for (const uri of [byAlias, `models:/source-test/${mv.version}`, `runs:/${info.runId}/model`]) {
      const located = await createMlflowSource({ uri, client }).locate?.();
      const model = await located?.load();
      expect(model?.fingerprint).toBe(located?.fingerprint);
      expect(model?.info).toMatchObject({
        source: uri,
        runId: info.runId,
        modelId: logged.modelId,
        artifact: { registryUri: uri, downloadUri: logged.artifactUri, trackingUri: server.url },
      });
      expect(model?.info.version).toMatch(
        uri.startsWith('runs:') ? /^sha256:[0-9a-f]{12}$/ : /^1$/,
      );
    }

    const registry = new Registry();
    const store = createModelStore({
      source: createMlflowSource({ uri: byAlias, client }),
      metrics: createMetrics(registry, { defaultMetrics: false }),
      logger: pino({ level: 'silent' }),
    });
    expect(await store.reload()).toMatchObject({ result: 'swapped', model: { alias: 'champion' } });
    requests.length = 0;
    expect((await store.reload()).result).toBe('unchanged');
    // alias → version, version → download URI, one listing; no artifact GET.
    expect(requests).toHaveLength(3);
    expect(requests.filter((r) => /mlflow-artifacts\/artifacts\/[^?]+$/.test(r))).toEqual([]);

    const noAlias = await createModelStore({
      source: createMlflowSource({ uri: 'models:/source-test@nope', client }),
      metrics: createMetrics(new Registry(), { defaultMetrics: false }),
      logger: pino({ level: 'silent' }),
    }).reload();
    expect(noAlias).toMatchObject({ result: 'error', model: undefined });
    expect(noAlias.reason).toMatch(/has no alias "nope"/);
    const closed = createMlflowClient({ trackingUri: 'http://127.0.0.1:9', retries: 0 });
    await expect(createMlflowSource({ uri: byAlias, client: closed }).load()).rejects.toThrow(
      SourceUnavailableError,
    );
  });

  it('serves, swaps, survives MLflow going away, falls back, and rejects a corrupt version', async () => {
    const started = Date.now();
    const env = {
      MODEL_URI: URI,
      MLFLOW_TRACKING_URI: server.url,
      MODEL_POLL_INTERVAL_S: String(POLL_S),
      LOG_LEVEL: 'info',
    };
    const metrics = async (s: ServiceProcess) => getText(`${s.managementUrl}/metrics`);
    /** Every worker serves `version` (wine_model_info is per worker, aggregated by labels). */
    const allServe = async (s: ServiceProcess, version: string) => {
      const text = await metrics(s);
      const lines = text.split('\n').filter((l) => l.startsWith('wine_model_info{'));
      return lines.length > 0 && lines.every((l) => l.includes(`version="${version}"`));
    };

    // 1. A small search becomes v1 and champion; the service (2 workers) serves it.
    const v1 = await train(path.join(work, 'small.csv'), 'm1');
    expect(v1.registration).toMatchObject({ version: '1', alias: 'champion' });
    const a = await startService({ ...env, WEB_CONCURRENCY: '2' });
    services.push(a);
    await waitUntil('both workers serve v1', () => allServe(a, '1'), 10_000);
    const model1 = await getJson(`${a.managementUrl}/model`);
    expect(model1).toMatchObject({
      name: 'wine-quality',
      version: '1',
      alias: 'champion',
      source: URI,
      fallback: false,
      artifact: { registryUri: URI, trackingUri: server.url },
    });
    expect(model1['runId']).toMatch(/^[0-9a-f]{32}$/);
    expect(model1['sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect((model1['artifact'] as { downloadUri: string }).downloadUri).toMatch(
      /^mlflow-artifacts:\//,
    );

    const load = steadyLoad(a.url, GOOD);

    // 2. More data → a better model on the same holdout → promoted → swapped within a poll.
    const v2 = await train(path.join(work, 'large.csv'), 'm2');
    const registered = Date.now();
    expect(v2.best.rmse).toBeLessThan(v1.best.rmse);
    expect(v2.registration).toMatchObject({ version: '2', alias: 'champion' });
    const swapMs = await waitUntil('swap to v2', () => allServe(a, '2'), SWAP_DEADLINE_MS);
    console.info(`swap to v2 seen ${swapMs} ms after the register CLI exited`);
    expect(Date.now() - registered).toBeLessThan(SWAP_DEADLINE_MS + 500);

    // 3. MLflow goes away: requests keep succeeding, /model unchanged, failures counted.
    await server.kill();
    const killedAt = Date.now();
    await waitUntil(
      'failed registry checks counted',
      async () =>
        metricValue(await metrics(a), 'wine_model_reloads_total', { result: 'error' }) >= 2,
      10_000,
      200,
    );
    const whileDown = await getJson(`${a.managementUrl}/model`);
    expect(whileDown).toMatchObject({ version: '2', source: URI, fallback: false });
    expect(whileDown['last_check']).toMatchObject({ result: 'error' });
    expect((await fetch(`${a.url}/ready`)).status).toBe(200);

    // 4. A service started while MLflow is down serves the bundled model as "fallback".
    const b = await startService(env);
    services.push(b);
    const fallbackModel = await getJson(`${b.managementUrl}/model`);
    expect(fallbackModel).toMatchObject({
      source: 'fallback',
      fallback: true,
      configured_source: URI,
    });
    const bMetrics = await metrics(b);
    expect(metricValue(bMetrics, 'wine_model_source_fallback')).toBe(1);
    expect(metricValue(bMetrics, 'wine_model_info', { source: 'fallback' })).toBe(1);
    expect((await fetch(`${b.url}/ready`)).status).toBe(200);
    console.info(`registry down for ${Date.now() - killedAt} ms so far; restarting MLflow`);

    // 5. MLflow is back: b picks up the champion; a stays on v2 without downloading again.
    await server.restart();
    const recoverMs = await waitUntil(
      'fallback service picks up the champion',
      async () => (await getJson(`${b.managementUrl}/model`))['version'] === '2',
      15_000,
      100,
    );
    console.info(`fallback → champion ${recoverMs} ms after MLflow answered again`);
    expect(metricValue(await metrics(b), 'wine_model_source_fallback')).toBe(0);
    expect(await getJson(`${b.managementUrl}/model`)).toMatchObject({
      source: URI,
      fallback: false,
    });
    await waitUntil(
      'a reaches MLflow again',
      async () =>
        ((await getJson(`${a.managementUrl}/model`))['last_check'] as { result: string }).result ===
        'unchanged',
      10_000,
      100,
    );

    // 6. A corrupt version (truncated model.json) made champion: rejected, v2 keeps serving.
    const experiment = await mlflow.getExperimentByName('wine-quality');
    const corruptRun = await mlflow.createRun({
      experimentId: experiment?.experimentId ?? '0',
      runName: 'corrupt-artifact',
    });
    const corrupt = await mlflow.logModel({
      runId: corruptRun.info.runId,
      name: 'model',
      writeArtifacts: async () => {
        const dir = path.join(work, 'corrupt');
        await writeTinyModel(dir);
        await writeFile(path.join(dir, 'model.json'), '{"format":"wine-tree-ensemble","trees":[');
        return dir;
      },
    });
    await mlflow.finishRun(corruptRun.info.runId);
    const v3 = await mlflow.registerModel(`models:/${corrupt.modelId}`, 'wine-quality');
    expect(v3.version).toBe('3');
    const rejectedBefore = metricValue(await metrics(a), 'wine_model_reloads_total', {
      result: 'rejected',
    });
    await mlflow.setAlias('wine-quality', 'champion', '3');
    const rejectMs = await waitUntil(
      'both workers reject v3',
      async () =>
        metricValue(await metrics(a), 'wine_model_reloads_total', { result: 'rejected' }) >=
        rejectedBefore + 2,
      SWAP_DEADLINE_MS,
    );
    console.info(`corrupt v3 rejected by both workers ${rejectMs} ms after the alias moved`);
    expect(await allServe(a, '2')).toBe(true);
    expect(await getJson(`${a.managementUrl}/model`)).toMatchObject({ version: '2' });
    // Polls see the same known-bad artifact and neither download nor count it again.
    await new Promise((r) => setTimeout(r, 3 * POLL_S * 1000));
    expect(metricValue(await metrics(a), 'wine_model_reloads_total', { result: 'rejected' })).toBe(
      rejectedBefore + 2,
    );
    expect(a.logs.join('')).toMatch(/model candidate rejected/);

    // 7. Rollback with the client: the swap latency from the exact moment the alias moved.
    const moved = Date.now();
    await mlflow.setAlias('wine-quality', 'champion', '1');
    await waitUntil('rollback to v1', () => allServe(a, '1'), SWAP_DEADLINE_MS);
    console.info(`rollback: alias move → both workers serve v1 in ${Date.now() - moved} ms`);

    const result = await load.stop();
    console.info(
      `steady load: ${result.requests} requests, ${result.failures.length} failed, versions served ${result.versions.join(', ')}; ` +
        `scenario ${Date.now() - started} ms`,
    );
    expect(result.failures).toEqual([]);
    expect(result.requests).toBeGreaterThan(100);
    expect(result.versions[0]).toBe('1');
    expect(result.versions).toContain('2');
    expect(result.versions).not.toContain('3');
  }, 180_000);
});
