/** Starting and stopping the servers under test, each on a free loopback port. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export interface Running {
  readonly name: string;
  readonly url: string;
  /** The process started (for one-process servers, the one that serves). */
  readonly pid: number;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

async function waitReady(
  url: string,
  child: ChildProcess,
  logs: () => string,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: server exited early:\n${logs()}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url}: not ready after ${timeoutMs} ms:\n${logs()}`);
}

async function launch(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string>,
  port: number,
): Promise<Running> {
  // Its own process group: `mlflow models serve` runs uvicorn as a child, which must stop too.
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const keep = (c: Buffer): void => {
    output = (output + c.toString()).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const signal = (sig: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, sig);
    } catch {
      // the group is gone already
    }
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      signal('SIGTERM');
      const timer = setTimeout(() => {
        signal('SIGKILL');
      }, 10_000);
      await exited;
      clearTimeout(timer);
    }
    signal('SIGTERM'); // stragglers of the group (uvicorn workers)
  };
  try {
    await waitReady(url, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { name, url, pid: child.pid ?? -1, stop };
}

const ROOT = path.resolve(__dirname, '..', '..', '..');

export async function startOurs(
  modelDir: string,
  workers: number,
  env: Record<string, string> = {},
  name = 'service',
): Promise<Running> {
  const port = await freePort();
  return launch(
    name,
    process.execPath,
    [path.join(ROOT, 'prediction-service', 'dist', 'main.js')],
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      // Any free port: the bench never scrapes, and a fixed 9697 may be taken.
      MANAGEMENT_PORT: '0',
      MODEL_URI: `file:${modelDir}`,
      WEB_CONCURRENCY: String(workers),
      LOG_LEVEL: 'warn',
      ...env,
    },
    port,
  );
}

export async function startCeiling(modelDir: string, workers: number): Promise<Running> {
  const port = await freePort();
  const script = path.join(__dirname, 'ceiling-server.js');
  // The ceiling answers any path, so /health works for the readiness probe.
  return launch(
    'node-http-ceiling',
    process.execPath,
    [script, String(port), modelDir, String(workers)],
    {},
    port,
  );
}

/**
 * Flask + scikit-learn as a Flask user deploys it for throughput: gunicorn's threaded
 * (`gthread`) workers, which keep connections alive, `threads` per worker (the GIL runs one
 * at a time; threads overlap socket waits).
 */
export async function startFlask(
  python: string,
  dataDir: string,
  workers: number,
  threads = 4,
): Promise<Running> {
  const port = await freePort();
  const gunicorn = path.join(path.dirname(python), 'gunicorn');
  return launch(
    'flask-gunicorn-gthread',
    gunicorn,
    [
      '-k',
      'gthread',
      '-w',
      String(workers),
      '--threads',
      String(threads),
      '--keep-alive',
      '5',
      '-b',
      `127.0.0.1:${port}`,
      '--chdir',
      path.join(ROOT, 'bench', 'python'),
      '--log-level',
      'warning',
      'flask_service:app',
    ],
    { WINE_DATA_DIR: dataDir, PYTHONDONTWRITEBYTECODE: '1' },
    port,
  );
}

/** Saves the scikit-learn tree with mlflow.sklearn (bench/python/mlflow_model.py). */
export async function saveMlflowModel(python: string, dataDir: string, dir: string): Promise<void> {
  const script = path.join(ROOT, 'bench', 'python', 'mlflow_model.py');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(python, [script, dir], {
      env: { ...process.env, WINE_DATA_DIR: dataDir, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`mlflow_model.py failed (exit ${String(code)}):\n${err}`));
    });
  });
}

/**
 * MLflow's own scoring server as its users start it: `mlflow models serve -m <dir> -w N
 * --env-manager local` (uvicorn workers; the venv's bin on PATH, where MLflow finds uvicorn).
 */
export async function startMlflowServe(
  python: string,
  modelDir: string,
  workers: number,
): Promise<Running> {
  const port = await freePort();
  const bin = path.dirname(python);
  return launch(
    'mlflow-models-serve',
    path.join(bin, 'mlflow'),
    [
      'models',
      'serve',
      '-m',
      modelDir,
      '-w',
      String(workers),
      '--env-manager',
      'local',
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
    ],
    { PATH: `${bin}:${process.env['PATH'] ?? ''}`, PYTHONDONTWRITEBYTECODE: '1' },
    port,
  );
}
