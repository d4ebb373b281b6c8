import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Starts REAL services for the integration tests: `mlflow server` (PostgreSQL backend, a fresh
 * database per start, artifacts proxied to a temp dir or to Azurite) and Azurite's blob
 * service. Each test file starts what it needs once in beforeAll: an MLflow start costs
 * 15–30 s on a 2-core machine, so files share one server across all their tests.
 */

const run = promisify(execFile);

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  return dirs.map((d) => join(d, name)).find(isExecutable);
}

/** MLFLOW_BIN if set, else `mlflow` on PATH. */
export function findMlflowBin(): string | undefined {
  const explicit = process.env['MLFLOW_BIN'];
  if (explicit !== undefined && explicit !== '')
    return isExecutable(explicit) ? explicit : undefined;
  return findOnPath('mlflow');
}

/**
 * Registers `body` when every requirement is met; otherwise skips loudly, or under
 * REQUIRE_REAL_SERVICES=1 (set by .ci/run) registers a failing test that says what is missing.
 */
export function describeWithServices(
  title: string,
  missing: readonly string[],
  body: () => void,
  hint = 'run .ci/services/mlflow.sh or set MLFLOW_BIN',
): void {
  if (missing.length === 0) {
    describe(title, body);
    return;
  }
  const reason = `${missing.join('; ')} — ${hint}`;
  if (process.env['REQUIRE_REAL_SERVICES'] === '1') {
    it(`${title}: real services required (REQUIRE_REAL_SERVICES=1)`, () => {
      throw new TypeError(reason);
    });
  } else {
    console.warn(`SKIPPED ${title}: ${reason}`);
    // Skipped (not failed) only outside CI: MLflow/PostgreSQL/Azurite are absent and REQUIRE_REAL_SERVICES is unset.
    it.skip(`${title} (real services missing)`, () => undefined);
  }
}

export function missingMlflow(): string[] {
  const missing: string[] = [];
  if (findMlflowBin() === undefined) missing.push('mlflow not found (MLFLOW_BIN or PATH)');
  if (findOnPath('psql') === undefined) missing.push('psql not found (PostgreSQL client)');
  return missing;
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

const PG_HOST = process.env['PGHOST'] ?? '127.0.0.1';
const PG_USER = process.env['PGUSER'] ?? 'postgres';
const PG_PORT = process.env['PGPORT'] ?? '5432';

async function psql(sql: string): Promise<void> {
  await run('psql', [
    '-h',
    PG_HOST,
    '-p',
    PG_PORT,
    '-U',
    PG_USER,
    '-v',
    'ON_ERROR_STOP=1',
    '-qc',
    sql,
  ]);
}

interface Spawned {
  readonly child: ChildProcess;
  readonly logPath: string;
  readonly exited: Promise<number | null>;
}

function spawnLogged(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  logPath: string,
): Spawned {
  const log = openSync(logPath, 'a');
  // detached: its own process group, so teardown also stops the server's worker children.
  const child = spawn(command, args, { env, detached: true, stdio: ['ignore', log, log] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, logPath, exited };
}

function logTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-25).join('\n');
  } catch {
    return '(no log)';
  }
}

async function stopGroup(spawned: Spawned): Promise<void> {
  const pid = spawned.child.pid;
  if (pid === undefined || spawned.child.exitCode !== null) return;
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  kill('SIGTERM');
  const timer = setTimeout(() => {
    kill('SIGKILL');
  }, 5000);
  await spawned.exited;
  clearTimeout(timer);
}

async function waitFor(
  url: string,
  spawned: Spawned,
  timeoutMs: number,
  ok: (status: number) => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const state = { exited: false };
  void spawned.exited.then(() => (state.exited = true));
  while (Date.now() < deadline) {
    if (state.exited)
      throw new Error(`process exited before ${url} answered:\n${logTail(spawned.logPath)}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (ok(response.status)) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms:\n${logTail(spawned.logPath)}`);
}

export interface MlflowServerOptions {
  /** Default: a temp directory. e.g. wasbs://<container>@devstoreaccount1.blob.core.windows.net/x */
  readonly artifactsDestination?: string;
  /** Starts `--app-name basic-auth` with this admin user. */
  readonly basicAuth?: { readonly adminUsername: string; readonly adminPassword: string };
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Start it as the stack's image does — mlflow/entrypoint.py with the venv's python: the
   * basic-auth app with this admin, its user store in the backend database, gunicorn with the
   * entry point's options — and this many workers. Overrides `basicAuth`.
   */
  readonly stackEntrypoint?: {
    readonly workers: number;
    readonly admin: { readonly username: string; readonly password: string };
  };
}

export interface MlflowServer {
  readonly url: string;
  /** The process started (`mlflow server`, or the entry point that execs it), its group's leader. */
  readonly pid: number;
  readonly startupMs: number;
  readonly workDir: string;
  stop(): Promise<void>;
  /** Kills the server process (its database and artifacts stay): "MLflow went away". */
  kill(): Promise<void>;
  /** Starts it again on the same port, database and artifacts; resolves once healthy. */
  restart(): Promise<void>;
}

export async function startMlflowServer(options: MlflowServerOptions = {}): Promise<MlflowServer> {
  const bin = findMlflowBin();
  if (bin === undefined) throw new Error('mlflow not found (MLFLOW_BIN or PATH)');
  const started = Date.now();
  const workDir = await mkdtemp(join(tmpdir(), 'mlflow-it-'));
  const db = `mlflow_it_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await psql(`CREATE DATABASE ${db}`);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // The huey job runner (GenAI scorers) forks ~7 Python processes of ~230 MB each; unused here.
    MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
    ...options.env,
  };
  const args = [
    'server',
    // SQLAlchemy 2.1 maps plain postgresql:// to psycopg 3; the venv has psycopg2.
    '--backend-store-uri',
    `postgresql+psycopg2://${PG_USER}@${PG_HOST}:${PG_PORT}/${db}`,
    '--artifacts-destination',
    options.artifactsDestination ?? join(workDir, 'artifacts'),
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--workers',
    '1',
  ];
  let command = bin;
  if (options.stackEntrypoint) {
    const { workers, admin } = options.stackEntrypoint;
    command = join(dirname(bin), 'python');
    args.splice(0, args.length, join(__dirname, '..', '..', '..', 'mlflow', 'entrypoint.py'));
    args.push('--workers', String(workers));
    Object.assign(env, {
      MLFLOW_TRACKING_USERNAME: admin.username,
      MLFLOW_TRACKING_PASSWORD: admin.password,
      MLFLOW_BACKEND_STORE_URI: `postgresql://${PG_USER}@${PG_HOST}:${PG_PORT}/${db}`,
      MLFLOW_ARTIFACTS_DESTINATION: options.artifactsDestination ?? join(workDir, 'artifacts'),
      MLFLOW_HOST: '127.0.0.1',
      MLFLOW_PORT: String(port),
    });
  } else if (options.basicAuth) {
    const ini = join(workDir, 'basic_auth.ini');
    await writeFile(
      ini,
      [
        '[mlflow]',
        'default_permission = READ',
        `database_uri = sqlite:///${join(workDir, 'basic_auth.db')}`,
        `admin_username = ${options.basicAuth.adminUsername}`,
        `admin_password = ${options.basicAuth.adminPassword}`,
        'authorization_function = mlflow.server.auth:authenticate_request_basic_auth',
        // auth_cache_ttl_seconds stays 0 (the default): with the cache on, MLflow 3.17.2
        // answers a Bearer header with 500 instead of 401 (it hashes a None password).
        '',
      ].join('\n'),
    );
    env['MLFLOW_AUTH_CONFIG_PATH'] = ini;
    env['MLFLOW_FLASK_SERVER_SECRET_KEY'] = 'integration-test-secret';
    args.push('--app-name', 'basic-auth');
  }
  let spawned = spawnLogged(command, args, env, join(workDir, 'mlflow.log'));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopGroup(spawned);
    await psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    await waitFor(`${url}/health`, spawned, 180_000, (s) => s === 200);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    get pid() {
      return spawned.child.pid ?? -1;
    },
    startupMs: Date.now() - started,
    workDir,
    stop,
    kill: () => stopGroup(spawned),
    restart: async () => {
      await stopGroup(spawned);
      spawned = spawnLogged(command, args, env, join(workDir, 'mlflow.log'));
      await waitFor(`${url}/health`, spawned, 180_000, (s) => s === 200);
    },
  };
}

/**
 * Python modules missing from the venv that holds MLFLOW_BIN (find_spec: no import, fast).
 * Extras: `auth` brings flask_wtf, `azure` brings azure.storage.blob and azure.identity;
 * onnx and onnxruntime come from .ci/services/onnx.sh. `install` says how to get them.
 */
export function missingPythonModules(
  modules: readonly string[],
  install = 'pip install "mlflow[auth,azure]"',
): string[] {
  const bin = findMlflowBin();
  if (bin === undefined) return [];
  const script =
    'import importlib.util, sys\n' +
    'print(" ".join(m for m in sys.argv[1:] if importlib.util.find_spec(m.split(".")[0]) is None ' +
    'or importlib.util.find_spec(m) is None))';
  try {
    const out = execFileSync(join(dirname(bin), 'python'), ['-c', script, ...modules], {
      encoding: 'utf8',
    }).trim();
    return out === '' ? [] : [`${bin} lacks Python modules ${out} (${install})`];
  } catch (error) {
    return [`cannot run the Python next to ${bin}: ${String(error)}`];
  }
}

export interface ModelServer {
  readonly url: string;
  readonly startupMs: number;
  stop(): Promise<void>;
}

/**
 * `mlflow models serve -m <uri> --env-manager local`: MLflow's own scoring server (POST
 * /invocations) on a loopback port, loading the model's python_function flavour in the
 * interpreter of MLFLOW_BIN's venv. `trackingUri` resolves models:/ and runs:/ URIs.
 */
export async function startMlflowModelServe(options: {
  readonly modelUri: string;
  readonly trackingUri: string;
}): Promise<ModelServer> {
  const bin = findMlflowBin();
  if (bin === undefined) throw new Error('mlflow not found (MLFLOW_BIN or PATH)');
  const started = Date.now();
  const workDir = await mkdtemp(join(tmpdir(), 'mlflow-serve-it-'));
  const port = await freePort();
  const spawned = spawnLogged(
    bin,
    [
      ...['models', 'serve', '-m', options.modelUri, '--env-manager', 'local'],
      ...['--host', '127.0.0.1', '--port', String(port), '--workers', '1'],
    ],
    {
      ...process.env,
      MLFLOW_TRACKING_URI: options.trackingUri,
      // It execs `uvicorn` by name: the venv's bin must be on PATH, as in an activated venv.
      PATH: [dirname(bin), process.env['PATH'] ?? ''].join(delimiter),
    },
    join(workDir, 'serve.log'),
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopGroup(spawned);
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    await waitFor(`${url}/ping`, spawned, 180_000, (s) => s === 200);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, startupMs: Date.now() - started, stop };
}

// Azurite comes from the data plane's test helpers (its devDependency lives there).
export { findAzuriteBlob, startAzurite, type Azurite } from '@wine/azure/testing';
