/**
 * The store's change detection and fallback, in-process. The source here is a small
 * implementation of our own `ModelSource` interface over real model directories (what the
 * MLflow source does after its three registry requests); the MLflow source itself is tested
 * against a real server in mlflow-source.integ.test.ts and registry-e2e.integ.test.ts.
 */
import { readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readModelDir } from '@wine/model';
import type { ArtifactFileInfo, ResolvedModel } from 'mlflow-ts-client';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import request from 'supertest';
import { createApp, createManagementApp } from '../src/app';
import { createMetrics } from '../src/metrics';
import {
  BUNDLED_MODEL_DIR,
  createDirectorySource,
  servableFromDirectory,
} from '../src/model/directory-source';
import { fingerprintOf } from '../src/model/mlflow-source';
import { createModelStore, jitteredDelayMs, POLL_JITTER } from '../src/model/model-store';
import { SourceUnavailableError } from '../src/model/servable-model';
import type { ModelSource } from '../src/model/servable-model';
import { createNoopSink } from '../src/prediction-sink';
import { GOOD, tempDir, writeTinyModel } from './fixtures';

const URI = 'models:/wine-quality@champion';
const TOKEN = 'registry-test-token';

interface Pointer {
  dir: string;
  version: string;
  reachable: boolean;
}

/** Points at one of several model dirs, like an alias; counts downloads. */
function aliasSource(pointer: Pointer): ModelSource & { downloads: number } {
  const source = {
    downloads: 0,
    describe: () => URI,
    locate() {
      if (!pointer.reachable) {
        return Promise.reject(
          new SourceUnavailableError('cannot resolve (MLflow at http://127.0.0.1:1)'),
        );
      }
      const { dir, version } = pointer;
      const fingerprint = `${version}|${dir}`;
      return Promise.resolve({
        fingerprint,
        load: async () => {
          source.downloads++;
          const md = await readModelDir(dir);
          return servableFromDirectory(md, URI, { version, alias: 'champion', fingerprint });
        },
      });
    },
    async load() {
      return (await source.locate()).load();
    },
  };
  return source;
}

function setup(pointer: Pointer) {
  const registry = new Registry();
  const metrics = createMetrics(registry, { defaultMetrics: false });
  const logger = pino({ level: 'silent' });
  const source = aliasSource(pointer);
  const store = createModelStore({
    source,
    fallback: createDirectorySource(BUNDLED_MODEL_DIR, 'fallback'),
    metrics,
    logger,
  });
  const deps = {
    store,
    metrics,
    sink: createNoopSink(),
    logger,
    config: { adminToken: TOKEN, maxBodyBytes: 1 << 20, maxBatchRows: 100 },
  };
  const app = createApp(deps);
  const management = createManagementApp(deps);
  const count = async (result: string): Promise<number> =>
    (await metrics.modelReloads.get()).values.find((v) => v.labels['result'] === result)?.value ??
    0;
  const fallbackGauge = async (): Promise<number> =>
    (await metrics.modelSourceFallback.get()).values[0]?.value ?? -1;
  return { store, source, app, management, registry, count, fallbackGauge };
}

let dirs: { a: string; b: string; bad: string; flaky: string };
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const tmp = await tempDir('wine-registry-');
  cleanup = tmp.cleanup;
  dirs = {
    a: path.join(tmp.dir, 'a'),
    b: path.join(tmp.dir, 'b'),
    bad: path.join(tmp.dir, 'bad'),
    flaky: path.join(tmp.dir, 'flaky'),
  };
  await writeTinyModel(dirs.flaky, { seed: 4 });
  await writeTinyModel(dirs.a, { seed: 1, maxDepth: 3 });
  await writeTinyModel(dirs.b, { seed: 2, maxDepth: 5 });
  await writeTinyModel(dirs.bad, { seed: 3 });
  await writeFile(path.join(dirs.bad, 'model.json'), '{"format": "wine-tree-ensemble", "tr');
});
afterAll(async () => {
  await cleanup();
});

describe('registry change detection', () => {
  it('downloads only when the alias points at another artifact', async () => {
    const pointer = { dir: dirs.a, version: '1', reachable: true };
    const t = setup(pointer);
    expect((await t.store.reload()).result).toBe('swapped');
    expect((await t.store.reload()).result).toBe('unchanged');
    expect((await t.store.reload()).result).toBe('unchanged');
    expect(t.source.downloads).toBe(1);

    Object.assign(pointer, { dir: dirs.b, version: '2' });
    const swapped = await t.store.reload();
    expect(swapped).toMatchObject({
      result: 'swapped',
      model: { version: '2', alias: 'champion' },
    });
    expect(t.source.downloads).toBe(2);
    const res = await request(t.app).post('/predict').send(GOOD).expect(200);
    expect(res.body.model).toEqual({ name: 'wine-quality', version: '2', source: URI });
  });

  it('rejects a corrupt artifact once, keeps serving, and does not re-download it on polls', async () => {
    const pointer = { dir: dirs.a, version: '1', reachable: true };
    const t = setup(pointer);
    await t.store.reload();
    Object.assign(pointer, { dir: dirs.bad, version: '3' });
    const outcome = await t.store.reload();
    expect(outcome).toMatchObject({ result: 'rejected', model: { version: '1' } });
    expect(outcome.reason).toMatch(/JSON/);
    expect((await t.store.reload()).result).toBe('unchanged');
    expect(t.source.downloads).toBe(2);
    expect(await t.count('rejected')).toBe(1);
    // An admin reload tries again (the artifact may have been fixed in place).
    const admin = await request(t.management)
      .post('/model/reload')
      .set('Authorization', `Bearer ${TOKEN}`)
      .expect(409);
    expect(admin.body.error.code).toBe('MODEL_RELOAD_REJECTED');
    expect(t.source.downloads).toBe(3);
    expect((await request(t.management).get('/model').expect(200)).body.version).toBe('1');
  });

  it('treats a re-registered identical artifact as a new version (metadata swap)', async () => {
    const pointer = { dir: dirs.a, version: '1', reachable: true };
    const t = setup(pointer);
    await t.store.reload();
    pointer.version = '4';
    expect(await t.store.reload()).toMatchObject({ result: 'swapped', model: { version: '4' } });
  });

  it('serves the bundled model as "fallback" while MLflow is unreachable, then the champion', async () => {
    const pointer = { dir: dirs.a, version: '1', reachable: false };
    const t = setup(pointer);
    const first = await t.store.reload();
    expect(first).toMatchObject({ result: 'error', model: { source: 'fallback' } });
    expect(t.store.usingFallback()).toBe(true);
    expect(await t.fallbackGauge()).toBe(1);
    await request(t.app).get('/ready').expect(200);
    const model = await request(t.management).get('/model').expect(200);
    expect(model.body).toMatchObject({
      source: 'fallback',
      fallback: true,
      configured_source: URI,
      last_check: { result: 'error', consecutiveErrors: 1 },
    });
    expect(model.body.last_check.reason).toMatch(/MLflow at/);
    const metrics = await t.registry.metrics();
    expect(metrics).toMatch(
      /wine_model_info\{name="wine-quality",version="[^"]+",source="fallback"\} 1/,
    );
    expect(metrics).toMatch(/wine_model_source_fallback 1/);
    expect(metrics).toMatch(/wine_model_reloads_total\{result="error"\} 1/);

    const admin = await request(t.management)
      .post('/model/reload')
      .set('Authorization', `Bearer ${TOKEN}`)
      .expect(503);
    expect(admin.body.error.code).toBe('MODEL_SOURCE_UNAVAILABLE');
    expect(admin.body.error.message).toMatch(/keeps serving/);

    pointer.reachable = true;
    expect(await t.store.reload()).toMatchObject({ result: 'swapped', model: { version: '1' } });
    expect(t.store.usingFallback()).toBe(false);
    expect(await t.fallbackGauge()).toBe(0);
    expect(await t.registry.metrics()).not.toMatch(/source="fallback"/);
  });

  it('keeps serving when MLflow goes away later, counting failed checks', async () => {
    const pointer = { dir: dirs.a, version: '1', reachable: true };
    const t = setup(pointer);
    await t.store.reload();
    pointer.reachable = false;
    for (let i = 0; i < 3; i++) expect((await t.store.reload()).result).toBe('error');
    expect(t.store.current()?.info.version).toBe('1');
    expect(t.store.usingFallback()).toBe(false);
    expect(t.store.lastCheck()).toMatchObject({ result: 'error', consecutiveErrors: 3 });
    expect(await t.count('error')).toBe(3);
    await request(t.app).get('/ready').expect(200);
    pointer.reachable = true;
    expect((await t.store.reload()).result).toBe('unchanged');
    expect(t.store.lastCheck()).toMatchObject({ result: 'unchanged', consecutiveErrors: 0 });
  });

  it('counts a local disk failure while loading as "unavailable, retry", not a rejection', async () => {
    const pointer = { dir: dirs.flaky, version: '5', reachable: true };
    const t = setup(pointer);
    const modelJson = path.join(dirs.flaky, 'model.json');
    const good = await readFile(modelJson);
    // A symlink to itself: reading it fails with ELOOP, a real fs failure on this machine.
    await rm(modelJson);
    await symlink('model.json', modelJson);
    const first = await t.store.reload();
    expect(first).toMatchObject({ result: 'error' });
    expect(first.reason).toMatch(/ELOOP/);
    expect(await t.count('rejected')).toBe(0);
    // The disk recovers: the very same version loads on the next poll (not skipped as bad).
    await rm(modelJson);
    await writeFile(modelJson, good);
    expect(await t.store.reload()).toMatchObject({ result: 'swapped', model: { version: '5' } });
    expect(t.source.downloads).toBe(2);
  });

  it('runs a forced reload after an in-flight poll instead of sharing it', async () => {
    const pointer = { dir: dirs.a, version: '1', reachable: true };
    const t = setup(pointer);
    await t.store.reload();
    const poll = t.store.reload();
    const forced = t.store.reload({ force: true });
    expect(t.store.reload()).toBe(forced);
    expect((await poll).result).toBe('unchanged');
    expect((await forced).result).toBe('unchanged');
    expect(t.source.downloads).toBe(2); // the poll did not download; the forced one did
  });
});

describe('fingerprintOf', () => {
  const resolved: ResolvedModel = {
    uri: URI,
    artifactUri: 'mlflow-artifacts:/1/models/m-1/artifacts',
    name: 'wine-quality',
    version: '3',
    modelId: 'm-1',
  };
  const files: ArtifactFileInfo[] = [
    { path: 'model.json', isDir: false, fileSize: 1200 },
    { path: 'MLmodel', isDir: false, fileSize: 300 },
  ];

  it('ignores listing order and changes with version, location or a file size', () => {
    const base = fingerprintOf(resolved, files);
    expect(fingerprintOf(resolved, [...files].reverse())).toBe(base);
    expect(fingerprintOf({ ...resolved, version: '4' }, files)).not.toBe(base);
    expect(fingerprintOf({ ...resolved, artifactUri: 'mlflow-artifacts:/1/x' }, files)).not.toBe(
      base,
    );
    expect(
      fingerprintOf(resolved, [{ path: 'model.json', isDir: false, fileSize: 9 }, files[1]!]),
    ).not.toBe(base);
  });
});

describe('jitteredDelayMs', () => {
  it('stays within ±10 % of the interval', () => {
    expect(jitteredDelayMs(30, () => 0)).toBe(30_000 * (1 - POLL_JITTER));
    expect(jitteredDelayMs(30, () => 0.5)).toBe(30_000);
    expect(jitteredDelayMs(30, () => 0.999_999)).toBeLessThanOrEqual(30_000 * (1 + POLL_JITTER));
  });
});
