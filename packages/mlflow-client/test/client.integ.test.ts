import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createMlflowClient,
  MlflowApiError,
  type LoggedModel,
  type MlflowClient,
} from 'mlflow-ts-client';
import {
  describeWithServices,
  missingMlflow,
  startMlflowServer,
  type MlflowServer,
} from './real-services';

/** Every client method against a real `mlflow server` (PostgreSQL backend, local artifacts). */

async function codeOf(
  promise: Promise<unknown>,
): Promise<{ code?: string; errorCode?: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; errorCode?: string; status?: number };
  }
  throw new Error('expected a rejection');
}

/** An MLmodel like Python's 3.x `Model.log` writes (artifact_path = the model's artifact URI). */
function mlmodelYaml(model: LoggedModel, runId: string): string {
  return [
    `artifact_path: ${model.artifactUri}`,
    'flavors:',
    '  wine_tree_ensemble:',
    '    model_file: model.json',
    `model_id: ${model.modelId}`,
    `model_uuid: ${model.modelId}`,
    `run_id: ${runId}`,
    'mlflow_version: 3.17.2',
    '',
  ].join('\n');
}

describeWithServices('mlflow-ts-client against a real MLflow server', missingMlflow(), () => {
  let server: MlflowServer;
  let mlflow: MlflowClient;
  let work: string;

  beforeAll(async () => {
    server = await startMlflowServer();
    console.info(`mlflow server up in ${server.startupMs} ms at ${server.url}`);
    mlflow = createMlflowClient({ trackingUri: server.url, retries: 1, timeoutMs: 30_000 });
    work = await mkdtemp(join(tmpdir(), 'mlflow-client-it-'));
  }, 240_000);

  afterAll(async () => {
    await (server as MlflowServer | undefined)?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  }, 30_000);

  describe('experiments', () => {
    it('returns null for a missing experiment and a typed error for a duplicate', async () => {
      expect(await mlflow.getExperimentByName('does-not-exist')).toBeNull();
      const id = await mlflow.createExperiment({ name: 'exp-dup', tags: { team: 'wine' } });
      const experiment = await mlflow.getExperiment(id);
      expect(experiment).toMatchObject({
        name: 'exp-dup',
        tags: { team: 'wine' },
        artifactLocation: `mlflow-artifacts:/${id}`,
        lifecycleStage: 'active',
      });
      const dup = await codeOf(mlflow.createExperiment({ name: 'exp-dup' }));
      expect(dup).toBeInstanceOf(MlflowApiError);
      expect(dup).toMatchObject({ errorCode: 'RESOURCE_ALREADY_EXISTS', status: 400 });
      expect(await codeOf(mlflow.getExperiment('999999'))).toMatchObject({
        errorCode: 'RESOURCE_DOES_NOT_EXIST',
        status: 404,
      });
    });

    it('getOrCreateExperiment is race-safe', async () => {
      const results = await Promise.all(
        Array.from({ length: 5 }, () => mlflow.getOrCreateExperiment({ name: 'exp-race' })),
      );
      expect(new Set(results.map((e) => e.experimentId)).size).toBe(1);
    });
  });

  describe('runs', () => {
    let experimentId: string;
    let parentId: string;

    beforeAll(async () => {
      experimentId = (await mlflow.getOrCreateExperiment({ name: 'runs' })).experimentId;
    });

    it('creates, tags, nests, finishes and reads runs', async () => {
      const parent = await mlflow.createRun({
        experimentId,
        runName: 'search',
        tags: { 'mlflow.source.git.commit': 'abc123' },
      });
      parentId = parent.info.runId;
      expect(parent.info).toMatchObject({ status: 'RUNNING', runName: 'search', experimentId });
      expect(parent.info.startTime).toBeGreaterThan(1_600_000_000_000);
      expect(parent.info.artifactUri).toBe(
        `mlflow-artifacts:/${experimentId}/${parentId}/artifacts`,
      );
      await mlflow.setTag(parentId, 'mlflow.note.content', 'search run');
      const children = [];
      for (let i = 0; i < 5; i++) {
        children.push(
          await mlflow.createRun({ experimentId, runName: `c${i}`, parentRunId: parentId }),
        );
      }
      expect(children[0]?.data.tags['mlflow.parentRunId']).toBe(parentId);
      const info = await mlflow.finishRun(parentId, 'FINISHED');
      expect(info.status).toBe('FINISHED');
      expect(info.endTime).toBeGreaterThanOrEqual(info.startTime ?? 0);
      const run = await mlflow.getRun(parentId);
      expect(run.data.tags).toMatchObject({
        'mlflow.note.content': 'search run',
        'mlflow.runName': 'search',
        'mlflow.source.git.commit': 'abc123',
      });
      // "Created by": user_id comes from the mlflow.user tag (the server does not derive it).
      const byTag = await mlflow.createRun({ experimentId, tags: { 'mlflow.user': 'alice' } });
      expect(byTag.info.userId).toBe('alice');
      expect((await mlflow.getRun(byTag.info.runId)).data.tags['mlflow.user']).toBe('alice');
      expect((await mlflow.createRun({ experimentId, userId: 'bob' })).info.userId).toBe('bob');
      const renamed = await mlflow.updateRun(children[0]!.info.runId, {
        runName: 'renamed',
        status: 'KILLED',
      });
      expect(renamed).toMatchObject({ runName: 'renamed', status: 'KILLED' });
    });

    it('reports a missing run as RESOURCE_DOES_NOT_EXIST', async () => {
      expect(await codeOf(mlflow.getRun('0123456789abcdef0123456789abcdef'))).toMatchObject({
        errorCode: 'RESOURCE_DOES_NOT_EXIST',
        status: 404,
      });
    });

    it('logBatch splits beyond the server limits and truncates long values', async () => {
      const run = await mlflow.createRun({ experimentId, runName: 'big-batch' });
      const runId = run.info.runId;
      const params = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`p${i}`, i]));
      const tags = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`t${i}`, `v${i}`]));
      const metrics = Array.from({ length: 2100 }, (_, i) => ({
        key: 'loss',
        value: 1 / (i + 1),
        step: i,
      }));
      const requests = await mlflow.logBatch(runId, {
        params: { ...params, long: 'x'.repeat(7000) },
        tags: { ...tags, longtag: 'y'.repeat(9000) },
        metrics,
      });
      expect(requests).toBeGreaterThanOrEqual(3);
      const stored = await mlflow.getRun(runId);
      expect(Object.keys(stored.data.params)).toHaveLength(151);
      expect(stored.data.params['long']).toHaveLength(6000);
      expect(stored.data.tags['longtag']).toHaveLength(8000);
      expect(stored.data.tags['t119']).toBe('v119');
      const history = await mlflow.getMetricHistory(runId, 'loss');
      expect(history).toHaveLength(2100);
      // Re-logging a param with another value is refused by the server (params are write-once).
      expect(await codeOf(mlflow.logParams(runId, { p0: 'changed' }))).toMatchObject({
        errorCode: 'INVALID_PARAMETER_VALUE',
        status: 400,
      });
    });

    it('round-trips non-finite metric values', async () => {
      const run = await mlflow.createRun({ experimentId, runName: 'non-finite' });
      await mlflow.logMetrics(run.info.runId, [
        { key: 'm', value: Number.NaN, step: 0 },
        { key: 'm', value: Infinity, step: 1 },
        { key: 'm', value: -Infinity, step: 2 },
        { key: 'm', value: 0.5, step: 3 },
      ]);
      const values = (await mlflow.getMetricHistory(run.info.runId, 'm'))
        .sort((a, b) => a.step - b.step)
        .map((m) => m.value);
      expect(values[0]).toBeNaN();
      // The SQL store clamps ±Infinity to ±max double.
      expect(values.slice(1)).toEqual([Number.MAX_VALUE, -Number.MAX_VALUE, 0.5]);
    });

    it('searches with pagination, filters and order', async () => {
      const filter = `tags.mlflow.parentRunId = '${parentId}'`;
      const page = await mlflow.searchRuns({
        experimentIds: [experimentId],
        filter,
        maxResults: 2,
      });
      expect(page.runs).toHaveLength(2);
      expect(page.nextPageToken).toBeDefined();
      const all = await mlflow.searchAllRuns({
        experimentIds: [experimentId],
        filter,
        maxResults: 2,
        orderBy: ['attributes.run_name ASC'],
      });
      expect(all.map((r) => r.info.runName)).toEqual(['c1', 'c2', 'c3', 'c4', 'renamed']);
      const seen = [];
      for await (const run of mlflow.iterateRuns({
        experimentIds: [experimentId],
        filter,
        maxResults: 3,
      })) {
        seen.push(run.info.runId);
      }
      expect(new Set(seen).size).toBe(5);
      expect(
        await codeOf(mlflow.searchRuns({ experimentIds: [experimentId], filter: 'bogus ===' })),
      ).toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE', status: 400 });
    });

    it('logs dataset inputs', async () => {
      const run = await mlflow.createRun({ experimentId, runName: 'with-data' });
      await mlflow.logInputs(run.info.runId, [
        {
          name: 'winequality',
          digest: 'a1b2c3d4',
          sourceType: 'local',
          source: JSON.stringify({ uri: '/data/winequality-red.csv' }),
          schema: JSON.stringify({ mlflow_colspec: [{ name: 'alcohol', type: 'double' }] }),
          profile: JSON.stringify({ num_rows: 1599 }),
          context: 'training',
        },
      ]);
      const stored = await mlflow.getRun(run.info.runId);
      expect(stored.inputs.datasetInputs).toEqual([
        {
          tags: { 'mlflow.data.context': 'training' },
          dataset: expect.objectContaining({
            name: 'winequality',
            digest: 'a1b2c3d4',
            sourceType: 'local',
          }),
        },
      ]);
      const found = await mlflow.searchAllRuns({
        experimentIds: [experimentId],
        filter: "datasets.name = 'winequality'",
      });
      expect(found.map((r) => r.info.runId)).toEqual([run.info.runId]);
    });
  });

  describe('artifacts through the proxy', () => {
    let artifactUri: string;
    let source: string;

    beforeAll(async () => {
      const experimentId = (await mlflow.getOrCreateExperiment({ name: 'artifacts' })).experimentId;
      artifactUri = (await mlflow.createRun({ experimentId })).info.artifactUri;
      source = join(work, 'upload');
      await mkdir(join(source, 'plots', 'deep'), { recursive: true });
      await writeFile(join(source, 'model.json'), JSON.stringify({ trees: [1, 2, 3] }));
      await writeFile(join(source, 'plots', 'residuals plot.svg'), '<svg/>');
      await writeFile(join(source, 'plots', 'deep', 'ünïcode.txt'), 'héllo');
      await writeFile(join(source, 'empty.txt'), '');
      await writeFile(join(source, 'binary.bin'), Buffer.from([0, 255, 1, 254, 10, 13]));
      for (let i = 0; i < 8; i++) await writeFile(join(source, 'plots', `p${i}.txt`), `plot ${i}`);
    });

    it('uploads a directory recursively, lists it and downloads it back byte for byte', async () => {
      const uploaded = await mlflow.uploadDirectory(artifactUri, source, {
        artifactPath: 'bundle',
        concurrency: 3,
      });
      expect(uploaded).toHaveLength(13);
      const top = await mlflow.listArtifacts(artifactUri, 'bundle');
      expect(top.map((f) => [f.path, f.isDir])).toEqual(
        expect.arrayContaining([
          ['bundle/model.json', false],
          ['bundle/plots', true],
          ['bundle/empty.txt', false],
        ]),
      );
      expect(top.find((f) => f.path === 'bundle/model.json')?.fileSize).toBe(
        (await readFile(join(source, 'model.json'))).length,
      );
      const all = await mlflow.listArtifactsRecursive(artifactUri);
      expect(all.map((f) => f.path).sort()).toEqual(uploaded.sort());
      const target = join(work, 'download');
      const files = await mlflow.downloadArtifacts(artifactUri, target, { path: 'bundle' });
      expect(files).toHaveLength(13);
      for (const rel of [
        'model.json',
        'plots/residuals plot.svg',
        'plots/deep/ünïcode.txt',
        'empty.txt',
        'binary.bin',
      ]) {
        expect(await readFile(join(target, rel))).toEqual(await readFile(join(source, rel)));
      }
      // The caps count what the real server lists: 13 files and 2 directories (15 entries).
      const capped = (limits: Parameters<typeof mlflow.downloadArtifacts>[2]) =>
        codeOf(mlflow.downloadArtifacts(artifactUri, join(work, 'capped'), limits));
      expect(await capped({ path: 'bundle', limits: { maxFiles: 14 } })).toMatchObject({
        code: 'MLFLOW_ARTIFACT_TOO_LARGE',
      });
      expect(await capped({ path: 'bundle', limits: { maxDepth: 1 } })).toMatchObject({
        code: 'MLFLOW_ARTIFACT_TOO_LARGE',
      });
      expect(await capped({ path: 'bundle', limits: { maxBytes: 50 } })).toMatchObject({
        code: 'MLFLOW_ARTIFACT_TOO_LARGE',
      });
      const exact = await mlflow.downloadArtifacts(artifactUri, join(work, 'exact'), {
        path: 'bundle',
        limits: { maxFiles: 15, maxDepth: 2, maxBytes: 10_000 },
      });
      expect(exact).toHaveLength(13);
    });

    it('uploads single files and bytes, downloads a single file, and reports missing ones', async () => {
      await mlflow.uploadFile(artifactUri, join(source, 'model.json'), 'single/copy.json');
      await mlflow.uploadBytes(artifactUri, 'single/note.txt', 'a note');
      expect((await mlflow.readArtifact(artifactUri, 'single/note.txt')).toString()).toBe('a note');
      const [file] = await mlflow.downloadArtifacts(artifactUri, join(work, 'one'), {
        path: 'single/copy.json',
      });
      expect(file).toBe(join(work, 'one', 'copy.json'));
      expect(await mlflow.listArtifacts(artifactUri, 'nothing-here')).toEqual([]);
      expect(
        await codeOf(
          mlflow.downloadArtifacts(artifactUri, join(work, 'none'), { path: 'nope.txt' }),
        ),
      ).toMatchObject({
        errorCode: 'RESOURCE_DOES_NOT_EXIST',
        status: 404,
      });
      expect(await codeOf(mlflow.uploadFile(artifactUri, join(work, 'missing.bin')))).toMatchObject(
        {
          code: 'MLFLOW_LOCAL_IO_ERROR',
        },
      );
      expect(await codeOf(mlflow.listArtifacts('s3://bucket/0/abc/artifacts'))).toMatchObject({
        code: 'MLFLOW_UNSUPPORTED_ARTIFACT_URI',
      });
    });
  });

  describe('logged models, registry and URI resolution', () => {
    let experimentId: string;
    let runId: string;
    let model: LoggedModel;
    const name = 'wine-quality';

    beforeAll(async () => {
      experimentId = (await mlflow.getOrCreateExperiment({ name: 'models' })).experimentId;
      runId = (
        await mlflow.createRun({
          experimentId,
          runName: 'train',
          tags: { 'mlflow.user': 'alice', 'mlflow.source.name': 'train.ts' },
        })
      ).info.runId;
      await mlflow.logBatch(runId, {
        params: { max_depth: 6, n_trees: 50 },
        metrics: [
          { key: 'rmse', value: 0.71, step: 0 },
          { key: 'rmse', value: 0.69, step: 1 },
        ],
      });
    });

    it('logs a model the MLflow 3 way (LoggedModel linked to the run, READY, files uploaded)', async () => {
      model = await mlflow.logModel({
        runId,
        name: 'model',
        modelType: 'tree-ensemble',
        tags: { 'mlflow.source.type': 'LOCAL' },
        metrics: [
          { key: 'test_rmse', value: 0.7, datasetName: 'wine-test', datasetDigest: 'd1g3st' },
        ],
        writeArtifacts: async (m) => {
          const dir = join(work, 'model-dir');
          await mkdir(dir, { recursive: true });
          await writeFile(join(dir, 'MLmodel'), mlmodelYaml(m, runId));
          await writeFile(join(dir, 'model.json'), '{"format":"wine-tree-ensemble"}');
          return dir;
        },
      });
      expect(model).toMatchObject({
        status: 'LOGGED_MODEL_READY',
        name: 'model',
        sourceRunId: runId,
        experimentId,
        modelType: 'tree-ensemble',
        params: { max_depth: '6', n_trees: '50' },
        artifactUri: `mlflow-artifacts:/${experimentId}/models/${model.modelId}/artifacts`,
      });
      expect(model.modelId).toMatch(/^m-[0-9a-f]{32}$/);
      const run = await mlflow.getRun(runId);
      expect(run.outputs.modelOutputs).toEqual([{ modelId: model.modelId, step: 0 }]);
      // The step-0 run metrics are copied onto the model (a separate table on the server);
      // the model's own metrics keep their dataset link (the UI's "Datasets used").
      expect(
        model.metrics.map((m) => [m.key, m.value, m.step, m.modelId, m.datasetName ?? null]),
      ).toEqual([
        ['rmse', 0.71, 0, model.modelId, null],
        ['test_rmse', 0.7, 0, model.modelId, 'wine-test'],
      ]);
      expect(model.metrics[1]?.datasetDigest).toBe('d1g3st');
      expect(run.data.metrics.map((m) => m.key).sort()).toEqual(['rmse', 'test_rmse']);
      // Like Python's fluent API: the run's context tags ("Created by") go onto the model.
      expect(model.tags).toMatchObject({
        'mlflow.user': 'alice',
        'mlflow.source.name': 'train.ts',
        'mlflow.source.type': 'LOCAL',
      });
      expect((await mlflow.listArtifacts(model.artifactUri)).map((f) => f.path).sort()).toEqual([
        'MLmodel',
        'model.json',
      ]);
      expect(await mlflow.getLoggedModel(model.modelId)).toMatchObject({ modelId: model.modelId });
      const found = await mlflow.searchAllLoggedModels({
        experimentIds: [experimentId],
        filter: "name = 'model'",
      });
      expect(found.map((m) => m.modelId)).toEqual([model.modelId]);
    });

    it('marks a LoggedModel UPLOAD_FAILED when writing its files fails', async () => {
      const failing = mlflow.logModel({
        runId,
        name: 'broken',
        writeArtifacts: () => Promise.reject(new Error('disk full')),
      });
      await expect(failing).rejects.toThrow('disk full');
      const [broken] = await mlflow.searchAllLoggedModels({
        experimentIds: [experimentId],
        filter: "name = 'broken'",
      });
      expect(broken?.status).toBe('LOGGED_MODEL_UPLOAD_FAILED');
    });

    it('creates LoggedModels with more params than one request takes, and tags them', async () => {
      const params = Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`k${i}`, i]));
      const created = await mlflow.createLoggedModel({ experimentId, name: 'many-params', params });
      expect(Object.keys(created.params)).toHaveLength(130);
      await mlflow.setLoggedModelTags(created.modelId, { stage: 'test' });
      const ready = await mlflow.finalizeLoggedModel(created.modelId, 'LOGGED_MODEL_READY');
      expect(ready).toMatchObject({ status: 'LOGGED_MODEL_READY', tags: { stage: 'test' } });
      expect(
        await codeOf(mlflow.getLoggedModel('m-00000000000000000000000000000000')),
      ).toMatchObject({
        errorCode: 'RESOURCE_DOES_NOT_EXIST',
      });
    });

    it('manages registered models, versions, tags and aliases', async () => {
      const created = await mlflow.createRegisteredModel({
        name,
        description: 'wine',
        tags: { owner: 'ml' },
      });
      expect(created).toMatchObject({ name, description: 'wine', tags: { owner: 'ml' } });
      expect(await codeOf(mlflow.createRegisteredModel({ name }))).toMatchObject({
        errorCode: 'RESOURCE_ALREADY_EXISTS',
        status: 400,
      });
      expect((await mlflow.getOrCreateRegisteredModel({ name })).name).toBe(name);
      expect(await codeOf(mlflow.getRegisteredModel('nope'))).toMatchObject({ status: 404 });

      const v1 = await mlflow.registerModel(`runs:/${runId}/model`, name, {
        tags: { rmse: '0.71' },
      });
      expect(v1).toMatchObject({
        version: '1',
        status: 'READY',
        source: `models:/${model.modelId}`,
        modelId: model.modelId,
        runId,
        tags: { rmse: '0.71' },
      });
      const v2 = await mlflow.createModelVersion({
        name,
        source: `models:/${model.modelId}`,
        modelId: model.modelId,
      });
      expect((await mlflow.waitUntilReady(name, v2.version)).status).toBe('READY');
      await mlflow.setModelVersionTag(name, '2', 'validated', 'true');
      expect((await mlflow.getModelVersion(name, '2')).tags).toEqual({ validated: 'true' });
      expect(await codeOf(mlflow.getModelVersion(name, '99'))).toMatchObject({
        errorCode: 'RESOURCE_DOES_NOT_EXIST',
        status: 404,
      });

      const page = await mlflow.searchModelVersions({ filter: `name = '${name}'`, maxResults: 1 });
      expect(page.modelVersions).toHaveLength(1);
      expect(page.nextPageToken).toBeDefined();
      const versions = await mlflow.searchAllModelVersions({
        filter: `name = '${name}'`,
        maxResults: 1,
      });
      expect(versions.map((v) => v.version).sort()).toEqual(['1', '2']);
      expect((await mlflow.searchAllModelVersions({ filter: `run_id = '${runId}'` })).length).toBe(
        2,
      );

      await mlflow.setAlias(name, 'champion', '1');
      await mlflow.setAlias(name, 'challenger', '2');
      expect((await mlflow.getModelVersionByAlias(name, 'champion'))?.version).toBe('1');
      expect((await mlflow.getRegisteredModel(name)).aliases).toEqual({
        champion: '1',
        challenger: '2',
      });
      await mlflow.setAlias(name, 'champion', '2');
      expect((await mlflow.getModelVersionByAlias(name, 'champion'))?.aliases.sort()).toEqual([
        'challenger',
        'champion',
      ]);
      await mlflow.deleteAlias(name, 'challenger');
      expect(await mlflow.getModelVersionByAlias(name, 'challenger')).toBeNull();
      await mlflow.deleteAlias(name, 'challenger');
      expect(await codeOf(mlflow.getModelVersionByAlias('nope', 'champion'))).toMatchObject({
        status: 404,
      });
      expect(await mlflow.getModelVersionDownloadUri(name, '1')).toBe(model.artifactUri);
    });

    it('registers a 2.x-layout model from run artifacts by its artifact location', async () => {
      const run = await mlflow.getRun(runId);
      await mlflow.uploadBytes(run.info.artifactUri, 'legacy/MLmodel', 'flavors: {}\n');
      await mlflow.uploadBytes(run.info.artifactUri, 'legacy/model.json', '{}');
      const version = await mlflow.registerModel(`runs:/${runId}/legacy`, 'legacy-model');
      expect(version).toMatchObject({ source: `${run.info.artifactUri}/legacy`, runId });
      expect(version.modelId).toBeUndefined();
      expect(
        await codeOf(mlflow.registerModel(`runs:/${runId}/no-such-model`, 'legacy-model')),
      ).toMatchObject({
        code: 'MLFLOW_MODEL_NOT_FOUND',
      });
    });

    it('resolves every model URI form and downloads the model', async () => {
      const byAlias = await mlflow.resolveModelUri(`models:/${name}@champion`);
      expect(byAlias).toMatchObject({
        artifactUri: model.artifactUri,
        name,
        version: '2',
        alias: 'champion',
        runId,
        modelId: model.modelId,
        source: `models:/${model.modelId}`,
      });
      expect(await mlflow.resolveModelUri(`models:/${name}/1`)).toMatchObject({
        version: '1',
        artifactUri: model.artifactUri,
      });
      expect(await mlflow.resolveModelUri(`models:/${name}/latest`)).toMatchObject({
        version: '2',
      });
      expect(await mlflow.resolveModelUri(`models:/${model.modelId}`)).toMatchObject({
        artifactUri: model.artifactUri,
        runId,
        modelId: model.modelId,
      });
      expect(await mlflow.resolveModelUri(`runs:/${runId}/model`)).toMatchObject({
        artifactUri: model.artifactUri,
        modelId: model.modelId,
      });
      const legacy = await mlflow.resolveModelUri(`runs:/${runId}/legacy`);
      expect(legacy.artifactUri).toMatch(/\/artifacts\/legacy$/);
      const legacyVersion = await mlflow.resolveModelUri('models:/legacy-model/1');
      expect(legacyVersion.artifactUri).toBe(legacy.artifactUri);

      const { files } = await mlflow.downloadModel(
        `models:/${name}@champion`,
        join(work, 'served'),
      );
      expect(files.map((f) => f.slice(join(work, 'served').length + 1)).sort()).toEqual([
        'MLmodel',
        'model.json',
      ]);
      const mlmodel = await readFile(join(work, 'served', 'MLmodel'), 'utf8');
      expect(mlmodel).toContain(`model_id: ${model.modelId}`);

      expect(await codeOf(mlflow.resolveModelUri(`models:/${name}@missing`))).toMatchObject({
        code: 'MLFLOW_MODEL_NOT_FOUND',
      });
      expect(await codeOf(mlflow.resolveModelUri(`models:/${name}/Production`))).toMatchObject({
        code: 'MLFLOW_INVALID_URI',
      });
      expect(await codeOf(mlflow.resolveModelUri('models:/no-such-model/1'))).toMatchObject({
        status: 404,
      });
    });
  });
});
