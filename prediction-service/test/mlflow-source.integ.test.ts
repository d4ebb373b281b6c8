/**
 * The MLflow model source and the store against a real `mlflow server` (PostgreSQL backend):
 * failures on this machine while loading a registry candidate are "unavailable, retry" and
 * never mark the version bad; a broken artifact is rejected once.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createMlflowClient } from 'mlflow-ts-client';
import type { MlflowClient } from 'mlflow-ts-client';
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
import type { MlflowSourceDeps } from '../src/model/mlflow-source';
import { createModelStore } from '../src/model/model-store';
import { writeTinyModel } from './fixtures';

const MODEL = 'source-failures';

describeWithServices('the MLflow model source on a real server', missingMlflow(), () => {
  let server: MlflowServer;
  let mlflow: MlflowClient;
  let work: string;

  /** Logs a tiny model (optionally spoilt by `spoil`), registers it and points @champion at it. */
  async function publish(seed: number, spoil?: (dir: string) => Promise<void>): Promise<string> {
    const experiment = await mlflow.getOrCreateExperiment({ name: MODEL });
    const { info } = await mlflow.createRun({ experimentId: experiment.experimentId });
    const logged = await mlflow.logModel({
      runId: info.runId,
      name: 'model',
      writeArtifacts: async () => {
        const dir = path.join(work, `model-${seed}`);
        await writeTinyModel(dir, { seed });
        await spoil?.(dir);
        return dir;
      },
    });
    const mv = await mlflow.registerModel(`models:/${logged.modelId}`, MODEL);
    await mlflow.setAlias(MODEL, 'champion', mv.version);
    return mv.version;
  }

  function storeFor(deps: Partial<MlflowSourceDeps> = {}) {
    const metrics = createMetrics(new Registry(), { defaultMetrics: false });
    const store = createModelStore({
      source: createMlflowSource({ uri: `models:/${MODEL}@champion`, client: mlflow, ...deps }),
      metrics,
      logger: pino({ level: 'silent' }),
    });
    const count = async (result: string): Promise<number> =>
      (await metrics.modelReloads.get()).values.find((v) => v.labels['result'] === result)?.value ??
      0;
    return { store, count };
  }

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'wine-source-it-'));
    server = await startMlflowServer();
    mlflow = createMlflowClient({ trackingUri: server.url, retries: 1, timeoutMs: 30_000 });
  }, 240_000);

  afterAll(async () => {
    await (server as MlflowServer | undefined)?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  }, 60_000);

  it('a failed mkdtemp is "unavailable, retry": the same version loads on the next check', async () => {
    const version = await publish(1);
    const downloads = path.join(work, 'downloads');
    let calls = 0;
    const { store, count } = storeFor({
      cacheRoot: downloads,
      // The first directory is created under a root that does not exist yet: a real ENOENT.
      makeTempDir: async (prefix) => {
        calls++;
        if (calls === 1) return mkdtemp(path.join(work, 'no-such-root', 'x-'));
        await mkdir(path.dirname(prefix), { recursive: true });
        return mkdtemp(prefix);
      },
    });
    const first = await store.reload();
    expect(first).toMatchObject({ result: 'error', model: undefined });
    expect(first.reason).toMatch(/cannot create a download directory.*ENOENT/);
    expect(await count('rejected')).toBe(0);
    expect(await store.reload()).toMatchObject({ result: 'swapped', model: { version } });
    expect(calls).toBe(2);
  });

  it('a broken artifact is rejected once and not downloaded again until the alias moves', async () => {
    const good = await publish(2);
    const { store, count } = storeFor();
    expect(await store.reload()).toMatchObject({ result: 'swapped', model: { version: good } });
    await publish(3, (dir) => writeFile(path.join(dir, 'model.json'), '{"format": "wine-'));
    const outcome = await store.reload();
    expect(outcome).toMatchObject({ result: 'rejected', model: { version: good } });
    expect(outcome.reason).toMatch(/not valid JSON/);
    expect((await store.reload()).result).toBe('unchanged');
    expect(await count('rejected')).toBe(1);
  });
});
