#!/usr/bin/env node
/**
 * `pnpm run stack`: the compose stack as processes on this machine, for machines without
 * Docker — the same docker-compose.yml, .env, Prometheus/Alertmanager configs and Dockerfile
 * commands (src/twin/plan.ts says how each service maps). Ctrl-C stops everything.
 */
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { runCli } from '@wine/training-scripts';
import { parseCompose, readEnvFile } from '../compose';
import { parseDockerfile, type DockerfileInfo } from '../dockerfile';
import { resolveEnv } from '../twin/env';
import { planStack, urlTable, type Host, type ProcessService } from '../twin/plan';
import { consoleOutput, StackError, Supervisor } from '../twin/supervisor';

const ROOT = path.resolve(__dirname, '..', '..', '..');

const list = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== ''),
];

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 50_000)
    throw new InvalidArgumentError('an integer from 0 to 50000');
  return n;
}

function program(): Command {
  return new Command('stack')
    .description(
      'Run the compose stack (docker-compose.yml) as processes on this machine, without Docker: ' +
        'PostgreSQL and Redis as found (or started from their binaries), migrations, MLflow from its venv, ' +
        'the prediction service, model monitor, pipeline worker and API, stream scorer, Prometheus and ' +
        'Alertmanager. Prints the URLs when everything is ready; Ctrl-C stops it all.',
    )
    .option(
      '--profile <names>',
      'compose profiles to run, comma-separated (default: COMPOSE_PROFILES of .env / .env.sample)',
      list,
    )
    .option(
      '--only <services>',
      'only these services and what they depend on, comma-separated',
      list,
    )
    .option('--skip <services>', 'leave these services out, comma-separated', list)
    .option(
      '--port-offset <n>',
      'add n to every port (a second stack beside the first; starts its own PostgreSQL/Redis)',
      integer,
      0,
    )
    .option(
      '--data-dir <dir>',
      'state: databases, volumes, logs, generated secrets',
      path.join(ROOT, '.stack'),
    )
    .option('--no-logs', "don't print the services' output (still in <data-dir>/logs)")
    .option('--plan', 'print what would run (commands, ports, environment names) and exit')
    .option('--ready-timeout <s>', 'seconds each service may take to become healthy', integer, 120)
    .showHelpAfterError()
    .addHelpText(
      'after',
      `
Sources: docker-compose.yml and the Dockerfiles (commands, environment, health checks, ports,
depends_on, restart), .env (else .env.sample) under the shell's variables, prometheus/ and the
other mounted configs with compose's service names turned into 127.0.0.1 addresses. Secrets that
neither sets are generated once into <data-dir>/secrets.env.

Needs: PostgreSQL and Redis (running, or their binaries), the MLflow venv (MLFLOW_BIN or
~/.cache/wine-ci/venv-mlflow with mlflow/requirements.txt), prometheus and
prometheus-alertmanager (sudo apt-get install prometheus prometheus-alertmanager). Not run as
processes: caddy (edge profile), azurite (local profile); grafana when not installed.

Examples:
  pnpm run stack
  pnpm run stack -- --only prediction-service          # the API with PostgreSQL, migrations, MLflow
  pnpm run stack -- --port-offset 1000 --data-dir /tmp/stack2
  pnpm run stack -- --skip prometheus,alertmanager --no-logs`,
    );
}

interface Options {
  profile?: string[];
  only?: string[];
  skip?: string[];
  portOffset: number;
  dataDir: string;
  logs: boolean;
  plan?: boolean;
  readyTimeout: number;
}

/** PATH, then the directories distributions keep server binaries in. */
function which(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  try {
    // Debian's PostgreSQL: /usr/lib/postgresql/<major>/bin, newest first.
    const majors = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    dirs.push(...majors.map((m) => `/usr/lib/postgresql/${m}/bin`));
  } catch {
    // none
  }
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function mlflowPython(): string | undefined {
  const bin = process.env['MLFLOW_BIN'];
  const candidates = [
    ...(bin === undefined
      ? []
      : [path.join(path.dirname(bin), 'python'), path.join(path.dirname(bin), 'python3')]),
    path.join(
      process.env['WINE_CI_CACHE'] ?? path.join(homedir(), '.cache', 'wine-ci'),
      'venv-mlflow',
      'bin',
      'python',
    ),
  ];
  return candidates.find((c) => existsSync(c));
}

function host(): Host {
  const cache = new Map<string, DockerfileInfo>();
  return {
    which,
    nodePath: process.execPath,
    mlflowPython: mlflowPython(),
    dockerfile: (file) => {
      let info = cache.get(file);
      if (info === undefined) {
        info = parseDockerfile(readFileSync(path.join(ROOT, file), 'utf8'));
        cache.set(file, info);
      }
      return info;
    },
    baseEnv: {
      PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: process.env['HOME'] ?? homedir(),
      ...(process.env['LANG'] === undefined ? {} : { LANG: process.env['LANG'] }),
      ...(process.env['TZ'] === undefined ? {} : { TZ: process.env['TZ'] }),
    },
  };
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

async function main(): Promise<void> {
  const opts = program().parse().opts<Options>();
  const dataDir = path.resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const secretsPath = path.join(dataDir, 'secrets.env');
  const resolved = resolveEnv(
    {
      processEnv: process.env,
      envFile: readEnvFile(path.join(ROOT, '.env')),
      envSample: readEnvFile(path.join(ROOT, '.env.sample')),
      generatedFile: readEnvFile(secretsPath),
    },
    () => randomBytes(16).toString('hex'),
  );
  if (resolved.writeGenerated !== undefined)
    writeFileSync(secretsPath, resolved.writeGenerated, { mode: 0o600 });
  const env = resolved.env;
  const profiles =
    opts.profile ??
    (env['COMPOSE_PROFILES'] ?? 'data,control,prediction').split(',').map((s) => s.trim());
  const compose = parseCompose(
    readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'),
    (name) => env[name],
  );
  const plan = planStack(
    compose,
    env,
    {
      repo: ROOT,
      dataDir,
      profiles,
      only: opts.only,
      skip: opts.skip,
      portOffset: opts.portOffset,
    },
    host(),
  );

  const processes = plan.services.filter((s): s is ProcessService => s.kind === 'process');
  const names = plan.services.map((s) => s.name);
  const color = process.stdout.isTTY && process.env['NO_COLOR'] === undefined;
  const output = consoleOutput(names, color, opts.logs);
  const rel = (p: string) =>
    path.relative(process.cwd(), p).startsWith('..') ? p : path.relative(process.cwd(), p) || '.';

  output.status(
    `docker-compose.yml, profiles ${profiles.join(',')}; values from ${resolved.from === 'none' ? 'the environment' : `${resolved.from} and the environment`}` +
      (resolved.generated.length > 0
        ? `; generated ${resolved.generated.join(', ')} (${rel(secretsPath)})`
        : ''),
  );
  for (const s of plan.services) {
    if (s.kind === 'skipped') output.status(`${s.name}: not started — ${s.reason}`);
  }
  if (plan.notSelected.length > 0)
    output.status(`left out (--only/--skip): ${plan.notSelected.join(', ')}`);
  const missing = plan.services.filter((s) => s.kind === 'missing');
  if (missing.length > 0) {
    throw new StackError(
      'STACK_PROGRAM_MISSING',
      [
        'cannot run the stack, programs are missing:',
        ...missing.map((m) => `  ${m.name}: ${m.program} not found — ${m.install}`),
        `or leave them out: --skip ${missing.map((m) => m.name).join(',')}`,
      ].join('\n'),
    );
  }

  if (opts.plan) {
    for (const s of processes) {
      console.log(
        `\n${s.name}${s.data ? ` (${s.data}: used as found on its port, else started)` : ''}`,
      );
      console.log(`  command  ${s.argv.join(' ')}`);
      console.log(`  cwd      ${rel(s.cwd)}`);
      console.log(`  ports    ${s.ports.map((p) => `${p.bind}:${p.port}`).join(', ') || '-'}`);
      console.log(
        `  health   ${s.health.kind === 'http' ? s.health.url : s.health.kind === 'command' ? 'the image HEALTHCHECK command' : s.oneShot ? 'must exit 0' : '-'}`,
      );
      console.log(
        `  after    ${s.dependsOn.map((d) => `${d.service} (${d.condition.replace('service_', '')})`).join(', ') || '-'}`,
      );
      console.log(`  restart  ${s.restart}`);
      console.log(`  env      ${Object.keys(s.env).sort().join(' ')}`);
    }
    return;
  }

  const supervisor = new Supervisor(plan.services, {
    dataDir,
    projectEnv: env,
    output,
    readyTimeoutMs: opts.readyTimeout * 1000,
  });
  let signals = 0;
  let stopped: Promise<void> | undefined;
  const stop = (why: string) => {
    signals += 1;
    if (signals > 1) {
      output.status('second signal: SIGKILL to everything');
      supervisor.kill();
      return;
    }
    output.status(`${why}: stopping (Ctrl-C again to kill at once)`);
    stopped = supervisor.stop();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    stop(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const started = Date.now();
  try {
    await supervisor.start();
  } catch (error) {
    if (signals === 0) {
      output.status(`start failed: stopping what started`);
      await supervisor.stop();
      throw error;
    }
  }
  if (signals === 0) {
    const rows = urlTable(
      processes.filter((s) => !supervisor.adopted().includes(s.name) || s.data !== undefined),
      (s) => s.env,
    );
    output.status(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
    for (const line of table([
      ['service', 'url', 'what'],
      ...rows.map((r) => [r.service, r.url, r.what]),
    ])) {
      output.status(`  ${line}`);
    }
    output.status(
      `logs: ${rel(path.join(dataDir, 'logs'))}/<service>.log; Ctrl-C stops everything`,
    );
    await Promise.race([
      supervisor.failed,
      new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          if (signals > 0) {
            clearInterval(timer);
            resolve();
          }
        }, 200);
      }),
    ]).catch(async (error: unknown) => {
      output.status('a service failed: stopping the stack');
      await supervisor.stop();
      throw error;
    });
  }
  await stopped;
  output.status('stopped');
}

runCli(main, { secrets: [] });
