import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import {
  EXAMPLE_WINE,
  encodeRecords,
  fitTree,
  LEARNER,
  readModelDir,
  writeModelDir,
  type EnsembleDocument,
  type WineRecord,
} from '@wine/model';

const base: WineRecord = { ...EXAMPLE_WINE };

const records: WineRecord[] = Array.from({ length: 40 }, (_, i) => ({
  ...base,
  alcohol: 8 + (i % 10) * 0.5,
  wine_type: i % 2 === 0 ? 'red' : 'white',
}));
const y = Float64Array.from(records, (r) => r.alcohol - 4);

const trained = fitTree(encodeRecords(records), y, { maxDepth: 3, seed: 1 });

function document(): EnsembleDocument {
  return trained.toDocument({
    training: { kind: 'tree', params: { maxDepth: 3 }, learner: { ...LEARNER }, nTrain: 40 },
  });
}

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'model-dir-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('model directory', () => {
  it('round-trips: the loaded model predicts exactly what was written', async () => {
    const doc = document();
    const dir = path.join(tmp, 'model');
    await writeModelDir(dir, doc, { inputExample: records.slice(0, 3) });
    const loaded = await readModelDir(dir);
    expect(loaded.inputExample).toEqual(records.slice(0, 3));
    expect(loaded.model.predictRecords(records)).toEqual(trained.predictRecords(records));
    expect(loaded.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await readdir(dir, { recursive: true })).sort()).toEqual([
      'MLmodel',
      'code',
      'code/wine_quality_onnx.py',
      'conda.yaml',
      'input_example.json',
      'model.json',
      'model.onnx',
      'python_env.yaml',
      'requirements.txt',
      'serving_input_example.json',
    ]);
  });

  it('writes an MLmodel with the MLflow signature and input-example info', async () => {
    const dir = path.join(tmp, 'model');
    await writeModelDir(dir, document(), { inputExample: records.slice(0, 1), runId: 'abc123' });
    const mlmodel = parse(await readFile(path.join(dir, 'MLmodel'), 'utf8')) as {
      run_id: string;
      signature: { inputs: string };
      saved_input_example_info: { artifact_path: string; pandas_orient: string };
      flavors: Record<string, { data: string }>;
    };
    expect(mlmodel.run_id).toBe('abc123');
    const inputs = JSON.parse(mlmodel.signature.inputs) as Array<{ name: string; type: string }>;
    expect(inputs).toHaveLength(12);
    expect(inputs[11]).toEqual({ name: 'wine_type', type: 'string', required: true });
    expect(mlmodel.saved_input_example_info).toMatchObject({
      artifact_path: 'input_example.json',
      pandas_orient: 'split',
    });
    expect(Object.values(mlmodel.flavors)[0]?.data).toBe('model.json');
  });

  it('replaces an existing directory whole and leaves no staging directory', async () => {
    const dir = path.join(tmp, 'model');
    await writeModelDir(dir, document(), { inputExample: records.slice(0, 1) });
    await writeFile(path.join(dir, 'stale.txt'), 'old');
    await writeModelDir(dir, document(), { inputExample: records.slice(0, 1) });
    expect(existsSync(path.join(dir, 'stale.txt'))).toBe(false);
    expect(await readdir(tmp)).toEqual(['model']);
  });

  it('writes nothing when the document cannot be serialised', async () => {
    const doc = document();
    doc.trees[0]!.value[0] = Number.NaN;
    const dir = path.join(tmp, 'model');
    await expect(
      writeModelDir(dir, doc, { inputExample: records.slice(0, 1) }),
    ).rejects.toMatchObject({
      code: 'MODEL_INVALID',
    });
    expect(await readdir(tmp)).toEqual([]);
  });

  it.each([
    ['model.json is not JSON', 'model.json', '{ not json', /not valid JSON/],
    [
      'the input example lacks a column',
      'input_example.json',
      '{"columns":["ph"],"data":[[3.2]]}',
      /lacks column/,
    ],
    ['the input example is not a frame', 'input_example.json', '[1,2]', /columns, data/],
  ])('rejects a directory where %s', async (_case, file, content, message) => {
    const dir = path.join(tmp, 'model');
    await writeModelDir(dir, document(), { inputExample: records.slice(0, 1) });
    await writeFile(path.join(dir, file), content);
    await expect(readModelDir(dir)).rejects.toMatchObject({
      code: 'MODEL_INVALID',
      message: expect.stringMatching(message),
    });
  });

  it('says when a directory is not a model directory', async () => {
    await expect(readModelDir(tmp)).rejects.toMatchObject({
      code: 'MODEL_INVALID',
      message: expect.stringContaining('is this a model directory?'),
    });
  });

  it('tells a local I/O failure (MODEL_READ_FAILED) from a broken directory (MODEL_INVALID)', async () => {
    const dir = path.join(tmp, 'model');
    await writeModelDir(dir, document(), { inputExample: records.slice(0, 1) });
    // A symlink pointing at itself: reading it fails with ELOOP, a real local fs failure.
    await rm(path.join(dir, 'model.json'));
    await symlink('model.json', path.join(dir, 'model.json'));
    await expect(readModelDir(dir)).rejects.toMatchObject({
      code: 'MODEL_READ_FAILED',
      message: expect.stringMatching(/ELOOP.*the model itself may be fine/),
    });
    await rm(path.join(dir, 'model.json'));
    await expect(readModelDir(dir)).rejects.toMatchObject({ code: 'MODEL_INVALID' });
    await mkdir(path.join(dir, 'model.json'));
    await expect(readModelDir(dir)).rejects.toMatchObject({ code: 'MODEL_INVALID' });
  });
});
