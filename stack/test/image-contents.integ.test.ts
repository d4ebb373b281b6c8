/**
 * What each Node image holds, proven without Docker: the same `pnpm deploy --prod` its
 * Dockerfile runs, into a temporary directory outside the workspace (so nothing resolves from
 * the workspace's node_modules), then the image's exact CMD — or the command docker-compose.yml
 * gives the service — with the image's ENV, and its HEALTHCHECK command, all from that
 * directory. A production dependency declared as a devDependency, or a file the package does
 * not ship, fails here. Against real PostgreSQL (a fresh database, migrated by the `migrate`
 * service's command) and Redis (unique key names). One deploy per image (~10 s each), ~1 min.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { EXAMPLE_WINE } from '@wine/model';
import { freePort } from '../../packages/mlflow-client/test/real-services';
import {
  createTempDatabase,
  describeWithPostgres,
  type TempDatabase,
} from '../../packages/db/test/postgres';
import { asArgv, parseCompose } from '../src/compose';
import { parseDockerfile, type DockerfileInfo } from '../src/dockerfile';
import { startProcess, waitForHttp, waitForSuccess, type RunningProcess } from '../src/processes';
import { REPO } from './tools';

const run = promisify(execFile);
// Commands only: any value satisfies the required variables.
const compose = parseCompose(
  readFileSync(path.join(REPO, 'docker-compose.yml'), 'utf8'),
  () => 'x',
);
const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

interface Image {
  readonly dockerfile: DockerfileInfo;
  readonly dir: string;
}

function imageOf(file: string): { info: DockerfileInfo; pkg: string } {
  const info = parseDockerfile(readFileSync(path.join(REPO, file), 'utf8'));
  const build = info.stages[0]?.instructions.map((i) => i.args).join('\n') ?? '';
  const pkg = /pnpm --filter (\S+) deploy/.exec(build)?.[1];
  if (pkg === undefined) throw new Error(`${file}: no pnpm deploy`);
  return { info, pkg };
}

/**
 * `pnpm deploy` as the Dockerfile runs it (the build is the workspace's `pnpm build`).
 * --prefer-offline, not --offline: a legacy deploy resolves ranges again, and after a
 * fresh `pnpm install --frozen-lockfile` the metadata cache it would need is empty.
 */
async function deploy(file: string, root: string): Promise<Image> {
  const { info, pkg } = imageOf(file);
  const dist = path.join(REPO, path.dirname(file), 'dist');
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`pnpm build\` first`);
  const dir = path.join(root, path.dirname(file));
  await run('pnpm', ['--filter', pkg, 'deploy', '--prod', '--legacy', '--prefer-offline', dir], {
    cwd: REPO,
    maxBuffer: 16 * 1024 * 1024,
  });
  return { dockerfile: info, dir };
}

const started: RunningProcess[] = [];

/** Starts argv in the deployed directory with the image's ENV plus `env`, nothing inherited. */
function start(
  image: Image,
  name: string,
  argv: readonly string[],
  env: Record<string, string>,
  root: string,
): RunningProcess {
  const [program, ...args] = argv;
  const proc = startProcess({
    name,
    command: program === 'node' ? process.execPath : (program ?? ''),
    args,
    cwd: image.dir,
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: root,
      ...image.dockerfile.final.env,
      ...env,
    },
    logPath: path.join(root, `${name}.log`),
  });
  started.push(proc);
  return proc;
}

/** The image's HEALTHCHECK command, run as Docker would (exit 0 = healthy). */
async function healthcheck(
  image: Image,
  name: string,
  env: Record<string, string>,
  root: string,
): Promise<number | null> {
  const test = image.dockerfile.final.healthcheck?.test;
  if (test === undefined) throw new Error('no HEALTHCHECK');
  return waitForExit(start(image, `${name}-healthcheck`, test, env, root));
}

async function waitForExit(proc: RunningProcess): Promise<number | null> {
  return proc.exited;
}

const commandOf = (service: string, image: Image): string[] =>
  asArgv(compose.services[service]?.command) ?? [...(image.dockerfile.final.cmd ?? [])];

describeWithPostgres('the Node images, deployed and started as their Dockerfiles say', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'stack-images-'));
  const images: Record<string, Image> = {};
  let db: TempDatabase;
  const prefix = `stack-it-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    // One after the other: pnpm's store is shared, and the machine has two cores.
    for (const file of [
      'prediction-service/Dockerfile',
      'model-monitor/Dockerfile',
      'pipeline/Dockerfile',
      'stream-scorer/Dockerfile',
    ]) {
      images[file.split('/')[0] ?? ''] = await deploy(file, root);
    }
    db = await createTempDatabase('stack_images');
  }, 240_000);

  afterAll(async () => {
    await Promise.all(started.map((p) => p.stop(5000)));
    await (db as TempDatabase | undefined)?.drop();
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  const image = (name: string): Image => {
    const found = images[name];
    if (found === undefined) throw new Error(`${name} not deployed`);
    return found;
  };

  it('ship no workspace link and no devDependency', () => {
    for (const { dir } of Object.values(images)) {
      const modules = path.join(dir, 'node_modules');
      expect(existsSync(path.join(modules, 'typescript-eslint'))).toBe(false);
      expect(existsSync(path.join(modules, 'jest'))).toBe(false);
      expect(existsSync(path.join(modules, '@types'))).toBe(false);
    }
  });

  it('pipeline: the migrate service command migrates an empty database', async () => {
    const migrate = start(
      image('pipeline'),
      'migrate',
      commandOf('migrate', image('pipeline')),
      { DATABASE_URL: db.url },
      root,
    );
    await waitForSuccess(migrate, 60_000);
  }, 90_000);

  it('prediction-service: CMD serves /ready and /predict with the prediction log, HEALTHCHECK passes', async () => {
    const img = image('prediction-service');
    const [port, management] = [await freePort(), await freePort()];
    const env = {
      PORT: String(port),
      MANAGEMENT_PORT: String(management),
      HOST: '127.0.0.1',
      MANAGEMENT_HOST: '127.0.0.1',
      DATABASE_URL: db.url,
    };
    const proc = start(img, 'prediction-service', img.dockerfile.final.cmd ?? [], env, root);
    await waitForHttp(`http://127.0.0.1:${port}/ready`, proc, 60_000);
    const predicted = await fetch(`http://127.0.0.1:${port}/predict`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(EXAMPLE_WINE),
    });
    expect(predicted.status).toBe(200);
    expect(await predicted.json()).toMatchObject({ quality: expect.any(Number) });
    const metrics = await fetch(`http://127.0.0.1:${management}/metrics`);
    expect(metrics.status).toBe(200);
    await metrics.body?.cancel();
    expect(await healthcheck(img, 'prediction-service', env, root)).toBe(0);
  }, 90_000);

  it('model-monitor: CMD serves /health, HEALTHCHECK passes', async () => {
    const img = image('model-monitor');
    const port = await freePort();
    const env = { MONITOR_PORT: String(port), MONITOR_HOST: '127.0.0.1', DATABASE_URL: db.url };
    const proc = start(img, 'model-monitor', img.dockerfile.final.cmd ?? [], env, root);
    await waitForHttp(`http://127.0.0.1:${port}/health`, proc, 60_000);
    expect(await healthcheck(img, 'model-monitor', env, root)).toBe(0);
  }, 90_000);

  it('pipeline: the API (CMD) answers /health and the worker command keeps running, HEALTHCHECK passes', async () => {
    const img = image('pipeline');
    const port = await freePort();
    const env = {
      PIPELINE_API_PORT: String(port),
      PIPELINE_API_HOST: '127.0.0.1',
      PIPELINE_QUEUE_PREFIX: prefix,
      REDIS_URL,
      DATABASE_URL: db.url,
      ADMIN_TOKEN: 'stack-images-admin-token',
      // The worker refuses to start without MLflow configured; no job runs here.
      MLFLOW_TRACKING_URI: `http://127.0.0.1:${await freePort()}`,
    };
    expect(commandOf('pipeline-api', img)).toEqual([...(img.dockerfile.final.cmd ?? [])]);
    const api = start(img, 'pipeline-api', commandOf('pipeline-api', img), env, root);
    await waitForHttp(`http://127.0.0.1:${port}/health`, api, 60_000);
    expect(await healthcheck(img, 'pipeline-api', env, root)).toBe(0);
    const worker = start(img, 'pipeline-worker', commandOf('pipeline-worker', img), env, root);
    await new Promise((r) => setTimeout(r, 5000));
    expect([worker.hasExited(), worker.logTail()]).toEqual([false, expect.any(String)]);
  }, 90_000);

  it('stream-scorer: CMD serves /ready (model loaded, group created), HEALTHCHECK passes', async () => {
    const img = image('stream-scorer');
    const port = await freePort();
    const env = {
      STREAM_METRICS_PORT: String(port),
      STREAM_METRICS_HOST: '127.0.0.1',
      REDIS_URL,
      STREAM_INPUT: `${prefix}:in`,
      STREAM_OUTPUT: `${prefix}:out`,
      STREAM_DEAD_LETTER: `${prefix}:dead`,
      STREAM_GROUP: `${prefix}-group`,
    };
    const proc = start(img, 'stream-scorer', img.dockerfile.final.cmd ?? [], env, root);
    await waitForHttp(`http://127.0.0.1:${port}/ready`, proc, 60_000);
    expect(await healthcheck(img, 'stream-scorer', env, root)).toBe(0);
    await proc.stop();
    // Its streams and group are this test's own: remove them from the shared Redis.
    await run('redis-cli', [
      '-u',
      REDIS_URL,
      'DEL',
      `${prefix}:in`,
      `${prefix}:out`,
      `${prefix}:dead`,
    ]).catch(() => undefined);
  }, 90_000);
});
