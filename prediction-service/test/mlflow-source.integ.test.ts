/**
 * The MLflow model source and the store against a real `mlflow server` (PostgreSQL backend):
 * failures on this machine while loading a registry candidate are "unavailable, retry" and
 * never mark the version bad; a broken artifact is rejected once. A small HTTP proxy in front
 * of the real server slows artifact bodies down or adds a hostile listing entry — what a slow
 * link or a compromised server would do, which the real server cannot be made to do.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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
const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';

interface ProxyRules {
  /** Spread each artifact file body over this many ms. */
  slowBodyMs?: number;
  /** Replaces the JSON listing of a directory (proxy path) when it returns something. */
  list?: (dir: string, files: unknown[]) => unknown[] | undefined;
}

/** Forwards every request to `target`, applying `rules` to artifact downloads and listings. */
async function startProxy(target: string, rules: ProxyRules) {
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(key)) {
        headers.set(key, value);
      }
    }
    const upstream = await fetch(`${target}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    let body = Buffer.from(await upstream.arrayBuffer());
    const url = new URL(req.url ?? '/', target);
    const dir = url.searchParams.get('path');
    if (url.pathname === ARTIFACTS && dir !== null && rules.list) {
      const files = (JSON.parse(body.toString() || '{}') as { files?: unknown[] }).files ?? [];
      const replaced = rules.list(dir, files);
      if (replaced) body = Buffer.from(JSON.stringify({ files: replaced }));
    }
    res.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream',
      'content-length': body.length,
    });
    const slow = rules.slowBodyMs;
    if (slow === undefined || !url.pathname.startsWith(`${ARTIFACTS}/`)) {
      res.end(body);
      return;
    }
    const pieces = 10;
    const size = Math.ceil(body.length / pieces);
    for (let i = 0; i < pieces; i++) {
      res.write(body.subarray(i * size, (i + 1) * size));
      await new Promise((r) => setTimeout(r, slow / pieces));
    }
    res.end();
  }
  const proxy = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => {
          resolve();
        });
      }),
  };
}

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
      source: createMlflowSource({
        uri: `models:/${MODEL}@champion`,
        client: mlflow,
        ...deps,
      }),
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

  it('loads an artifact whose download takes longer than the per-request timeout', async () => {
    const version = await publish(4);
    const proxy = await startProxy(server.url, { slowBodyMs: 1500 });
    try {
      // As the service polls: a short per-attempt timeout, no retries.
      const client = createMlflowClient({ trackingUri: proxy.url, timeoutMs: 500, retries: 0 });
      const { store } = storeFor({ client });
      expect(await store.reload()).toMatchObject({ result: 'swapped', model: { version } });
    } finally {
      await proxy.close();
    }
  }, 30_000);

  it('rejects a version whose artifact listing loops, instead of listing forever', async () => {
    const good = await publish(5);
    const { store } = storeFor();
    await store.reload();
    const bad = await publish(6);
    const badDir = (await mlflow.getModelVersionDownloadUri(MODEL, bad)).replace(
      'mlflow-artifacts:/',
      '',
    );
    const proxy = await startProxy(server.url, {
      list: (dir, files) => {
        if (dir === badDir) return [...files, { path: 'extra', is_dir: true }];
        if (dir === `${badDir}/extra`) return [{ path: '', is_dir: true }];
        return undefined;
      },
    });
    try {
      const client = createMlflowClient({ trackingUri: proxy.url, timeoutMs: 5000, retries: 0 });
      const hostile = storeFor({ client });
      expect(await hostile.store.reload()).toMatchObject({
        result: 'rejected',
        model: undefined,
        reason: expect.stringMatching(/entry "" in artifact directory/),
      });
      expect((await hostile.store.reload()).result).toBe('unchanged');
      // The direct connection sees no hostile entry: the good version keeps serving there.
      expect(store.current()?.info.version).toBe(good);
    } finally {
      await proxy.close();
    }
  }, 30_000);
});
