/**
 * train and register as a user runs them (real child processes) against a REAL `mlflow server`
 * (PostgreSQL backend, proxied artifacts), started once for this file. Skips loudly without
 * mlflow, fails under REQUIRE_REAL_SERVICES=1.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Candidate } from '@wine/model';
import { createMlflowClient, type FetchLike, type MlflowClient } from 'mlflow-ts-client';
import { logCandidateRuns } from '../src/tracking/candidate-runs';
import { candidateParams, candidateRunName } from '../src/tracking/run-payloads';
import {
  describeWithServices,
  missingMlflow,
  startMlflowServer,
  type MlflowServer,
} from '../../packages/mlflow-client/test/real-services';
import { builtCli, runNode } from './cli-harness';
import { syntheticCsv } from './synthetic-wine';

const train = builtCli('train');
const register = builtCli('register');
// Runs the built CLIs; builtCli() warns when dist is missing and throws under REQUIRE_REAL_SERVICES=1.
const itBuilt = train === undefined || register === undefined ? it.skip : it;
const EXPERIMENT = 'it-wine-tracking';
const MODEL = 'it-wine-quality';
const CANDIDATES = 6;

let tmp: string;
const csv = (name: string): string => path.join(tmp, name);

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'tracking-it-'));
  await writeFile(csv('train.csv'), syntheticCsv(400, 1));
  await writeFile(csv('test.csv'), syntheticCsv(150, 2));
  await writeFile(csv('noise.csv'), syntheticCsv(400, 3, false));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

interface Summary {
  tracking: { runId: string; experimentId: string; modelId: string; childRuns: number } | null;
  registration?: {
    version: string;
    alias: string;
    decision: string;
    candidateRmse: number;
    champion: { version: string; rmse: number } | null;
  };
}

const lastJson = (stdout: string): unknown => JSON.parse(stdout.trim().split('\n').at(-1)!);

function trainArgs(trainCsv: string, output: string, extra: string[] = []): string[] {
  return [
    ...['--train', trainCsv, '--test', csv('test.csv'), '--output', output],
    ...['--search', 'random', '--n-iter', String(CANDIDATES), '--workers', '1'],
    ...['--experiment', EXPERIMENT, '--json', ...extra],
  ];
}

describe('tracking without a server', () => {
  itBuilt('says tracking is off and still writes the model', async () => {
    const output = csv('model-off');
    const result = await runNode(
      train!,
      trainArgs(csv('train.csv'), output).filter((a) => a !== '--json'),
      { MLFLOW_TRACKING_URI: '' },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'tracking is off (set MLFLOW_TRACKING_URI or --tracking-uri to log runs)',
    );
    expect(existsSync(path.join(output, 'MLmodel'))).toBe(true);
  });

  itBuilt(
    'fails fast on an unreachable server: one line, no stack trace, no training',
    async () => {
      const output = csv('model-unreachable');
      const started = Date.now();
      // Port 9 (discard) on loopback: nothing listens, the connection is refused.
      const result = await runNode(train!, [
        ...trainArgs(csv('train.csv'), output),
        '--tracking-uri',
        'http://127.0.0.1:9',
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^error \[MLFLOW_CONNECTION_ERROR\]: Cannot reach the MLflow tracking server at http:\/\/127\.0\.0\.1:9 .*Check that MLFLOW_TRACKING_URI is right/,
      );
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(existsSync(output)).toBe(false); // failed before the search
    },
  );
});

describeWithServices('train and register against a real MLflow server', missingMlflow(), () => {
  let server: MlflowServer;
  let client: MlflowClient;
  let firstRunId: string;
  const env = (): Record<string, string> => ({ MLFLOW_TRACKING_URI: server.url });

  beforeAll(async () => {
    server = await startMlflowServer();
    client = createMlflowClient({ trackingUri: server.url });
  }, 240_000);
  afterAll(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset if startup failed
    await server?.stop();
  });

  itBuilt('logs a parent run, nested candidates, datasets, the model and plots', async () => {
    const result = await runNode(train!, trainArgs(csv('train.csv'), csv('model-1')), env());
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { tracking } = lastJson(result.stdout) as Summary;
    expect(tracking).not.toBeNull();
    firstRunId = tracking!.runId;

    const parent = await client.getRun(firstRunId);
    expect(parent.info.status).toBe('FINISHED');
    expect(parent.data.tags).toMatchObject({
      'wine.role': 'search',
      'wine.learner.name': 'wine-cart',
      'mlflow.source.type': 'LOCAL',
      'mlflow.source.name': 'training-scripts/train',
    });
    expect(parent.data.tags['wine.data.sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(parent.data.tags['wine.learner.version']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(parent.data.tags['mlflow.source.git.commit']).toMatch(/^[0-9a-f]{40}$/);
    expect(parent.data.params).toMatchObject({ search: 'random', n_iter: String(CANDIDATES) });
    expect(parent.data.metrics.map((m) => m.key)).toEqual(
      expect.arrayContaining(['test_rmse', 'test_mae', 'test_r2', 'best_validation_rmse']),
    );
    const datasets = parent.inputs.datasetInputs.map((d) => d.dataset);
    expect(datasets.map((d) => d.name).sort()).toEqual([
      'wine-quality-test',
      'wine-quality-train',
      'wine-quality-validation',
    ]);
    for (const d of datasets) expect(d.digest).toHaveLength(36);

    const children = await client.searchAllRuns({
      experimentIds: [tracking!.experimentId],
      filter: `tags.mlflow.parentRunId = '${firstRunId}'`,
    });
    expect(children).toHaveLength(CANDIDATES);
    for (const child of children) {
      expect(child.info.status).toBe('FINISHED');
      expect(child.data.tags['wine.role']).toBe('candidate');
      expect(child.data.params).toHaveProperty('max_depth');
      expect(child.data.metrics.map((m) => m.key).sort()).toEqual([
        'fit_seconds',
        'mae',
        'r2',
        'rmse',
      ]);
    }

    const files = (await client.listArtifactsRecursive(parent.info.artifactUri)).map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'model/MLmodel',
        'model/model.json',
        'model/input_example.json',
        // the onnx and python_function flavours travel with the model (recursive upload)
        'model/model.onnx',
        'model/code/wine_quality_onnx.py',
        'model/requirements.txt',
        'model/reference_sample.csv.gz',
        'plots/predicted_vs_actual.svg',
        'plots/residuals.svg',
        'plots/feature_importance.svg',
      ]),
    );
    const svg = (
      await client.readArtifact(parent.info.artifactUri, 'plots/feature_importance.svg')
    ).toString('utf8');
    expect(svg.startsWith('<svg')).toBe(true);

    const model = await client.getLoggedModel(tracking!.modelId);
    expect(model.status).toBe('LOGGED_MODEL_READY');
    expect(model.sourceRunId).toBe(firstRunId);
    expect(parent.outputs.modelOutputs.map((o) => o.modelId)).toContain(model.modelId);
    // The model page: test_* linked to the holdout dataset the run logged as an input
    // ("Datasets used"), and "Created by" from mlflow.user on the run and the model.
    const testInput = datasets.find((d) => d.name === 'wine-quality-test');
    const linked = model.metrics.filter((m) => m.key.startsWith('test_'));
    expect(linked.map((m) => m.key).sort()).toEqual(['test_mae', 'test_r2', 'test_rmse']);
    for (const m of linked) {
      expect(m).toMatchObject({
        datasetName: 'wine-quality-test',
        datasetDigest: testInput?.digest,
      });
    }
    const user = parent.data.tags['mlflow.user'];
    expect(user).toEqual(expect.any(String));
    expect(parent.info.userId).toBe(user);
    expect(children[0]?.info.userId).toBe(user);
    expect(model.tags).toMatchObject({
      'mlflow.user': user,
      'mlflow.source.name': 'training-scripts/train',
    });
    const mlmodel = (await client.readArtifact(model.artifactUri, 'MLmodel')).toString('utf8');
    expect(mlmodel).toContain(`model_id: ${model.modelId}`);
    expect(mlmodel).toContain(`run_id: ${firstRunId}`);
  });

  itBuilt('registers the best run as version 1 and champion, once', async () => {
    const args = ['--experiment', EXPERIMENT, '--registered-model', MODEL];
    const holdout = ['--test', csv('test.csv'), '--json'];
    const first = await runNode(register!, [...args, ...holdout], env());
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(lastJson(first.stdout)).toMatchObject({
      version: '1',
      created: true,
      runId: firstRunId,
      alias: 'champion',
      decision: 'first',
    });
    const again = await runNode(register!, [...args, '--run-id', firstRunId, ...holdout], env());
    expect(again.code).toBe(0);
    expect(lastJson(again.stdout)).toMatchObject({ version: '1', created: false });
    const versions = await client.searchAllModelVersions({ filter: `name = '${MODEL}'` });
    expect(versions).toHaveLength(1);
    expect(versions[0]!.source).toMatch(/^models:\/m-/);
    expect((await client.getModelVersionByAlias(MODEL, 'champion'))?.version).toBe('1');
  });

  itBuilt(
    'makes a worse model challenger and keeps the champion, tagging both numbers',
    async () => {
      const result = await runNode(
        train!,
        trainArgs(csv('noise.csv'), csv('model-2'), [
          '--register',
          '--registered-model',
          MODEL,
          '--min-improvement',
          '0',
        ]),
        env(),
      );
      expect(result.code).toBe(0);
      const { registration } = lastJson(result.stdout) as Summary;
      expect(registration).toMatchObject({ version: '2', alias: 'challenger', decision: 'kept' });
      expect(registration!.champion?.version).toBe('1');
      expect(registration!.candidateRmse).toBeGreaterThan(registration!.champion!.rmse);

      expect((await client.getModelVersionByAlias(MODEL, 'champion'))?.version).toBe('1');
      expect((await client.getModelVersionByAlias(MODEL, 'challenger'))?.version).toBe('2');
      const v2 = await client.getModelVersion(MODEL, '2');
      expect(Number(v2.tags['holdout_rmse'])).toBeCloseTo(registration!.candidateRmse, 5);
      expect(Number(v2.tags['champion_holdout_rmse'])).toBeCloseTo(registration!.champion!.rmse, 5);
      expect(v2.tags).toMatchObject({ decision: 'kept', champion_version: '1' });
    },
  );

  describe('logCandidateRuns: 100 candidate runs, nothing lost, doubled or left RUNNING', () => {
    const candidates: Candidate[] = Array.from({ length: 100 }, (_, index) => ({
      index,
      params: {
        maxDepth: 1 + Math.floor(index / 5),
        minSamplesSplit: 2,
        minSamplesLeaf: [1, 2, 5, 10, 20][index % 5] ?? 1,
        minImpurityDecrease: 0,
        maxFeatures: null,
        seed: 42,
      },
      metrics: { rmse: 0.7 + index / 1000, mae: 0.5 + index / 1000, r2: 0.3 - index / 1000 },
      fitSeconds: 0.001 * (index + 1),
    }));
    const tags = { 'mlflow.source.name': 'it', 'wine.data.sha256': 'ab'.repeat(32) };
    const fast = { initialDelayMs: 5, maxDelayMs: 20, jitterMs: 0 };
    let experimentId: string;

    beforeAll(async () => {
      ({ experimentId } = await client.getOrCreateExperiment({ name: 'it-candidate-runs' }));
    });

    async function log(
      logClient: MlflowClient,
      parentRunId: string,
    ): Promise<{ runIds: readonly string[] }> {
      return logCandidateRuns(
        {
          client: logClient,
          experimentId,
          parentRunId,
          kind: 'tree',
          tags,
          startedAt: 1e12,
          concurrency: 8,
        },
        candidates,
      );
    }
    const children = (parentRunId: string) =>
      client.searchAllRuns({
        experimentIds: [experimentId],
        filter: `tags.mlflow.parentRunId = '${parentRunId}'`,
        runViewType: 'ALL',
      });
    const newParent = async () =>
      (await client.createRun({ experimentId, runName: 'parent' })).info.runId;

    it('reads back every run with all its params, metrics and tags, FINISHED', async () => {
      const parent = await newParent();
      const { runIds } = await log(client, parent);
      const runs = await children(parent);
      expect(runs).toHaveLength(100);
      expect(new Set(runs.map((r) => r.info.runId))).toEqual(new Set(runIds));
      const byName = new Map(runs.map((r) => [r.info.runName, r]));
      for (const c of candidates) {
        const run = byName.get(candidateRunName(c, 100));
        expect(run?.info.status).toBe('FINISHED');
        expect(run?.info.startTime).toBe(1e12);
        expect(run?.info.endTime).toBe(1e12 + Math.round(c.fitSeconds * 1000));
        expect(run?.data.params).toEqual(candidateParams(c.params, 'tree'));
        const metrics = Object.fromEntries(run!.data.metrics.map((m) => [m.key, m.value]));
        expect(metrics).toEqual({
          rmse: c.metrics.rmse,
          mae: c.metrics.mae,
          r2: c.metrics.r2,
          fit_seconds: c.fitSeconds,
        });
        expect(run?.data.tags).toMatchObject({
          ...tags,
          'wine.role': 'candidate',
          'mlflow.parentRunId': parent,
        });
      }
    }, 120_000);

    it('retries replies lost after the server acted without doubling a run or a metric', async () => {
      const parent = await newParent();
      const dropped: { path: string; body: string }[] = [];
      const dropOnce = new Set(['/runs/create', '/runs/log-batch', '/runs/update']);
      let calls = 0;
      const lossy: FetchLike = async (input, init) => {
        const response = await fetch(input, init);
        const endpoint = [...dropOnce].find((e) => input.endsWith(e));
        // The 20th request of each kind reaches the server, its reply is lost on the way back.
        if (endpoint !== undefined && ++calls > 20 && response.ok) {
          dropOnce.delete(endpoint);
          dropped.push({ path: endpoint, body: typeof init.body === 'string' ? init.body : '' });
          throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
        }
        return response;
      };
      const lossyClient = createMlflowClient({
        trackingUri: server.url,
        fetch: lossy,
        backoff: fast,
      });
      await log(lossyClient, parent);
      expect(dropped.map((d) => d.path).sort()).toEqual([
        '/runs/create',
        '/runs/log-batch',
        '/runs/update',
      ]);
      const runs = await children(parent);
      expect(runs).toHaveLength(100);
      expect(new Set(runs.map((r) => r.info.runName)).size).toBe(100);
      for (const run of runs) expect(run.info.status).toBe('FINISHED');
      const batch = dropped.find((d) => d.path === '/runs/log-batch')!;
      const batchRun = (JSON.parse(batch.body) as { run_id: string }).run_id;
      expect(await client.getMetricHistory(batchRun, 'rmse')).toHaveLength(1);
    }, 120_000);

    it('marks a run whose log-batch is refused FAILED, starts no more, leaves none RUNNING', async () => {
      const parent = await newParent();
      let batches = 0;
      const refusing: FetchLike = async (input, init) => {
        if (input.endsWith('/runs/log-batch') && ++batches === 10) {
          return new Response('{"error_code":"INVALID_PARAMETER_VALUE","message":"refused"}', {
            status: 400,
          });
        }
        return fetch(input, init);
      };
      const refusingClient = createMlflowClient({
        trackingUri: server.url,
        fetch: refusing,
        backoff: fast,
      });
      await expect(log(refusingClient, parent)).rejects.toThrow('refused');
      const runs = await children(parent);
      expect(runs.length).toBeLessThan(100);
      expect(runs.filter((r) => r.info.status === 'RUNNING')).toEqual([]);
      expect(runs.filter((r) => r.info.status === 'FAILED')).toHaveLength(1);
    }, 120_000);
  });
});
