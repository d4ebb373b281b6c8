/**
 * Shared by the learner benchmarks: the red+white data with the seeded 80/20 split (written to
 * CSV so the scikit-learn peer reads the identical rows), the Python peer runner and machine
 * facts. Both sides run one after the other in the same `pnpm run bench` invocation.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  encodeRecords,
  loadWineDataDir,
  takeRows,
  takeValues,
  targetsOf,
  trainTestSplit,
} from '@wine/model';
import type { Matrix } from '@wine/model';

const run = promisify(execFile);
export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const SPLIT_SEED = 42;

export interface Split {
  train: { x: Matrix; y: Float64Array };
  test: { x: Matrix; y: Float64Array };
  dataDir: string;
  dir: string;
  trainCsv: string;
  testCsv: string;
  cleanup(): Promise<void>;
}

export function dataDir(): string {
  const fromEnv = process.env['WINE_DATA_DIR'];
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(fromEnv);
  const shared = path.resolve(ROOT, '..', 'shared', 'data');
  return existsSync(shared) ? shared : path.resolve(ROOT, 'data');
}

function toCsv(m: { x: Matrix; y: Float64Array }): string {
  const lines: string[] = [];
  for (let r = 0; r < m.x.rows; r++) {
    const row = Array.from(m.x.data.subarray(r * m.x.cols, (r + 1) * m.x.cols));
    lines.push([...row, m.y[r]].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Loads both UCI files, splits 80/20 with SPLIT_SEED and writes train.csv / test.csv. */
export async function loadSplit(): Promise<Split> {
  const dir = dataDir();
  const { records } = await loadWineDataDir(dir);
  const x = encodeRecords(records);
  const y = targetsOf(records);
  const idx = trainTestSplit(x.rows, { seed: SPLIT_SEED, testFraction: 0.2 });
  const train = { x: takeRows(x, idx.train), y: takeValues(y, idx.train) };
  const test = { x: takeRows(x, idx.test), y: takeValues(y, idx.test) };
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'wine-bench-'));
  const trainCsv = path.join(tmp, 'train.csv');
  const testCsv = path.join(tmp, 'test.csv');
  await writeFile(trainCsv, toCsv(train));
  await writeFile(testCsv, toCsv(test));
  return {
    train,
    test,
    dataDir: dir,
    dir: tmp,
    trainCsv,
    testCsv,
    cleanup: () => rm(tmp, { recursive: true, force: true }),
  };
}

/**
 * The peers' Python: BENCH_PYTHON, else /opt/pyvenv, else SKLEARN_PYTHON (set by
 * .ci/services/sklearn.sh), else the pinned scikit-learn venv that script makes
 * (~/.cache/wine-ci/venv-sklearn: scikit-learn, numpy, scipy, joblib, threadpoolctl), else
 * python3. The results file's environment records this interpreter's package versions.
 */
export function pythonCommand(): string {
  const fromEnv = process.env['BENCH_PYTHON'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (existsSync('/opt/pyvenv/bin/python')) return '/opt/pyvenv/bin/python';
  const sklearn = process.env['SKLEARN_PYTHON'];
  if (sklearn !== undefined && sklearn !== '') return sklearn;
  const venv = path.join(os.homedir(), '.cache', 'wine-ci', 'venv-sklearn', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}

export type PeerResult = Record<string, unknown> | { peer: 'unavailable'; reason: string };

/** Runs bench/python/<script> and parses its JSON stdout; "unavailable" when it cannot run. */
export async function runPeer(
  script: string,
  args: string[],
  python: string = pythonCommand(),
): Promise<PeerResult> {
  const file = path.join(ROOT, 'bench', 'python', script);
  try {
    const { stdout } = await run(python, [file, ...args], {
      maxBuffer: 16 * 1024 * 1024,
    });
    const parsed = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    if (parsed['available'] === false) {
      return { peer: 'unavailable', reason: String(parsed['reason']) };
    }
    return parsed;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { peer: 'unavailable', reason: `${python} ${script}: ${reason ?? ''}` };
  }
}

export function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    availableParallelism: os.availableParallelism(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    // Other processes share this machine; the load average says how quiet the run was.
    loadAverage: os.loadavg().map((v) => Math.round(v * 100) / 100),
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

export const round = (v: number, digits = 4): number => Math.round(v * 10 ** digits) / 10 ** digits;

/** A value inside a peer's parsed JSON (undefined when any step is missing). */
export function pick(obj: unknown, ...keys: string[]): unknown {
  let out = obj;
  for (const key of keys) {
    out =
      typeof out === 'object' && out !== null ? (out as Record<string, unknown>)[key] : undefined;
  }
  return out;
}

/** A string or number inside a peer's JSON as text, '?' when absent. */
export function pickText(obj: unknown, ...keys: string[]): string {
  const value = pick(obj, ...keys);
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '?';
}
