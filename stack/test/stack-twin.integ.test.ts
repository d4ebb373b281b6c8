/**
 * `pnpm run stack` for real: the built CLI started as a user starts it (a clean shell
 * environment, the repository's docker-compose.yml and .env.sample), on ports shifted by a
 * random offset so it runs beside other stacks and tests, with a temp data directory — so it
 * starts its own PostgreSQL and Redis from the system's binaries (nothing answers on the
 * shifted ports), migrates, starts MLflow from its venv and every service of the default
 * profiles. Then: /predict answers through it, Prometheus scrapes every target (up == 1), a
 * killed service is restarted, SIGINT stops it with exit 0 and leaves no process behind.
 * MLflow's first start (its schema migrations) is the long pole: ~60 s on a busy 2-core machine.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { EXAMPLE_WINE } from '@wine/model';
import { describeWithServices } from '../../packages/mlflow-client/test/real-services';
import { parseCompose, servicesFor } from '../src/compose';
import { portFree } from '../src/twin/host';
import { REPO } from './tools';

const CLI = path.join(REPO, 'stack', 'dist', 'cli', 'stack.js');
// The services of the default profiles, from the compose file (Grafana only when installed).
const compose = parseCompose(
  readFileSync(path.join(REPO, 'docker-compose.yml'), 'utf8'),
  () => 'x',
);
const PORTS = [5000, 5432, 6379, 9090, 9093, 9696, 9697, 9698, 9699, 9700];

function which(name: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

const mlflowPython = [
  process.env['MLFLOW_BIN'] && path.join(path.dirname(process.env['MLFLOW_BIN']), 'python'),
  path.join(
    process.env['WINE_CI_CACHE'] ?? path.join(homedir(), '.cache', 'wine-ci'),
    'venv-mlflow',
    'bin',
    'python',
  ),
].find((p): p is string => typeof p === 'string' && existsSync(p));

const pgBin = (name: string) =>
  which(name) ??
  (existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql')
        .map((v) => `/usr/lib/postgresql/${v}/bin/${name}`)
        .find(existsSync)
    : undefined);

const missing = [
  ...(existsSync(CLI) ? [] : [`${CLI} not built (pnpm build)`]),
  ...(mlflowPython === undefined
    ? ['the MLflow venv (MLFLOW_BIN or ~/.cache/wine-ci/venv-mlflow)']
    : []),
  ...['prometheus', 'redis-server', 'psql']
    .filter((t) => which(t) === undefined)
    .map((t) => `${t} not found`),
  ...((which('prometheus-alertmanager') ?? which('alertmanager'))
    ? []
    : ['prometheus-alertmanager not found']),
  ...['postgres', 'initdb'].filter((t) => pgBin(t) === undefined).map((t) => `${t} not found`),
];

const PLANNED = servicesFor(compose, ['data', 'control', 'prediction']).filter(
  (s) => s !== 'grafana' || which('grafana-server') !== undefined,
);

/** An offset whose shifted ports are all free now. */
async function freeOffset(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const offset = 20_000 + Math.floor(Math.random() * 300) * 100; // ≤ 49 900: ports stay < 60 000
    const free = await Promise.all(PORTS.map((p) => portFree(p + offset, '127.0.0.1')));
    if (free.every(Boolean)) return offset;
  }
  throw new Error('no free port offset');
}

/** Every descendant process id of `pid` (from /proc). */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(entry), ppid);
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) {
      if (pp === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    // A zombie is gone for good (its parent has not reaped it yet).
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

interface Run {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exit: Promise<number | null>;
}

function startCli(args: string[]): Run {
  // What a user's shell has: no DATABASE_URL, REDIS_URL or other test settings leak in.
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? homedir(),
  };
  for (const name of ['MLFLOW_BIN', 'WINE_CI_CACHE']) {
    const v = process.env[name];
    if (v !== undefined) env[name] = v;
  }
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (c: Buffer) => {
    text += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    text += c.toString();
  });
  const exit = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
  return { child, output: () => text, exit };
}

async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined> | T | undefined,
  run: Run,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    if (run.child.exitCode !== null)
      throw new Error(
        `the stack exited (${run.child.exitCode}) before ${what}:\n${run.output().slice(-4000)}`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(
    `${what}: not within ${timeoutMs / 1000} s; output:\n${run.output().slice(-4000)}`,
  );
}

describeWithServices(
  'pnpm run stack: the compose stack as processes',
  missing,
  () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'wine-stack-'));
    let run: Run | undefined;
    let offset = 0;
    let pids: number[] = [];

    afterAll(async () => {
      if (run !== undefined && run.child.exitCode === null) {
        run.child.kill('SIGKILL');
        await run.exit;
      }
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      rmSync(dataDir, { recursive: true, force: true });
    }, 30_000);

    it('starts every service, answers /predict, Prometheus scrapes every target, SIGINT stops all', async () => {
      offset = await freeOffset();
      run = startCli(['--port-offset', String(offset), '--data-dir', dataDir, '--no-logs']);
      const current = run;
      await waitFor(
        'ready',
        240_000,
        () => (current.output().includes('| ready in ') ? true : undefined),
        current,
      );
      const out = current.output();
      for (const service of PLANNED) {
        expect(out).toMatch(new RegExp(`\\| ${service} (ready|started|completed)`));
        expect(existsSync(path.join(dataDir, 'logs', `${service}.log`))).toBe(true);
      }
      expect(out).toContain(`http://localhost:${9696 + offset}/docs`);
      expect(out).toMatch(/grafana: not started|grafana ready/);

      const predict = await fetch(`http://127.0.0.1:${9696 + offset}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(EXAMPLE_WINE),
      });
      expect(predict.status).toBe(200);
      const body = (await predict.json()) as { quality?: unknown; prediction?: unknown };
      expect(JSON.stringify(body)).toMatch(/\d/);

      // MLflow with the stack's generated admin password.
      const secrets = readFileSync(path.join(dataDir, 'secrets.env'), 'utf8');
      const password = /^MLFLOW_TRACKING_PASSWORD=(.+)$/m.exec(secrets)?.[1] ?? '';
      const search = await fetch(
        `http://127.0.0.1:${5000 + offset}/api/2.0/mlflow/experiments/search?max_results=1`,
        {
          headers: {
            authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`,
          },
        },
      );
      expect(search.status).toBe(200);

      // Every scrape job of prometheus/prometheus.yml is up (scrape interval 15 s).
      const jobs = [
        'prediction-service',
        'model-monitor',
        'pipeline-api',
        'stream-scorer',
        'prometheus',
      ];
      const up = await waitFor(
        'every Prometheus target up',
        45_000,
        async () => {
          const res = await fetch(`http://127.0.0.1:${9090 + offset}/api/v1/query?query=up`);
          const data = (await res.json()) as {
            data: { result: { metric: { job: string }; value: [number, string] }[] };
          };
          const byJob = Object.fromEntries(data.data.result.map((r) => [r.metric.job, r.value[1]]));
          return jobs.every((j) => byJob[j] === '1') ? byJob : undefined;
        },
        current,
      );
      expect(Object.keys(up).sort()).toEqual([...jobs].sort());
      // Prometheus knows its Alertmanager.
      const ams = (await (
        await fetch(`http://127.0.0.1:${9090 + offset}/api/v1/alertmanagers`)
      ).json()) as {
        data: { activeAlertmanagers: { url: string }[] };
      };
      expect(ams.data.activeAlertmanagers.map((a) => a.url)).toEqual([
        `http://127.0.0.1:${9093 + offset}/api/v2/alerts`,
      ]);

      // A service that dies is restarted (restart: unless-stopped) and serves again.
      const monitor = descendants(current.child.pid ?? -1).find((pid) => {
        try {
          return readlinkSync(`/proc/${pid}/cwd`) === path.join(REPO, 'model-monitor');
        } catch {
          return false;
        }
      });
      expect(monitor).toBeDefined();
      process.kill(monitor ?? -1, 'SIGKILL');
      await waitFor(
        'model-monitor restarted',
        60_000,
        () => (current.output().includes('| model-monitor restarted') ? true : undefined),
        current,
      );
      expect(current.output()).toMatch(
        /\| model-monitor exited with SIGKILL; restarting in 0\.5 s \(restart: unless-stopped\)/,
      );
      expect((await fetch(`http://127.0.0.1:${9698 + offset}/health`)).status).toBe(200);

      pids = descendants(current.child.pid ?? -1);
      expect(pids.length).toBeGreaterThanOrEqual(11);
      current.child.kill('SIGINT');
      expect(await current.exit).toBe(0);
      expect(current.output()).toContain('| stopped');
      expect(pids.filter(alive)).toEqual([]);
    }, 330_000);
  },
  'bash .ci/services/mlflow.sh, .ci/services/prometheus.sh, .ci/services/redis.sh; PostgreSQL server binaries (postgres, initdb); pnpm build',
);

describe('pnpm run stack: errors that say what to do', () => {
  let server: Server | undefined;
  afterAll(() => server?.close());

  it('a taken port fails before anything starts, naming the port and --port-offset', async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} not built (pnpm build)`);
    const offset = await freeOffset();
    server = createServer();
    await new Promise<void>((resolve) => server?.listen(9699 + offset, '127.0.0.1', resolve));
    const dataDir = mkdtempSync(path.join(tmpdir(), 'wine-stack-port-'));
    try {
      const run = startCli([
        '--port-offset',
        String(offset),
        '--data-dir',
        dataDir,
        '--skip',
        'mlflow',
      ]);
      expect(await run.exit).toBe(1);
      expect(run.output()).toContain(`port in use: 127.0.0.1:${9699 + offset} (pipeline-api)`);
      expect(run.output()).toContain('--port-offset');
      expect(existsSync(path.join(dataDir, 'volumes'))).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);

  it('an unknown service fails with the list of services', async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} not built (pnpm build)`);
    const dataDir = mkdtempSync(path.join(tmpdir(), 'wine-stack-only-'));
    try {
      const run = startCli(['--only', 'api', '--data-dir', dataDir, '--plan']);
      expect(await run.exit).toBe(1);
      expect(run.output()).toMatch(
        /no service "api" in docker-compose.yml \(services: .*prediction-service/,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});
