/**
 * Real pipeline processes for the fault tests: `pipeline worker` from the build, its log in a
 * file, ready once it says so; and a private redis-server on an ephemeral port (AOF on) that a
 * test may restart — never the machine's shared Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const PIPELINE_CLI = path.resolve(__dirname, '..', 'dist', 'cli', 'main.js');

export function builtPipeline(): boolean {
  if (existsSync(PIPELINE_CLI)) return true;
  if (process.env['REQUIRE_REAL_SERVICES'] === '1') {
    throw new Error(`${PIPELINE_CLI} is missing: run \`pnpm build\` before the tests`);
  }
  console.warn(`SKIPPING: ${PIPELINE_CLI} is missing — run \`pnpm build\``);
  return false;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

export interface Proc {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly logPath: string;
  readonly exited: Promise<number | null>;
  log(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Processes of this test file that have not exited. A test that times out (or a start that
 * never got ready) leaves its process running, and a live child keeps jest (in band on
 * 2 cores) from exiting after the run: whatever is left is killed when the file's tests end.
 */
const live = new Set<ChildProcess>();
if (typeof afterAll === 'function') {
  afterAll(async () => {
    const left = [...live];
    for (const child of left) child.kill('SIGKILL');
    await Promise.all(
      left
        .filter((child) => child.exitCode === null && child.signalCode === null)
        .map((child) => new Promise((resolve) => child.once('exit', resolve))),
    );
  });
}

function spawnLogged(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  logPath: string,
): Proc {
  const fd = openSync(logPath, 'a');
  const child = spawn(command, args, { env, stdio: ['ignore', fd, fd] });
  closeSync(fd); // the child has its own copy
  live.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    }),
  );
  return {
    child,
    pid: child.pid ?? -1,
    logPath,
    exited,
    log: () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : ''),
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  context: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(200);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${context()}`);
}

/** A `pipeline worker` process; resolves once it logged that it is ready. */
export async function startWorker(
  dir: string,
  name: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<Proc> {
  const proc = spawnLogged(
    process.execPath,
    [PIPELINE_CLI, 'worker', ...args],
    { ...process.env, LOG_LEVEL: 'info', ...env },
    path.join(dir, `${name}.log`),
  );
  await waitFor(
    `worker ${name} to be ready`,
    () =>
      proc.log().includes('pipeline worker ready')
        ? true
        : proc.child.exitCode !== null
          ? Promise.reject(new Error(`worker ${name} exited:\n${proc.log()}`))
          : undefined,
    60_000,
    () => proc.log(),
  );
  return proc;
}

export interface PrivateRedis {
  readonly url: string;
  restart(): Promise<void>;
  /** kill -9 and leave it down until `start()` (same port and data: AOF, fsync always). */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** redis-server on an ephemeral port with AOF (fsync always), as production should run it. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pipeline-redis-'));
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
  ];
  const start = async (): Promise<Proc> => {
    const proc = spawnLogged('redis-server', args, process.env, path.join(dir, 'redis.log'));
    await waitFor(
      'redis-server to accept connections',
      () => (proc.log().includes('Ready to accept connections') ? true : undefined),
      20_000,
      () => proc.log(),
    );
    return proc;
  };
  let proc = await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    async restart() {
      await proc.kill('SIGTERM');
      proc = await start();
    },
    async kill() {
      await proc.kill('SIGKILL');
    },
    async start() {
      proc = await start();
    },
    async stop() {
      await proc.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `pipeline api` on an ephemeral port; resolves with its URL once it listens. */
export async function startApi(
  dir: string,
  name: string,
  env: Record<string, string>,
): Promise<Proc & { readonly url: string }> {
  const proc = spawnLogged(
    process.execPath,
    [PIPELINE_CLI, 'api'],
    { ...process.env, LOG_LEVEL: 'info', PIPELINE_API_PORT: '0', ...env },
    path.join(dir, `${name}.log`),
  );
  const port = await waitFor(
    `pipeline api ${name} to listen`,
    () => {
      const match = /"port":(\d+)[^\n]*pipeline API on/.exec(proc.log());
      if (match?.[1]) return Number(match[1]);
      if (proc.child.exitCode !== null) throw new Error(`api ${name} exited:\n${proc.log()}`);
      return undefined;
    },
    60_000,
    () => proc.log(),
  );
  return { ...proc, url: `http://127.0.0.1:${port}` };
}
