import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { GOOD, buildTestApp, tempDir, writeTinyModel } from './fixtures';
import type { TestApp } from './fixtures';

const TOKEN = 'swap-test-token';
let t: TestApp;
let dir: string;
let cleanup: () => Promise<void>;

const reload = () =>
  request(t.management).post('/model/reload').set('Authorization', `Bearer ${TOKEN}`);
const reloads = async (result: string): Promise<number> =>
  (await t.metrics.modelReloads.get()).values.find((v) => v.labels['result'] === result)?.value ??
  0;

beforeEach(async () => {
  const tmp = await tempDir();
  dir = tmp.dir;
  cleanup = tmp.cleanup;
  await writeTinyModel(dir, { seed: 1, maxDepth: 3 });
  t = await buildTestApp(dir, { adminToken: TOKEN });
});
afterEach(async () => {
  await cleanup();
});

describe('model swap', () => {
  it('swaps in a good candidate atomically and reports the new version', async () => {
    const before = await request(t.management).get('/model');
    await writeTinyModel(dir, { seed: 2, maxDepth: 6, shift: 1 });
    const res = await reload().expect(200);
    expect(res.body.result).toBe('swapped');
    const after = await request(t.management).get('/model');
    expect(after.body.version).not.toBe(before.body.version);
    const predicted = await request(t.app).post('/predict').send(GOOD).expect(200);
    expect(predicted.body.model.version).toBe(after.body.version);
    expect(await reloads('swapped')).toBe(2); // initial load + this swap
    const metrics = await request(t.management).get('/metrics');
    expect(metrics.text).toContain(`version="${after.body.version}"`);
    expect(metrics.text).not.toContain(
      `wine_model_info{name="wine-quality",version="${before.body.version}"`,
    );
  });

  it('reports unchanged when the source still holds the same artifact', async () => {
    const res = await reload().expect(200);
    expect(res.body.result).toBe('unchanged');
  });

  it.each([
    ['model.json is not JSON', async () => writeFile(path.join(dir, 'model.json'), '{ not json')],
    [
      'an unsupported format version',
      async () => {
        const doc = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
        await writeFile(
          path.join(dir, 'model.json'),
          JSON.stringify({ ...doc, formatVersion: 99 }),
        );
      },
    ],
    [
      'a feature schema that is not the contract',
      async () => {
        const doc = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
        doc.features[0].name = 'acidity';
        await writeFile(path.join(dir, 'model.json'), JSON.stringify(doc));
      },
    ],
    [
      'a missing input example',
      async () => writeFile(path.join(dir, 'input_example.json'), '{"columns":[],"data":[]}'),
    ],
  ])('rejects a bad candidate (%s) and keeps serving the old model', async (_name, corrupt) => {
    const good = await request(t.app).post('/predict').send(GOOD).expect(200);
    await corrupt();
    const res = await reload().expect(409);
    expect(res.body.error.code).toBe('MODEL_RELOAD_REJECTED');
    expect(res.body.error.details[0].message.length).toBeGreaterThan(0);
    const still = await request(t.app).post('/predict').send(GOOD).expect(200);
    expect(still.body).toMatchObject({ quality: good.body.quality, model: good.body.model });
    await request(t.app).get('/ready').expect(200);
    expect(await reloads('rejected')).toBe(1);
  });

  it('is not ready (503) and refuses predictions until a model loads', async () => {
    const empty = await tempDir();
    const cold = await buildTestApp(path.join(empty.dir, 'missing'));
    const ready = await request(cold.app).get('/ready').expect(503);
    expect(ready.body.error.code).toBe('MODEL_NOT_READY');
    const predict = await request(cold.app).post('/predict').send(GOOD).expect(503);
    expect(predict.body.error.code).toBe('MODEL_NOT_READY');
    await writeTinyModel(path.join(empty.dir, 'missing'));
    expect((await cold.store.reload()).result).toBe('swapped');
    await request(cold.app).get('/ready').expect(200);
    await empty.cleanup();
  });

  it('concurrent reloads share one attempt', async () => {
    await writeTinyModel(dir, { seed: 3, maxDepth: 5 });
    const [a, b] = await Promise.all([t.store.reload(), t.store.reload()]);
    expect(a).toBe(b);
    expect(await reloads('swapped')).toBe(2);
  });
});
