import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import {
  EXAMPLE_WINE,
  LEARNER,
  addOnnxFlavours,
  encodeRecords,
  fitForest,
  writeModelDir,
  type EnsembleDocument,
  type WineRecord,
} from '@wine/model';
import { decodeOnnx, evaluateOnnx } from '../../test/onnx-reference';

const records: WineRecord[] = Array.from({ length: 60 }, (_, i) => ({
  ...EXAMPLE_WINE,
  alcohol: 8 + (i % 12) * 0.25,
  sulphates: 0.4 + (i % 7) * 0.05,
  wine_type: i % 3 === 0 ? 'white' : 'red',
}));
const x = encodeRecords(records);
const y = Float64Array.from(records, (r) => r.alcohol / 2 + r.sulphates);
const forest = fitForest(x, y, { nEstimators: 5, seed: 2 });
const document = (): EnsembleDocument =>
  forest.toDocument({
    training: { kind: 'forest', params: {}, learner: { ...LEARNER }, nTrain: records.length },
  });

interface Mlmodel {
  flavors: Record<string, Record<string, unknown>>;
  model_size_bytes: number;
  run_id?: string;
  signature: unknown;
}

const readMlmodel = async (dir: string): Promise<Mlmodel> =>
  parse(await readFile(path.join(dir, 'MLmodel'), 'utf8')) as Mlmodel;

async function sizeWithoutMlmodel(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  let total = 0;
  for (const e of entries) {
    if (!e.isFile() || (e.parentPath === dir && e.name === 'MLmodel')) continue;
    total += (await stat(path.join(e.parentPath, e.name))).size;
  }
  return total;
}

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'onnx-flavours-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('onnx and python_function flavours', () => {
  it('every model directory carries them, next to our own flavour', async () => {
    const dir = path.join(tmp, 'model');
    await writeModelDir(dir, document(), { inputExample: records.slice(0, 2) });
    const mlmodel = await readMlmodel(dir);
    expect(Object.keys(mlmodel.flavors)).toEqual([
      'wine_quality_tree_ensemble',
      'onnx',
      'python_function',
    ]);
    expect(mlmodel.flavors['onnx']).toMatchObject({
      data: 'model.onnx',
      onnx_version: '1.23.2',
      operator: 'TreeEnsembleRegressor',
      providers: ['CPUExecutionProvider'],
    });
    expect(mlmodel.flavors['python_function']).toEqual({
      code: 'code',
      data: 'model.onnx',
      env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' },
      loader_module: 'wine_quality_onnx',
      python_version: '3.11',
    });
    expect(mlmodel.model_size_bytes).toBe(await sizeWithoutMlmodel(dir));
    // The loader shipped is this package's python/wine_quality_onnx.py, byte for byte.
    expect(await readFile(path.join(dir, 'code', 'wine_quality_onnx.py'), 'utf8')).toBe(
      await readFile(path.join(__dirname, '..', '..', 'python', 'wine_quality_onnx.py'), 'utf8'),
    );
    expect(await readFile(path.join(dir, 'requirements.txt'), 'utf8')).toBe(
      'mlflow==3.17.2\nonnx==1.23.2\nonnxruntime==1.31.1\n',
    );
    expect(parse(await readFile(path.join(dir, 'python_env.yaml'), 'utf8'))).toEqual({
      python: '3.11',
      build_dependencies: ['pip', 'setuptools', 'wheel'],
      dependencies: ['-r requirements.txt'],
    });
    const onnx = await readFile(path.join(dir, 'model.onnx'));
    expect(Array.from(evaluateOnnx(onnx, x))).toEqual(
      Array.from(forest.predict(x), (v) => Math.fround(v)),
    );
  });

  it('export-onnx brings an old directory up to date and keeps everything else', async () => {
    const dir = path.join(tmp, 'model');
    await writeModelDir(dir, document(), { inputExample: records.slice(0, 2), runId: 'run42' });
    // Make it look like a directory written before the export existed.
    const old = await readMlmodel(dir);
    old.flavors = { wine_quality_tree_ensemble: old.flavors['wine_quality_tree_ensemble']! };
    await writeFile(path.join(dir, 'MLmodel'), stringify(old));
    for (const f of ['model.onnx', 'code', 'conda.yaml', 'python_env.yaml', 'requirements.txt']) {
      await rm(path.join(dir, f), { recursive: true });
    }
    await writeFile(path.join(dir, 'reference_sample.json'), '{"kept": true}\n');
    const modelJson = await readFile(path.join(dir, 'model.json'));

    const added = await addOnnxFlavours(dir, { op: 'TreeEnsemble' });

    expect(added.files).toContain('model.onnx');
    const mlmodel = await readMlmodel(dir);
    expect(Object.keys(mlmodel.flavors)).toEqual([
      'wine_quality_tree_ensemble',
      'onnx',
      'python_function',
    ]);
    expect(mlmodel.flavors['onnx']?.['operator']).toBe('TreeEnsemble');
    expect(mlmodel.run_id).toBe('run42');
    expect(mlmodel.signature).toEqual(old.signature);
    expect(mlmodel.model_size_bytes).toBe(await sizeWithoutMlmodel(dir));
    expect(await readFile(path.join(dir, 'model.json'))).toEqual(modelJson);
    expect(await readFile(path.join(dir, 'reference_sample.json'), 'utf8')).toContain('kept');
    const onnx = await readFile(path.join(dir, 'model.onnx'));
    expect(decodeOnnx(onnx).treeOp).toBe('TreeEnsemble');
    expect((await readdir(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('export-onnx refuses a directory that is not a model directory, and writes nothing', async () => {
    await expect(addOnnxFlavours(tmp)).rejects.toMatchObject({
      code: 'MODEL_INVALID',
      message: expect.stringContaining('is this a model directory?'),
    });
    expect(await readdir(tmp)).toEqual([]);
  });
});
