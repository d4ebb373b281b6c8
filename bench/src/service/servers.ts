/** Starting and stopping the three servers under test, each on a free loopback port. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export interface Running {
  readonly name: string;
  readonly url: string;
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
  timeoutMs = 60_000,
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
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
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
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitReady(url, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { name, url, stop };
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

export async function startFlask(
  python: string,
  dataDir: string,
  workers: number,
): Promise<Running> {
  const port = await freePort();
  const gunicorn = path.join(path.dirname(python), 'gunicorn');
  return launch(
    'flask-gunicorn-sklearn',
    gunicorn,
    [
      '-w',
      String(workers),
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
