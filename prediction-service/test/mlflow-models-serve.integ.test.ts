/**
 * A client written for `mlflow models serve` gets the same answers from MLflow's own scoring
 * server and from ours. Real processes: `mlflow server` (PostgreSQL backend), the train CLI
 * registering the champion, `mlflow models serve -m models:/wine-quality@champion
 * --env-manager local` (the python_function flavour: our loader + onnxruntime), and the built
 * service on the same URI. Every row of the UCI data goes to both /invocations.
 * Cost: ~1 min on a busy 2-core machine (MLflow start ~20 s, train + register ~10 s,
 * `mlflow models serve` start ~15 s).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { EXAMPLE_WINE, loadWineDataDir, recordsToSplitFrame, splitFrameJson } from '@wine/model';
import type { LabeledWineRecord, WineRecord } from '@wine/model';
import {
  describeWithServices,
  findMlflowBin,
  missingMlflow,
  missingPythonModules,
  startMlflowModelServe,
  startMlflowServer,
} from '../../packages/mlflow-client/test/real-services';
import type { MlflowServer, ModelServer } from '../../packages/mlflow-client/test/real-services';
import { SERVICE_MAIN, startService } from './service-process';
import type { ServiceProcess } from './service-process';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
const TRAIN_CLI = path.join(ROOT, 'training-scripts', 'dist', 'cli', 'train.js');
const DATA_DIR = process.env['WINE_DATA_DIR'] ?? path.resolve(ROOT, '..', 'shared', 'data');
const URI = 'models:/wine-quality@champion';
const CHUNK = 1000;

function missing(): string[] {
  const out = missingMlflow();
  out.push(
    ...missingPythonModules(['onnx', 'onnxruntime'], 'source .ci/services/onnx.sh to add them'),
  );
  for (const file of [SERVICE_MAIN, TRAIN_CLI]) {
    if (!existsSync(file)) out.push(`${path.relative(ROOT, file)} missing: run \`pnpm build\``);
  }
  if (!existsSync(path.join(DATA_DIR, 'winequality-red.csv'))) {
    out.push(`no UCI data in ${DATA_DIR} (set WINE_DATA_DIR)`);
  }
  return out;
}

/** The ```python blocks of the README's "Use the model from Python / Spark / ONNX" section. */
async function readmeSnippets(): Promise<string[]> {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Use the model from Python / Spark / ONNX');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

const stripTarget = ({ quality: _quality, ...wine }: LabeledWineRecord): WineRecord => wine;

async function invoke(url: string, body: string): Promise<number[]> {
  const response = await fetch(`${url}/invocations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${url}/invocations: ${response.status} ${text}`);
  return (JSON.parse(text) as { predictions: number[] }).predictions;
}

describeWithServices('mlflow models serve and our service answer alike', missing(), () => {
  let work: string;
  let server: MlflowServer | undefined;
  let mlflowServe: ModelServer | undefined;
  let ours: ServiceProcess | undefined;
  let wines: WineRecord[];

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'wine-models-serve-'));
    wines = (await loadWineDataDir(DATA_DIR)).records.map(stripTarget);
    server = await startMlflowServer();
    await run(
      process.execPath,
      [
        TRAIN_CLI,
        ...['--data', DATA_DIR, '--search', 'random', '--n-iter', '4', '--workers', '1'],
        ...['--tracking-uri', server.url, '--register', '--json', '-o', path.join(work, 'model')],
      ],
      { cwd: work, env: { ...process.env, NO_COLOR: '1' } },
    );
    // One after the other, so afterAll can stop whichever started when the other fails.
    mlflowServe = await startMlflowModelServe({ modelUri: URI, trackingUri: server.url });
    console.info(`mlflow models serve up in ${mlflowServe.startupMs} ms`);
    ours = await startService({ MODEL_URI: URI, MLFLOW_TRACKING_URI: server.url });
  }, 300_000);

  afterAll(async () => {
    await Promise.all([ours?.stop(), mlflowServe?.stop()]);
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('/invocations with dataframe_split: the same prediction for every row of the data', async () => {
    let compared = 0;
    let maxDiff = 0;
    for (let start = 0; start < wines.length; start += CHUNK) {
      const frame = recordsToSplitFrame(wines.slice(start, start + CHUNK));
      const body = `{"dataframe_split": ${splitFrameJson(frame)}}`;
      const [theirs, mine] = await Promise.all([
        invoke(mlflowServe!.url, body),
        invoke(ours!.url, body),
      ]);
      expect(theirs).toHaveLength(mine.length);
      mine.forEach((p, i) => (maxDiff = Math.max(maxDiff, Math.abs(p - (theirs[i] as number)))));
      compared += mine.length;
    }
    expect(compared).toBe(wines.length);
    expect(maxDiff).toBeLessThanOrEqual(1e-6);
  });

  it('/invocations with dataframe_records and inputs: the same predictions', async () => {
    const rows = wines.slice(0, 50);
    for (const body of [
      JSON.stringify({ dataframe_records: rows }),
      JSON.stringify({ inputs: rows }),
    ]) {
      const [theirs, mine] = await Promise.all([
        invoke(mlflowServe!.url, body),
        invoke(ours!.url, body),
      ]);
      expect(theirs).toHaveLength(rows.length);
      const diffs = mine.map((p, i) => Math.abs(p - (theirs[i] as number)));
      expect(Math.max(...diffs)).toBeLessThanOrEqual(1e-6);
    }
  });

  it('the README snippets for Python and ONNX run and print our prediction', async () => {
    const snippets = await readmeSnippets();
    expect(snippets).toHaveLength(3);
    const python = path.join(path.dirname(findMlflowBin() as string), 'python');
    const response = await fetch(`${ours!.url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(EXAMPLE_WINE),
    });
    const { quality } = (await response.json()) as { quality: number };
    for (const snippet of snippets) {
      if (snippet.includes('spark_udf')) {
        // No Spark here: the snippet must parse, and spark_udf must take the arguments it uses.
        const check =
          'import ast, inspect, sys, mlflow.pyfunc\n' +
          'ast.parse(sys.argv[1])\n' +
          'assert {"result_type", "env_manager"} <= set(inspect.signature(mlflow.pyfunc.spark_udf).parameters)';
        await run(python, ['-c', check, snippet]);
        continue;
      }
      // The pyfunc snippet reads the registry; the ONNX one ./model, which train wrote in `work`.
      const { stdout } = await run(
        python,
        ['-c', snippet.replaceAll('http://127.0.0.1:5000', server!.url)],
        {
          cwd: work,
          env: { ...process.env, PYTHONWARNINGS: 'ignore' },
        },
      );
      const printed = Number(/(\d+\.\d+)/.exec(stdout)?.[1]);
      expect(Math.abs(printed - quality)).toBeLessThanOrEqual(1e-6);
    }
  });
});
