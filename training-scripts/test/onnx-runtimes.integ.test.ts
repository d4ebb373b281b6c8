/**
 * The model directories we write, loaded by real Python runtimes (the venv next to MLFLOW_BIN,
 * with onnx + onnxruntime from .ci/services/onnx.sh): onnx.checker with full_check,
 * onnxruntime fed the documented float32 encoding by hand, mlflow.onnx.load_model, and
 * mlflow.pyfunc.load_model through the python_function flavour (our loader in code/).
 *
 * Models: the best tree of the train CLI's default search, and a 100-tree forest with
 * scikit-learn's defaults (full depth, ~245k nodes, a 7 MB model.onnx — the hardest case for
 * float32 thresholds), written by the shared writer; the forest also through `export-onnx --op
 * TreeEnsemble --verify`. Every row of the UCI data must score as our scorer does, to 1e-6.
 * Cost: ~3 s of training and export, ~10 s of Python (imports, 3 sessions, 6497 rows each).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  EXAMPLE_COLUMNS,
  LEARNER,
  encodeRecords,
  fitForest,
  float32BranchMismatches,
  loadWineDataDir,
  readModelDir,
  recordsToSplitFrame,
  splitFrameJson,
  targetsOf,
  writeModelDir,
  type LabeledWineRecord,
  type ModelDirectory,
  type WineRecord,
} from '@wine/model';
import {
  describeWithServices,
  findMlflowBin,
  missingMlflow,
  missingPythonModules,
} from '../../packages/mlflow-client/test/real-services';
import { DIST, runNode } from './cli-harness';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
const DATA_DIR = process.env['WINE_DATA_DIR'] ?? path.resolve(ROOT, '..', 'shared', 'data');
const SCORER = path.join(__dirname, 'python', 'score_model_dirs.py');
const TRAIN = path.join(DIST, 'train.js');
const EXPORT = path.join(DIST, 'export-onnx.js');
const TOLERANCE = 1e-6;

function missing(): string[] {
  const out = missingMlflow().filter((m) => !m.startsWith('psql'));
  out.push(
    ...missingPythonModules(['onnx', 'onnxruntime'], 'source .ci/services/onnx.sh to add them'),
  );
  for (const file of [TRAIN, EXPORT]) {
    if (!existsSync(file)) out.push(`${path.relative(ROOT, file)} missing: run \`pnpm build\``);
  }
  if (!existsSync(path.join(DATA_DIR, 'winequality-red.csv'))) {
    out.push(`no UCI data in ${DATA_DIR} (set WINE_DATA_DIR)`);
  }
  return out;
}

interface Scored {
  checker: string;
  onnx_flavour_ops: string[];
  onnxruntime: number[];
  pyfunc: number[];
  pyfunc_input_schema: string[];
  serving_example: number[];
  missing_column: string | null;
  bad_wine_type: string | null;
}

const stripTarget = ({ quality: _quality, ...wine }: LabeledWineRecord): WineRecord => wine;

function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  expect(a).toHaveLength(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);
}

describeWithServices('model directories in real Python runtimes', missing(), () => {
  let work: string;
  let records: LabeledWineRecord[];
  let dirs: Record<'tree' | 'forest' | 'forestV5', string>;
  let scored: Record<string, Scored>;
  let loaded: Record<string, ModelDirectory>;
  let verifyJson: Array<{ op: string; verified: { rows: number; mismatches: number } }>;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'onnx-runtimes-'));
    dirs = {
      tree: path.join(work, 'tree'),
      forest: path.join(work, 'forest'),
      forestV5: path.join(work, 'forest-v5'),
    };
    records = (await loadWineDataDir(DATA_DIR)).records;

    const trained = await runNode(TRAIN, [
      ...['--data', DATA_DIR, '--output', dirs.tree, '--workers', '1', '--json'],
    ]);
    expect(trained.code).toBe(0);

    const x = encodeRecords(records);
    const forest = fitForest(x, targetsOf(records), { nEstimators: 100, seed: 42 });
    const document = forest.toDocument({
      training: { kind: 'forest', params: {}, learner: { ...LEARNER }, nTrain: records.length },
    });
    await writeModelDir(dirs.forest, document, {
      inputExample: records.slice(0, 5).map(stripTarget),
    });
    await cp(dirs.forest, dirs.forestV5, { recursive: true });
    const exported = await runNode(EXPORT, [
      ...[dirs.forestV5, '--op', 'TreeEnsemble', '--verify', DATA_DIR, '--json'],
    ]);
    expect(exported.stderr).toBe('');
    verifyJson = JSON.parse(exported.stdout) as typeof verifyJson;

    // All rows, numbers in float form (as a user's float64 DataFrame holds them).
    const frameFile = path.join(work, 'frame.json');
    await writeFile(frameFile, splitFrameJson(recordsToSplitFrame(records.map(stripTarget))));
    const python = path.join(path.dirname(findMlflowBin() as string), 'python');
    const { stdout } = await run(python, [SCORER, frameFile, ...Object.values(dirs)], {
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, MLFLOW_TRACKING_URI: '', PYTHONWARNINGS: 'ignore' },
    });
    scored = JSON.parse(stdout) as Record<string, Scored>;
    loaded = Object.fromEntries(
      await Promise.all(Object.values(dirs).map(async (d) => [d, await readModelDir(d)] as const)),
    );
  }, 240_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it.each(['tree', 'forest', 'forestV5'] as const)(
    '%s: onnxruntime and mlflow.pyfunc score every row as our scorer does (≤ 1e-6)',
    (name) => {
      const ours = loaded[dirs[name]]!.model.predictRecords(records);
      const result = scored[dirs[name]]!;
      expect(result.checker).toBe('ok'); // onnx.checker.check_model(full_check=True)
      expect(result.onnxruntime).toHaveLength(records.length);
      expect(maxAbsDiff(result.onnxruntime, ours)).toBeLessThanOrEqual(TOLERANCE);
      expect(maxAbsDiff(result.pyfunc, ours)).toBeLessThanOrEqual(TOLERANCE);
      expect(result.onnx_flavour_ops).toEqual(
        name === 'forestV5' ? ['Cast', 'TreeEnsemble', 'Cast'] : ['Cast', 'TreeEnsembleRegressor'],
      );
    },
  );

  it('keeps the signature and the input example valid for MLflow', () => {
    for (const dir of Object.values(dirs)) {
      const md = loaded[dir]!;
      const result = scored[dir]!;
      expect(result.pyfunc_input_schema).toEqual([...EXAMPLE_COLUMNS]);
      expect(
        maxAbsDiff(result.serving_example, md.model.predictRecords(md.inputExample)),
      ).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('the pyfunc loader says what is wrong with a bad frame', () => {
    const result = scored[dirs.tree]!;
    expect(result.missing_column).toContain("Model is missing inputs ['alcohol']");
    expect(result.bad_wine_type).toContain(
      "ValueError: wine_type must be one of ['red', 'white'], got 'rose'",
    );
  });

  it('no value of the data crosses a float32 threshold of either model', () => {
    expect(verifyJson).toEqual([
      expect.objectContaining({
        op: 'TreeEnsemble',
        verified: expect.objectContaining({ rows: records.length, mismatches: 0 }) as unknown,
      }),
    ]);
    const x = encodeRecords(records);
    for (const dir of [dirs.tree, dirs.forest]) {
      expect(float32BranchMismatches(loaded[dir]!.document.trees, x)).toEqual([]);
    }
  });
});
