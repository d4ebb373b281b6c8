/**
 * Where and when a benchmark ran: `pnpm run bench` puts this `environment` block in every
 * results file (the README line under each table is rendered from it). The load average is
 * taken at the start and at the end, so a run on a busy machine shows.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import { ROOT, pythonCommand } from './learner/common';
import type { Environment, PythonVersions } from './results';

const run = promisify(execFile);

/** The peers' Python packages whose versions a results file records (when a benchmark uses Python). */
export const PYTHON_PACKAGES = [
  'scikit-learn',
  'numpy',
  'scipy',
  'pandas',
  'flask',
  'gunicorn',
  'mlflow',
  'onnxruntime',
] as const;

const VERSIONS_SCRIPT = `
import json, sys
from importlib import metadata
out = {}
for name in sys.argv[1:]:
    try:
        out[name] = metadata.version(name)
    except metadata.PackageNotFoundError:
        out[name] = None
print(json.dumps({"python": sys.version.split()[0], "packages": out}))
`;

let pythonVersionsOnce: Promise<PythonVersions> | undefined;

/**
 * The BENCH_PYTHON interpreter's version and its peer packages' versions (null: not
 * installed), asked once per process. Never throws: an interpreter that cannot run is
 * recorded with the error.
 */
export function pythonVersions(): Promise<PythonVersions> {
  pythonVersionsOnce ??= (async () => {
    const interpreter = pythonCommand();
    try {
      const { stdout } = await run(interpreter, ['-c', VERSIONS_SCRIPT, ...PYTHON_PACKAGES], {
        timeout: 30_000,
      });
      const parsed = JSON.parse(stdout.trim()) as {
        python: string;
        packages: Record<string, string | null>;
      };
      return { interpreter, python: parsed.python, packages: parsed.packages };
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      return { interpreter, python: null, packages: {}, error: message ?? 'failed' };
    }
  })();
  return pythonVersionsOnce;
}

async function gitState(): Promise<Environment['git']> {
  try {
    const { stdout: commit } = await run('git', ['-C', ROOT, 'rev-parse', 'HEAD']);
    // Results files are written during the run; they do not make the tree "dirty".
    const { stdout: status } = await run('git', [
      '-C',
      ROOT,
      'status',
      '--porcelain',
      '--untracked-files=no',
      '--',
      '.',
      ':(exclude)bench/results',
    ]);
    return { commit: commit.trim(), dirty: status.trim() !== '' };
  } catch {
    return { commit: null, dirty: null };
  }
}

const load = (): number[] => os.loadavg().map((v) => Math.round(v * 100) / 100);

/** Call at a benchmark's start; `finish()` at its end adds the end time and load. */
export async function startEnvironment(options: { python: boolean }): Promise<{
  finish(): Promise<Environment>;
}> {
  const startedAt = new Date().toISOString();
  const loadStart = load();
  const git = await gitState();
  const python = options.python ? await pythonVersions() : undefined;
  return {
    finish: () =>
      Promise.resolve({
        startedAt,
        finishedAt: new Date().toISOString(),
        git,
        cpu: {
          model: os.cpus()[0]?.model.trim() ?? 'unknown',
          cores: os.availableParallelism(),
          logical: os.cpus().length,
        },
        memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
        os: `${os.type()} ${os.release()} (${os.arch()})`,
        node: process.version,
        loadAverage: { start: loadStart, end: load() },
        ...(python === undefined ? {} : { python }),
      }),
  };
}
