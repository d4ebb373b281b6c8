/**
 * The process twin's plan, derived from docker-compose.yml and the Dockerfiles — no second
 * service list: which compose services run, in which order, with which command, environment,
 * ports, mounts and health check, when each runs as a process on this machine instead of in a
 * container. Pure: the host's binaries come in through `Host`, IO happens in supervisor.ts.
 *
 * How a compose service becomes a process:
 * - our Node images (build with a `node:` base): the package directory of its Dockerfile, the
 *   compose `command` or the image's CMD, the image's ENV under the service's environment, the
 *   image's HEALTHCHECK command;
 * - the MLflow image: the image's ENTRYPOINT script (mlflow/entrypoint.py) with the Python of
 *   the MLflow venv (MLFLOW_BIN, or the CI's ~/.cache/wine-ci/venv-mlflow);
 * - third-party images: the system's binary of the same program (IMAGE_RUNNERS), the compose
 *   entrypoint/command with container paths mapped, and the listen address the container's
 *   network gave it;
 * - postgres and redis: used as found when something answers on their port, else started from
 *   the system's binaries with state under the data directory (supervisor.ts, data.ts);
 * - what cannot run here (Caddy's edge needs the rate-limit build and ports 80/443; one-shots of
 *   the `local` profile) is skipped with the reason.
 */
import path from 'node:path';
import {
  asArgv,
  parsePort,
  secretVariables,
  serviceEnvironment,
  type ComposeFile,
} from '../compose';
import type { DockerfileInfo } from '../dockerfile';
import type {
  Dependency,
  Health,
  Host,
  Mount,
  PostgresInit,
  ServicePlan,
  StackPlan,
  TwinOptions,
  TwinPort,
} from './types';
import { rewriteAddresses, rewritePaths, type AddressRewrite } from './rewrite';
import { IMAGE_RUNNERS, NOT_AS_PROCESS, type ImageRunner } from './runners';

export { urlTable, type UrlRow } from './urls';
export * from './types';

export class StackPlanError extends Error {
  readonly code = 'STACK_PLAN_INVALID';
}

const PORT_KEY = /(^|_)PORT$/;

function mountsOf(volumes: readonly string[], repo: string, dataDir: string): Mount[] {
  return volumes.map((spec) => {
    const [source = '', target = ''] = spec.split(':');
    if (source.startsWith('.') || source.startsWith('/')) {
      return { target, source: path.resolve(repo, source), kind: 'bind' as const };
    }
    return { target, source: path.join(dataDir, 'volumes', source), kind: 'volume' as const };
  });
}

/** Files the final stage COPYs from the build context (not from another stage). */
function copiedFiles(info: DockerfileInfo, context: string): Mount[] {
  return info.final.instructions
    .filter((i) => i.keyword === 'COPY' && !i.args.includes('--from='))
    .flatMap((i) => {
      const words = i.args
        .trim()
        .split(/\s+/)
        .filter((w) => !w.startsWith('--'));
      const dest = words.pop() ?? '';
      return words.map((src) => ({
        target: dest.endsWith('/') ? path.posix.join(dest, path.posix.basename(src)) : dest,
        source: path.join(context, src),
        kind: 'bind' as const,
      }));
    });
}

function topologicalOrder(
  names: readonly string[],
  deps: (name: string) => readonly string[],
): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]) => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') {
      throw new StackPlanError(`depends_on cycle: ${[...trail, name].join(' → ')}`);
    }
    state.set(name, 'visiting');
    for (const d of deps(name)) if (names.includes(d)) visit(d, [...trail, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const n of names) visit(n, []);
  return order;
}

/** Every container port any chosen service listens on (shifted wherever it is addressed). */
function listeningPorts(
  compose: ComposeFile,
  names: readonly string[],
  host: Host,
): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const name of names) {
    const service = compose.services[name];
    if (service === undefined) continue;
    const ports = new Set(service.ports.map((p) => parsePort(p).containerPort));
    const runner = IMAGE_RUNNERS.find((r) => r.image.test(service.image ?? ''));
    for (const p of runner?.defaultPorts ?? []) ports.add(p);
    // EXPOSE of a shared image (pipeline: API, worker, migrate) counts for the services that
    // serve it: those whose health check is not turned off.
    if (
      service.build !== undefined &&
      !(name in NOT_AS_PROCESS) &&
      service.healthcheck?.disable !== true
    ) {
      const info = host.dockerfile(
        path.posix.join(service.build.context, service.build.dockerfile),
      );
      for (const p of info.final.expose) ports.add(p);
    }
    out.set(
      name,
      [...ports].sort((a, b) => a - b),
    );
  }
  return out;
}

/** The URL in a health check command (`wget … http://127.0.0.1:9090/-/ready`, urlopen('…')). */
function urlIn(argv: readonly string[]): string | undefined {
  for (const arg of argv) {
    const m = /https?:\/\/[^\s'"]+:\d+[^\s'"]*/.exec(arg);
    if (m) return m[0];
  }
  return undefined;
}

export function planStack(
  compose: ComposeFile,
  env: Readonly<Record<string, string>>,
  options: TwinOptions,
  host: Host,
): StackPlan {
  const all = Object.keys(compose.services);
  for (const name of [...(options.only ?? []), ...(options.skip ?? [])]) {
    if (!all.includes(name)) {
      throw new StackPlanError(
        `no service ${JSON.stringify(name)} in docker-compose.yml (services: ${all.join(', ')})`,
      );
    }
  }
  const inProfiles = all.filter((name) => {
    const s = compose.services[name];
    return (
      s !== undefined &&
      (s.profiles.length === 0 || s.profiles.some((p) => options.profiles.includes(p)))
    );
  });
  const depsOf = (name: string) => Object.keys(compose.services[name]?.depends_on ?? {});
  let chosen = inProfiles;
  if (options.only !== undefined && options.only.length > 0) {
    const wanted = new Set<string>();
    const add = (name: string) => {
      if (wanted.has(name)) return;
      wanted.add(name);
      for (const d of depsOf(name)) if (inProfiles.includes(d) || options.only?.includes(d)) add(d);
    };
    for (const name of options.only) add(name);
    chosen = all.filter((n) => wanted.has(n));
  }
  const skip = new Set(options.skip ?? []);
  chosen = chosen.filter((n) => !skip.has(n));
  const order = topologicalOrder(chosen, depsOf);

  const ports = listeningPorts(compose, order, host);
  const rule: AddressRewrite = {
    services: all,
    ports: new Set([...ports.values()].flat()),
    offset: options.portOffset,
  };
  const services = order.map((name) =>
    planService(name, compose, env, options, host, rule, ports.get(name) ?? [], order),
  );
  return {
    services,
    notSelected: all.filter((n) => inProfiles.includes(n) && !chosen.includes(n)),
  };
}

function planService(
  name: string,
  compose: ComposeFile,
  projectEnv: Readonly<Record<string, string>>,
  options: TwinOptions,
  host: Host,
  rule: AddressRewrite,
  containerPorts: readonly number[],
  chosen: readonly string[],
): ServicePlan {
  const service = compose.services[name];
  if (service === undefined) throw new StackPlanError(`no service ${name}`);
  const notAsProcess = NOT_AS_PROCESS[name];
  if (notAsProcess !== undefined) return { kind: 'skipped', name, reason: notAsProcess };

  const root = path.join(options.dataDir, 'root', name);
  const published = service.ports.map(parsePort);
  const twinPorts: TwinPort[] = containerPorts.map((containerPort) => {
    const pub = published.find((p) => p.containerPort === containerPort);
    const bind =
      pub === undefined ? '127.0.0.1' : (pub.hostIp ?? '0.0.0.0').replace(/^\[|\]$/g, '');
    return { containerPort, port: containerPort + options.portOffset, bind };
  });
  const mounts = mountsOf(service.volumes, options.repo, options.dataDir);
  const secrets = secretVariables(compose, name).map((variable, i) => {
    const ref = (service['secrets'] as unknown[] | undefined)?.[i];
    const target =
      typeof ref === 'object' && ref !== null && 'target' in ref && typeof ref.target === 'string'
        ? ref.target
        : `/run/secrets/${typeof ref === 'string' ? ref : variable}`;
    return { target, variable };
  });
  const dependsOn: Dependency[] = Object.entries(service.depends_on)
    .filter(([dep]) => chosen.includes(dep))
    .map(([dep, d]) => ({ service: dep, condition: d.condition as Dependency['condition'] }));

  let dockerfile: DockerfileInfo | undefined;
  const imageMounts: Mount[] = [];
  let runner: ImageRunner | undefined;
  if (service.build !== undefined) {
    dockerfile = host.dockerfile(path.posix.join(service.build.context, service.build.dockerfile));
    imageMounts.push(...copiedFiles(dockerfile, path.resolve(options.repo, service.build.context)));
  } else {
    runner = IMAGE_RUNNERS.find((r) => r.image.test(service.image ?? ''));
    if (runner === undefined) {
      return {
        kind: 'skipped',
        name,
        reason: `no process runs the image ${service.image ?? '?'} here`,
      };
    }
  }
  const allMounts = [...mounts, ...imageMounts];
  const targets = [...allMounts.map((m) => m.target), ...secrets.map((s) => s.target)];
  const rewrite = (text: string) => rewritePaths(rewriteAddresses(text, rule), targets, root);
  // An argument that is just a name (`sh -c '…' alertmanager`: $0) is no address.
  const rewriteArg = (arg: string) => (rule.services.includes(arg) ? arg : rewrite(arg));

  // Environment: the image's ENV, then the service's; addresses, ports, binds, paths mapped.
  const composeEnv = serviceEnvironment(service, projectEnv);
  const imageEnv = { ...(dockerfile?.final.env ?? {}) };
  delete imageEnv['PATH'];
  const merged: Record<string, string> = { ...imageEnv, ...composeEnv };
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(merged)) {
    if (PORT_KEY.test(key) && /^\d+$/.test(value) && rule.ports.has(Number(value))) {
      env[key] = String(Number(value) + options.portOffset);
    } else if (value === '0.0.0.0' && /HOST$/.test(key)) {
      const port = Number(merged[key.replace(/HOST$/, 'PORT')]);
      env[key] = twinPorts.find((p) => p.containerPort === port)?.bind ?? '127.0.0.1';
    } else {
      env[key] = rewrite(value);
    }
  }

  const command = asArgv(service.command);
  const entrypoint = asArgv(service.entrypoint);
  let argv: string[];
  let cwd = root;
  let health: Health = { kind: 'none' };
  const healthTest = service.healthcheck?.disable === true ? undefined : service.healthcheck?.test;
  const composeHealth = healthTest === undefined ? undefined : asArgv(healthTest);
  let data: 'postgres' | 'redis' | undefined;
  let postgres: PostgresInit | undefined;
  let runAsUser: string | undefined;
  let missingProgram: { program: string; install: string } | undefined;
  const restart = service.restart ?? 'no';

  if (dockerfile !== undefined && service.build !== undefined) {
    const base = dockerfile.final.from;
    const imageCmd = [...(dockerfile.final.cmd ?? [])];
    const imageEntry = [...(dockerfile.final.entrypoint ?? [])];
    const full = [...(entrypoint ?? imageEntry), ...(command ?? (entrypoint ? [] : imageCmd))];
    const check =
      service.healthcheck?.disable === true
        ? undefined
        : (composeHealth ?? dockerfile.final.healthcheck?.test);
    if (base.startsWith('node:')) {
      const build = service.build;
      cwd = path.resolve(options.repo, build.context, path.posix.dirname(build.dockerfile));
      const node = (argv0: string | undefined) => (argv0 === 'node' ? host.nodePath : argv0);
      argv = full.map((a, i) => (i === 0 ? (node(a) ?? a) : rewriteArg(a)));
      if (check !== undefined) {
        const url = urlIn(check);
        health =
          url === undefined
            ? { kind: 'command', argv: check.map((a, i) => (i === 0 ? (node(a) ?? a) : a)) }
            : { kind: 'http', url: rewrite(url) };
      }
      env['PATH'] = host.baseEnv['PATH'] ?? '/usr/bin:/bin';
    } else if (base.startsWith('python:')) {
      if (host.mlflowPython === undefined) {
        return {
          kind: 'missing',
          name,
          program: 'the MLflow venv',
          install:
            "python3 -m venv ~/.cache/wine-ci/venv-mlflow && ~/.cache/wine-ci/venv-mlflow/bin/pip install -r mlflow/requirements.txt (the image's pins), or set MLFLOW_BIN to the mlflow of such a venv",
        };
      }
      const python = host.mlflowPython;
      argv = full.map((a, i) => (i === 0 && a.startsWith('python') ? python : rewriteArg(a)));
      env['PATH'] = `${path.dirname(python)}:${host.baseEnv['PATH'] ?? '/usr/bin:/bin'}`;
      // mlflow/entrypoint.py reads these: the container listens on 0.0.0.0:5000.
      const p = twinPorts.find((t) => t.containerPort === 5000) ?? twinPorts[0];
      if (p !== undefined) {
        env['MLFLOW_HOST'] = p.bind;
        env['MLFLOW_PORT'] = String(p.port);
      }
      if (check !== undefined) {
        const url = urlIn(check);
        if (url !== undefined) health = { kind: 'http', url: rewrite(url) };
      }
    } else {
      return { kind: 'skipped', name, reason: `no process runs an image built on ${base} here` };
    }
  } else {
    const r = runner as ImageRunner;
    const found = r.programs.map((p) => host.which(p)).find((p) => p !== undefined);
    // PostgreSQL/Redis may be running without their binaries here: the supervisor decides.
    if (found === undefined && r.data !== undefined) {
      missingProgram = { program: r.programs.join(' or '), install: r.install };
    }
    const program = found ?? (r.data === undefined ? undefined : (r.programs[0] ?? name));
    if (program === undefined) {
      if (r.optional) {
        return {
          kind: 'skipped',
          name,
          reason: `${r.programs[0] ?? name} is not installed; install it from ${r.install}`,
        };
      }
      return { kind: 'missing', name, program: r.programs.join(' or '), install: r.install };
    }
    const listen = twinPorts[0] === undefined ? [] : (r.listen?.(twinPorts[0]) ?? []);
    const mapBinary = (a: string) =>
      r.containerBinary === undefined ? a : a.split(r.containerBinary).join(program);
    if (r.data === 'redis') {
      data = 'redis';
      const args = (command ?? ['redis-server']).slice(1);
      const p = twinPorts[0];
      argv = [program, ...args, '--port', String(p?.port ?? 6379), '--bind', '127.0.0.1'];
      // The image's WORKDIR /data is the volume: appendonly files land there.
      cwd =
        mounts.find((m) => m.target === '/data')?.source ??
        path.join(options.dataDir, 'volumes', 'redis-data');
      health = { kind: 'none' };
    } else if (r.data === 'postgres') {
      data = 'postgres';
      const p = twinPorts[0];
      const volume =
        mounts.find((m) => m.target === '/var/lib/postgresql/data')?.source ??
        path.join(options.dataDir, 'volumes', 'postgres-data');
      const socketDir = path.join(options.dataDir, 'run', name);
      argv = [
        program,
        '-D',
        volume,
        '-p',
        String(p?.port ?? 5432),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${socketDir}`,
      ];
      cwd = volume;
      const initdb = host.which('initdb');
      postgres =
        initdb === undefined
          ? undefined
          : {
              initdb,
              psql: host.which('psql'),
              user: env['POSTGRES_USER'] ?? 'postgres',
              password: env['POSTGRES_PASSWORD'] ?? '',
              database: env['POSTGRES_DB'] ?? env['POSTGRES_USER'] ?? 'postgres',
              scripts: mounts
                .filter(
                  (m) =>
                    m.target.startsWith('/docker-entrypoint-initdb.d/') &&
                    m.target.endsWith('.sql'),
                )
                .sort((a, b) => a.target.localeCompare(b.target))
                .map((m) => m.source),
              dataDir: volume,
              socketDir,
            };
      runAsUser = 'postgres';
    } else {
      const entry =
        entrypoint === undefined ? [program] : entrypoint.map((a) => rewriteArg(mapBinary(a)));
      argv = [...entry, ...(command ?? []).map(rewriteArg), ...listen];
      const replaced = twinPorts[0] && r.replace?.(program, twinPorts[0], root);
      if (replaced) {
        argv = replaced.argv;
        Object.assign(env, replaced.env);
      }
      if (composeHealth !== undefined) {
        const url = urlIn(composeHealth);
        if (url !== undefined) health = { kind: 'http', url: rewrite(url) };
      }
    }
    env['PATH'] = host.baseEnv['PATH'] ?? '/usr/bin:/bin';
  }
  env['HOME'] = host.baseEnv['HOME'] ?? root;

  return {
    kind: 'process',
    name,
    argv,
    cwd,
    env,
    root,
    mounts: allMounts,
    secrets,
    ports: twinPorts,
    health,
    oneShot: restart === 'no',
    restart,
    dependsOn,
    data,
    postgres,
    runAsUser,
    missingProgram,
    rewrite,
  };
}
