/**
 * A local `mlflow server` for the tracking benchmark: PostgreSQL backend (a fresh database),
 * artifacts proxied to a temp dir — the topology of packages/mlflow-client/test/real-services.ts.
 * That helper lives under test/ (type-checked, never compiled, jest-only), while benchmarks run
 * from bench/dist, hence this small compiled twin; keep the two in step.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** The repository (this file runs from bench/dist/tracking/). */
const ROOT = path.resolve(__dirname, '..', '..', '..');

export interface LocalMlflow {
  readonly url: string;
  readonly startupSeconds: number;
  readonly workers: number;
  /** The `mlflow` executable; its venv's python runs the Python peer. */
  readonly bin: string;
  /** The basic-auth admin when started through the stack's entry point. */
  readonly credentials?: { readonly username: string; readonly password: string };
  /**
   * CPU seconds used so far by the server's process group (the server and its workers) and by the
   * PostgreSQL backends serving its database (their title names it) — Linux /proc; 0 elsewhere.
   * Differences across a round say how much work the server did, whatever the machine's load.
   */
  cpuSeconds(): { mlflow: number; postgres: number };
  stop(): Promise<void>;
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** utime + stime of every process whose stat/cmdline passes `pick`, in seconds. */
function procCpuSeconds(pick: (pgid: number, cmdline: string) => boolean): number {
  let ticks = 0;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the parenthesised command: state ppid pgrp … utime(14) stime(15).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (pick(Number(fields[2]), cmdline)) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / CLOCK_TICKS;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
  });
}

const psql = (sql: string) =>
  run('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qc', sql]);

export interface LocalMlflowOptions {
  /** Server workers; the stack's docker-compose.yml runs `--workers 2`. */
  readonly workers?: number;
  /**
   * Start it as the stack does: mlflow/entrypoint.py (the image's entry point) — MLflow's
   * basic-auth app with the admin from the environment and its auth settings — with the
   * venv's python. The credentials come back in `credentials`.
   */
  readonly stackEntrypoint?: boolean;
  /** Extra `mlflow server` arguments (through the entry point too, which passes them on). */
  readonly serverArgs?: readonly string[];
}

let servers = 0;

export async function startLocalMlflow(options: LocalMlflowOptions = {}): Promise<LocalMlflow> {
  const bin = process.env['MLFLOW_BIN'] ?? 'mlflow';
  const workers = options.workers ?? 1;
  const started = performance.now();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mlflow-bench-'));
  const db = `mlflow_bench_${process.pid}_${++servers}`;
  await psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await psql(`CREATE DATABASE ${db}`);
  const port = await freePort();
  const log = path.join(dir, 'mlflow.log');
  const backend = `postgresql+psycopg2://postgres@127.0.0.1:5432/${db}`;
  const artifacts = path.join(dir, 'artifacts');
  const credentials = options.stackEntrypoint
    ? { username: 'admin', password: randomBytes(18).toString('base64url') }
    : undefined;
  const [command, args, extraEnv]: [string, string[], Record<string, string>] =
    credentials === undefined
      ? [
          bin,
          [
            ...['server', '--backend-store-uri', backend, '--artifacts-destination', artifacts],
            ...['--host', '127.0.0.1', '--port', String(port), '--workers', String(workers)],
            ...(options.serverArgs ?? []),
          ],
          {},
        ]
      : [
          path.join(path.dirname(bin), 'python'),
          [
            path.join(ROOT, 'mlflow', 'entrypoint.py'),
            ...['--workers', String(workers), ...(options.serverArgs ?? [])],
          ],
          {
            MLFLOW_TRACKING_USERNAME: credentials.username,
            MLFLOW_TRACKING_PASSWORD: credentials.password,
            MLFLOW_BACKEND_STORE_URI: backend,
            MLFLOW_ARTIFACTS_DESTINATION: artifacts,
            MLFLOW_HOST: '127.0.0.1',
            MLFLOW_PORT: String(port),
            MLFLOW_SERVER_ALLOWED_HOSTS: '127.0.0.1:*,localhost:*',
          },
        ];
  const child = spawn(command, args, {
    env: { ...process.env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false', ...extraEnv },
    detached: true, // own process group: stop() also ends the workers
    stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')],
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.pid !== undefined) {
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
    await psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  const cpuSeconds = () => ({
    mlflow: procCpuSeconds((pgid) => pgid === child.pid),
    postgres: procCpuSeconds(
      (_, cmdline) => cmdline.startsWith('postgres:') && cmdline.includes(` ${db} `),
    ),
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const ok = await fetch(`${url}/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok)
      return {
        url,
        startupSeconds: (performance.now() - started) / 1000,
        workers,
        bin,
        ...(credentials === undefined ? {} : { credentials }),
        cpuSeconds,
        stop,
      };
    await new Promise((r) => setTimeout(r, 250));
  }
  const tail = readFileSync(log, 'utf8').split('\n').slice(-20).join('\n');
  await stop();
  throw new Error(`mlflow server did not start (${bin}):\n${tail}`);
}
