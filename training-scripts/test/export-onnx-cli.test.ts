/**
 * `export-onnx` as a user runs it (the built CLI, real files): upgrades a model directory
 * written before the ONNX export, verifies float32 branching on a dataset, and fails with a
 * clear message where it cannot.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import {
  EXAMPLE_WINE,
  FEATURE_NAMES,
  LEARNER,
  MODEL_COLUMNS,
  TreeEnsemble,
  encodeRecords,
  fitTree,
  loadWineCsv,
  targetsOf,
  writeModelDir,
  type EnsembleDocument,
} from '@wine/model';
import { builtCli, runNode } from './cli-harness';
import { syntheticCsv } from './synthetic-wine';

const exportOnnx = builtCli('export-onnx');
// Runs the built CLI; builtCli() warns when dist is missing and throws under REQUIRE_REAL_SERVICES=1.
const itBuilt = exportOnnx === undefined ? it.skip : it;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'export-onnx-cli-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A model directory as train wrote it before the ONNX export existed. */
async function oldModelDir(name: string, document: EnsembleDocument): Promise<string> {
  const dir = path.join(tmp, name);
  await writeModelDir(dir, document, { inputExample: [{ ...EXAMPLE_WINE }] });
  const mlmodel = parse(await readFile(path.join(dir, 'MLmodel'), 'utf8')) as {
    flavors: Record<string, unknown>;
  };
  mlmodel.flavors = { wine_quality_tree_ensemble: mlmodel.flavors['wine_quality_tree_ensemble'] };
  await writeFile(path.join(dir, 'MLmodel'), stringify(mlmodel));
  for (const f of ['model.onnx', 'code', 'conda.yaml', 'python_env.yaml', 'requirements.txt']) {
    await rm(path.join(dir, f), { recursive: true });
  }
  return dir;
}

describe('export-onnx CLI', () => {
  itBuilt('adds model.onnx and the flavours, and verifies branching on the data', async () => {
    const csv = path.join(tmp, 'wines.csv');
    await writeFile(csv, syntheticCsv(300, 5));
    const { records } = await loadWineCsv(csv);
    const model = fitTree(encodeRecords(records), targetsOf(records), { seed: 1 });
    const dir = await oldModelDir(
      'old',
      model.toDocument({
        training: { kind: 'tree', params: {}, learner: { ...LEARNER }, nTrain: records.length },
      }),
    );

    const result = await runNode(exportOnnx!, [dir, '--verify', csv, '--json']);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [summary] = JSON.parse(result.stdout) as Array<{
      op: string;
      files: string[];
      verified: { rows: number; splits: number; mismatches: number };
    }>;
    expect(summary?.op).toBe('TreeEnsembleRegressor');
    expect(summary?.files).toContain('model.onnx');
    expect(summary?.verified.rows).toBe(300);
    expect(summary?.verified.splits).toBeGreaterThan(20);
    expect(summary?.verified.mismatches).toBe(0);
    const mlmodel = parse(await readFile(path.join(dir, 'MLmodel'), 'utf8')) as {
      flavors: Record<string, { loader_module?: string }>;
    };
    expect(mlmodel.flavors['python_function']?.loader_module).toBe('wine_quality_onnx');
  });

  itBuilt('names the values float32 cannot keep on their side of a threshold', async () => {
    // One split on density at 1.00000001: both 1 and 1.00000002 are the float32 1.
    const density = FEATURE_NAMES.indexOf('density');
    const leaf = -1;
    const tree = {
      feature: Int32Array.from([density, leaf, leaf]),
      threshold: Float64Array.from([1.00000001, 0, 0]),
      left: Int32Array.from([1, leaf, leaf]),
      right: Int32Array.from([2, leaf, leaf]),
      value: Float64Array.from([5.5, 5, 6]),
      samples: Float64Array.from([2, 1, 1]),
      impurity: Float64Array.from([0.25, 0, 0]),
    };
    const model = new TreeEnsemble('tree', MODEL_COLUMNS, [tree]);
    const dir = await oldModelDir(
      'close-values',
      model.toDocument({
        training: { kind: 'tree', params: {}, learner: { ...LEARNER }, nTrain: 2 },
      }),
    );
    const csv = path.join(tmp, 'close.csv');
    const header = [...FEATURE_NAMES, 'wine_type', 'quality'].join(',');
    const row = (d: number) =>
      [...FEATURE_NAMES.map((f) => (f === 'density' ? d : EXAMPLE_WINE[f])), 'red', 5].join(',');
    await writeFile(csv, [header, row(1), row(1.00000002)].join('\n') + '\n');

    const result = await runNode(exportOnnx!, [dir, '--verify', csv]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error [MODEL_ONNX_MISMATCH]');
    expect(result.stderr).toContain('value 1.00000002 vs threshold 1.00000001');
  });

  itBuilt('says when a directory is not a model directory', async () => {
    const result = await runNode(exportOnnx!, [tmp]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is this a model directory?');
    expect(result.stderr).not.toContain('    at ');
  });
});
