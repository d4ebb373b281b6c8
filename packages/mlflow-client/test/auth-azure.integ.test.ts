import { BlobServiceClient } from '@azure/storage-blob';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createMlflowClient,
  credentialsFromEnv,
  MlflowApiError,
  type FetchLike,
  type MlflowClient,
} from 'mlflow-ts-client';
import {
  describeWithServices,
  findAzuriteBlob,
  missingMlflow,
  missingPythonModules,
  startAzurite,
  startMlflowServer,
  type Azurite,
  type MlflowServer,
} from './real-services';

/**
 * The production topology: MLflow's basic-auth app in front, artifacts proxied to Azure Blob
 * (Azurite here, reached by the server through AZURE_STORAGE_CONNECTION_STRING; the client
 * never sees storage credentials). One server start covers both concerns.
 */

const ADMIN = { username: 'admin', password: 'it-admin-password-1' };
const CONTAINER = 'mlflow-artifacts';

async function rejection(promise: Promise<unknown>): Promise<MlflowApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MlflowApiError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

const missing = [
  ...missingMlflow(),
  ...missingPythonModules(['flask_wtf', 'azure.storage.blob', 'azure.identity']),
  ...(findAzuriteBlob() === undefined ? ['azurite-blob not found (AZURITE_BLOB_BIN)'] : []),
];

describeWithServices('mlflow-ts-client with basic auth and Azure Blob artifacts', missing, () => {
  let azurite: Azurite;
  let server: MlflowServer;
  let admin: MlflowClient;
  let work: string;

  beforeAll(async () => {
    azurite = await startAzurite();
    // MLflow's Azure repo expects the container to exist.
    await BlobServiceClient.fromConnectionString(azurite.connectionString)
      .getContainerClient(CONTAINER)
      .create();
    server = await startMlflowServer({
      basicAuth: { adminUsername: ADMIN.username, adminPassword: ADMIN.password },
      artifactsDestination: `wasbs://${CONTAINER}@devstoreaccount1.blob.core.windows.net/mlartifacts`,
      env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
    });
    console.info(`mlflow server (basic-auth, Azurite) up in ${server.startupMs} ms`);
    const credentials = credentialsFromEnv({
      MLFLOW_TRACKING_USERNAME: ADMIN.username,
      MLFLOW_TRACKING_PASSWORD: ADMIN.password,
    });
    admin = createMlflowClient({
      trackingUri: server.url,
      credentials: () => credentials,
      retries: 1,
    });
    work = await mkdtemp(join(tmpdir(), 'mlflow-auth-it-'));
  }, 240_000);

  afterAll(async () => {
    await (server as MlflowServer | undefined)?.stop();
    await (azurite as Azurite | undefined)?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  }, 30_000);

  describe('authentication', () => {
    it('rejects missing, wrong and bearer credentials with 401 UNAUTHENTICATED and no retry', async () => {
      const attempts: string[] = [];
      const counting: FetchLike = (url, init) => {
        attempts.push(url);
        return fetch(url, init);
      };
      for (const credentials of [
        undefined,
        { username: ADMIN.username, password: 'wrong' },
        { token: 'not-a-basic-auth-token' },
      ]) {
        const client = createMlflowClient({
          trackingUri: server.url,
          credentials: () => credentials,
          fetch: counting,
          retries: 3,
        });
        const error = await rejection(client.getExperimentByName('Default'));
        expect(error).toMatchObject({ status: 401, errorCode: 'UNAUTHENTICATED' });
        expect(error.message).toMatch(/MLFLOW_TRACKING_USERNAME/);
      }
      expect(attempts).toHaveLength(3);
    });

    it('accepts the admin and surfaces 403 PERMISSION_DENIED for a user without rights', async () => {
      const experimentId = await admin.createExperiment({ name: 'admin-only' });
      const created = await fetch(`${server.url}/api/2.0/mlflow/users/create`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}`,
        },
        body: JSON.stringify({ username: 'reader', password: 'reader-password-1' }),
      });
      expect(created.status).toBe(200);
      const reader = createMlflowClient({
        trackingUri: server.url,
        credentials: () => ({ username: 'reader', password: 'reader-password-1' }),
      });
      // default_permission READ: reading works, writing someone else's experiment does not.
      expect((await reader.getExperiment(experimentId)).name).toBe('admin-only');
      const error = await rejection(reader.createRun({ experimentId }));
      expect(error).toMatchObject({ status: 403, errorCode: 'PERMISSION_DENIED' });
    });

    it('reads credentials per request, so a rotated password takes effect at once', async () => {
      let password = 'stale';
      const client = createMlflowClient({
        trackingUri: server.url,
        credentials: () => ({ username: ADMIN.username, password }),
      });
      expect((await rejection(client.getExperimentByName('Default'))).status).toBe(401);
      password = ADMIN.password;
      expect((await client.getExperimentByName('Default'))?.experimentId).toBe('0');
    });
  });

  describe('artifacts in Azure Blob (Azurite)', () => {
    it('logs, registers, resolves and downloads a model whose files live in the blob container', async () => {
      const experimentId = (await admin.getOrCreateExperiment({ name: 'azure' })).experimentId;
      const run = await admin.createRun({ experimentId, runName: 'train' });
      await admin.logBatch(run.info.runId, {
        metrics: [{ key: 'rmse', value: 0.7 }],
        params: { a: 1 },
      });
      const plots = join(work, 'plots');
      await mkdir(plots, { recursive: true });
      await writeFile(join(plots, 'residuals.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
      await admin.uploadDirectory(run.info.artifactUri, plots, { artifactPath: 'plots' });

      const model = await admin.logModel({
        runId: run.info.runId,
        name: 'model',
        writeArtifacts: async (m) => {
          const dir = join(work, 'model');
          await mkdir(dir, { recursive: true });
          await writeFile(
            join(dir, 'MLmodel'),
            `artifact_path: ${m.artifactUri}\nmodel_id: ${m.modelId}\n`,
          );
          await writeFile(join(dir, 'model.json'), '{"trees":[]}');
          return dir;
        },
      });
      const version = await admin.registerModel(`models:/${model.modelId}`, 'wine-quality');
      await admin.setAlias('wine-quality', 'champion', version.version);
      await admin.finishRun(run.info.runId);

      const { model: resolved, files } = await admin.downloadModel(
        'models:/wine-quality@champion',
        join(work, 'served'),
      );
      expect(resolved).toMatchObject({ version: '1', alias: 'champion', modelId: model.modelId });
      expect(files).toHaveLength(2);
      expect(await readFile(join(work, 'served', 'model.json'), 'utf8')).toBe('{"trees":[]}');
      expect((await admin.listArtifacts(run.info.artifactUri, 'plots')).map((f) => f.path)).toEqual(
        ['plots/residuals.svg'],
      );

      // The bytes really are in the emulated storage account, under --artifacts-destination.
      const blobs: string[] = [];
      const container = BlobServiceClient.fromConnectionString(
        azurite.connectionString,
      ).getContainerClient(CONTAINER);
      for await (const blob of container.listBlobsFlat()) blobs.push(blob.name);
      expect(blobs).toEqual(
        expect.arrayContaining([
          `mlartifacts/${experimentId}/${run.info.runId}/artifacts/plots/residuals.svg`,
          `mlartifacts/${experimentId}/models/${model.modelId}/artifacts/MLmodel`,
          `mlartifacts/${experimentId}/models/${model.modelId}/artifacts/model.json`,
        ]),
      );
    });
  });
});
