/**
 * docker-compose.yml against the Compose specification (docker compose's own `config`, no
 * engine needed) and against the contracts around it: the profiles and .env names of
 * @wine/stack-contract, .env.sample, each process's variables, the published ports, the
 * Prometheus/Alertmanager/Grafana configs, pinned images, health checks, restart policies and
 * limits. The tooling's own reading of the file (used by `pnpm run stack` and the release) must
 * resolve exactly as docker compose does. ~3 s.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KEY_VAULT_ENV_DOCS, STORAGE_ENV_DOCS } from '@wine/azure';
import { ENV_DOCS as PIPELINE_ENV_DOCS } from '@wine/pipeline';
import { ENV_DOCS as SERVICE_ENV_DOCS } from '@wine/prediction-service';
import { MONITOR_ENV_DOCS } from '@wine/model-monitor';
import { STREAM_ENV_DOCS } from '@wine/stream-scorer';
import { ADMIN_UIS, COMPOSE_PROFILES_BY_ROLE, PORTS, STACK_ENV_NAMES } from '@wine/stack-contract';
import { parse as parseYaml } from 'yaml';
import {
  asArgv,
  parseCompose,
  parsePort,
  projectEnvironment,
  readComposeTree,
  secretVariables,
  serviceEnvironment,
  servicesFor,
  type ComposeFile,
} from '../src/compose';
import { parseDockerfile } from '../src/dockerfile';
import { variablesOf } from '../src/interpolate';
import { LAPTOP_ENV, MACHINES, machineEnvFile, toEnvFile } from './compose-env';
import { DOCKER_COMPOSE, REPO, describeWithTool } from './tools';

const TEXT = readFileSync(path.join(REPO, 'docker-compose.yml'), 'utf8');
const SAMPLE = readFileSync(path.join(REPO, '.env.sample'), 'utf8');
const resolve = (env: Readonly<Record<string, string>>): ComposeFile =>
  parseCompose(TEXT, (name) => env[name]);
const LAPTOP = resolve(LAPTOP_ENV);

const PROFILE_SERVICES: Record<string, string[]> = {
  data: ['postgres', 'redis'],
  control: [
    'migrate',
    'mlflow',
    'model-monitor',
    'pipeline-worker',
    'pipeline-api',
    'stream-scorer',
    'prometheus',
    'alertmanager',
    'grafana',
  ],
  prediction: ['prediction-service'],
  edge: ['caddy'],
  local: ['azurite', 'azurite-init'],
};
/** Run once and exit (restart "no", no health check). */
const ONE_SHOT = ['migrate', 'azurite-init'];
/** Published on all interfaces: the public API only (Caddy, or 9696 where there is no edge). */
const PUBLIC = ['caddy:80', 'caddy:443', 'prediction-service:9696'];
const MLFLOW_CLIENT_ENV = [
  'MLFLOW_TRACKING_URI',
  'MLFLOW_TRACKING_USERNAME',
  'MLFLOW_TRACKING_PASSWORD',
  'MLFLOW_TRACKING_TOKEN',
  'MLFLOW_HTTP_REQUEST_TIMEOUT',
  'MLFLOW_HTTP_REQUEST_MAX_RETRIES',
];
/** STACK_ENV names the compose file does not read, and why. */
const NOT_READ_BY_COMPOSE: Record<string, string> = {
  WINE_PROFILE: 'informational, for people reading the .env',
  WINE_HOST_ROLE: 'informational, for people reading the .env',
  COMPOSE_PROFILES: 'read by docker compose itself',
  AZURE_STORAGE_ACCOUNT_NAME: 'for people and az CLI; processes use AZURE_STORAGE_ACCOUNT_URL',
};
/** Third-party images: the tools their health checks use (each image's own documentation/base). */
const IMAGE_TOOLS: Record<string, string[]> = {
  postgres: ['pg_isready'],
  redis: ['sh', 'redis-cli', 'grep'],
  'prom/prometheus': ['wget'], // busybox base
  'prom/alertmanager': ['wget', 'sh'], // busybox base
  'grafana/grafana': ['wget', 'sh'], // alpine base
  'mcr.microsoft.com/azure-storage/azurite': ['nc'], // node alpine base
};

/** The secrets `.env.sample` leaves empty for the user (the lines `NAME=` of the stack section). */
function requiredSecrets(): string[] {
  const section = SAMPLE.split(/^# --- prediction service/m)[0] ?? '';
  return [...section.matchAll(/^([A-Z][A-Z0-9_]+)=$/gm)].map((m) => m[1] as string);
}

/** The names a `for name in A B C; do` loop over .env lines fills in. */
function filledIn(text: string): string[] {
  return /for name in ([A-Z0-9_ ]+); do/.exec(text)?.[1]?.split(' ') ?? [];
}

function documentedNames(): Set<string> {
  return new Set([...SAMPLE.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1] as string));
}

describe('docker-compose.yml', () => {
  it('puts every service in exactly one profile, as @wine/stack-contract describes them', () => {
    const byProfile: Record<string, string[]> = {};
    for (const [name, service] of Object.entries(LAPTOP.services)) {
      expect([name, service.profiles.length]).toEqual([name, 1]);
      (byProfile[service.profiles[0] as string] ??= []).push(name);
    }
    expect(byProfile).toEqual(PROFILE_SERVICES);
    const machineProfiles = new Set(Object.values(COMPOSE_PROFILES_BY_ROLE).flat());
    expect([...machineProfiles].sort()).toEqual(['control', 'data', 'edge', 'prediction']);
  });

  it('publishes only the public API on all interfaces; everything else on 127.0.0.1', () => {
    for (const env of [
      LAPTOP_ENV,
      ...MACHINES.filter(([r]) => r === 'all-in-one').map(([r, e]) => machineEnvFile(r, e)),
    ]) {
      const compose = resolve(env);
      for (const [name, service] of Object.entries(compose.services)) {
        for (const port of service.ports.map(parsePort)) {
          const key = `${name}:${port.containerPort}`;
          if (PUBLIC.includes(key) && env['WINE_HOST_ROLE'] === undefined) continue;
          if (PUBLIC.includes(key) && name === 'caddy') continue;
          expect([key, port.hostIp]).toEqual([key, '127.0.0.1']);
        }
      }
    }
  });

  it('publishes every admin UI on its agreed port of 127.0.0.1', () => {
    for (const ui of ADMIN_UIS) {
      const service = LAPTOP.services[ui.name.replace('_', '-')];
      expect(service?.ports.map(parsePort)).toContainEqual({
        hostIp: '127.0.0.1',
        hostPort: ui.port,
        containerPort: ui.port,
      });
    }
    const prediction = LAPTOP.services['prediction-service']?.ports.map(parsePort);
    expect(prediction).toContainEqual({
      hostIp: '127.0.0.1',
      hostPort: PORTS.management,
      containerPort: PORTS.management,
    });
  });

  it('documents in .env.sample every variable it reads', () => {
    const documented = documentedNames();
    const tree = readComposeTree(TEXT);
    const valueless = Object.values(
      tree['services'] as Record<string, { environment?: Record<string, unknown> }>,
    )
      .flatMap((s) => Object.entries(s.environment ?? {}))
      .filter(([, v]) => v === null)
      .map(([k]) => k);
    const read = new Set([...variablesOf(TEXT), ...valueless]);
    expect([...read].filter((name) => !documented.has(name)).sort()).toEqual([]);
  });

  it('asks for the same secrets in .env.sample, the README, the CI stack job and these tests', () => {
    const required = requiredSecrets();
    expect(required).toEqual([
      'POSTGRES_PASSWORD',
      'MLFLOW_TRACKING_PASSWORD',
      'GF_SECURITY_ADMIN_PASSWORD',
      'ADMIN_TOKEN',
      'PIPELINE_WEBHOOK_TOKEN',
    ]);
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const ci = readFileSync(path.join(REPO, '.github/workflows/ci.yml'), 'utf8');
    expect(filledIn(readme)).toEqual(required);
    expect(filledIn(ci)).toEqual(required);
    expect(required.filter((name) => !LAPTOP_ENV[name])).toEqual([]);
  });

  it('reads every name of the .env the machines write (STACK_ENV)', () => {
    // Interpolated (${NAME}) or passed through by name (NAME: without a value).
    const read = new Set([
      ...variablesOf(TEXT),
      ...[...TEXT.matchAll(/^\s+([A-Z][A-Z0-9_]+):\s*$/gm)].map((m) => m[1] as string),
    ]);
    const unread = STACK_ENV_NAMES.filter((name) => !read.has(name));
    expect(unread.sort()).toEqual(Object.keys(NOT_READ_BY_COMPOSE).sort());
  });

  const vault = Object.keys(KEY_VAULT_ENV_DOCS);
  const storage = Object.keys(STORAGE_ENV_DOCS);
  it.each([
    ['prediction-service', [...Object.keys(SERVICE_ENV_DOCS), ...vault]],
    ['model-monitor', [...Object.keys(MONITOR_ENV_DOCS), ...MLFLOW_CLIENT_ENV, ...vault]],
    ['migrate', ['DATABASE_URL', ...vault]],
    ['stream-scorer', [...Object.keys(STREAM_ENV_DOCS), ...vault]],
    [
      'pipeline-worker',
      [...Object.keys(PIPELINE_ENV_DOCS), ...MLFLOW_CLIENT_ENV, ...vault, ...storage],
    ],
    [
      'pipeline-api',
      [...Object.keys(PIPELINE_ENV_DOCS), ...MLFLOW_CLIENT_ENV, ...vault, ...storage],
    ],
  ])('hands %s every variable its process reads', (name, variables) => {
    const raw = (
      readComposeTree(TEXT)['services'] as Record<string, { environment: Record<string, unknown> }>
    )[name];
    expect(variables.filter((v) => !(v in (raw?.environment ?? {})))).toEqual([]);
  });

  it('pins every image: ours by release version, the others by exact version', () => {
    for (const [name, service] of Object.entries(LAPTOP.services)) {
      const image = service.image ?? '';
      if (service.build) {
        expect([name, image]).toEqual([
          name,
          expect.stringMatching(/^ghcr\.io\/wine-quality\/wine-[a-z-]+:dev$/),
        ]);
        expect(existsSync(path.join(REPO, service.build.context, service.build.dockerfile))).toBe(
          true,
        );
      } else {
        expect([name, image]).toEqual([
          name,
          expect.stringMatching(/^[a-z0-9./-]+:v?\d+\.\d+(\.\d+)?(-[a-z]+)?$/),
        ]);
      }
    }
  });

  it('health-checks every long-running service with a command its image has', () => {
    for (const [name, service] of Object.entries(LAPTOP.services)) {
      const check = service.healthcheck;
      if (ONE_SHOT.includes(name) || name === 'pipeline-worker') {
        expect([name, check?.disable]).toEqual([name, true]);
        continue;
      }
      if (service.build) {
        const dockerfile = parseDockerfile(
          readFileSync(path.join(REPO, service.build.context, service.build.dockerfile), 'utf8'),
        );
        const test = asArgv(check?.test) ?? dockerfile.final.healthcheck?.test;
        expect([name, test?.length]).toEqual([name, expect.any(Number)]);
        if (check?.test === undefined) continue; // the image's own HEALTHCHECK (dockerfiles.test.ts)
        const [kind, program] = test ?? [];
        expect(kind).toBe('CMD');
        // The edge image is Caddy's alpine one (busybox wget).
        expect([name, program]).toEqual([name, name === 'caddy' ? 'wget' : expect.any(String)]);
        continue;
      }
      const argv = asArgv(check?.test) ?? [];
      const base = (service.image ?? '').replace(/:[^/]*$/, '');
      const tools = IMAGE_TOOLS[base];
      expect([name, tools]).toEqual([name, expect.any(Array)]);
      const program = argv[0] === 'CMD-SHELL' ? 'sh' : argv[1];
      expect([name, tools?.includes(program ?? '')]).toEqual([name, true]);
    }
  });

  it('restarts long-running services, limits every service, and declares what it mounts', () => {
    const tree = readComposeTree(TEXT);
    const volumes = Object.keys(tree['volumes'] ?? {});
    for (const [name, service] of Object.entries(LAPTOP.services)) {
      expect([name, service.restart]).toEqual([
        name,
        ONE_SHOT.includes(name) ? 'no' : 'unless-stopped',
      ]);
      const deploy = (service as { deploy?: { resources?: { limits?: { memory?: string } } } })
        .deploy;
      if (name !== 'azurite' && name !== 'azurite-init') {
        expect([name, deploy?.resources?.limits?.memory]).toEqual([
          name,
          expect.stringMatching(/^\d+[MG]$/),
        ]);
      }
      for (const mount of service.volumes) {
        const source = mount.split(':')[0] ?? '';
        if (source.startsWith('./'))
          expect([name, existsSync(path.join(REPO, source))]).toEqual([name, true]);
        else expect([name, volumes]).toEqual([name, expect.arrayContaining([source])]);
      }
    }
  });

  // `docker compose config` does not check this: compose reads an `environment:` secret when
  // it creates the container, and fails there when the variable is missing.
  it.each([
    ['a laptop (README)', LAPTOP_ENV],
    ...MACHINES.map(([role, ep]): [string, Record<string, string>] => [
      `the ${role} machine's .env`,
      machineEnvFile(role, ep),
    ]),
  ])('finds in %s every variable its secrets are read from', (_label, env) => {
    const compose = resolve(env);
    const profiles = (env['COMPOSE_PROFILES'] ?? '').split(',');
    const needed = servicesFor(compose, profiles).flatMap((name) =>
      secretVariables(compose, name).map((variable) => `${name}: ${variable}`),
    );
    const missing = needed.filter((n) => (env[n.split(': ')[1] ?? ''] ?? '') === '');
    expect(missing).toEqual([]);
    if (profiles.includes('control'))
      expect(needed).toContain('alertmanager: PIPELINE_WEBHOOK_TOKEN');
  });

  it('starts Alertmanager only with the webhook token file its config reads', () => {
    const service = LAPTOP.services['alertmanager'];
    const script = asArgv(service?.entrypoint)?.[2] ?? '';
    expect(asArgv(service?.entrypoint)?.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(script).toContain('[ -s /etc/alertmanager/secrets/pipeline-webhook-token ]');
    expect(script).toContain('exec /bin/alertmanager "$@"');
  });

  it('makes dependencies on another profile optional (managed services when scaled)', () => {
    for (const [name, service] of Object.entries(LAPTOP.services)) {
      for (const [dep, spec] of Object.entries(service.depends_on)) {
        const other = LAPTOP.services[dep];
        expect(other).toBeDefined();
        if (other?.profiles[0] !== service.profiles[0])
          expect([name, dep, spec.required]).toEqual([name, dep, false]);
      }
    }
  });

  it('is what prometheus.yml, alertmanager.yml and the Grafana datasource address', () => {
    const listens: Record<string, number[]> = {
      'prediction-service': [PORTS.management],
      'model-monitor': [PORTS.monitorMetrics],
      'pipeline-api': [PORTS.pipelineApi],
      'stream-scorer': [PORTS.streamMetrics],
      alertmanager: [PORTS.alertmanager],
      prometheus: [PORTS.prometheus],
    };
    const prometheus = parseYaml(
      readFileSync(path.join(REPO, 'prometheus/prometheus.yml'), 'utf8'),
    ) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
      alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    };
    const targets = [
      ...prometheus.scrape_configs.flatMap((j) => j.static_configs.flatMap((c) => c.targets)),
      ...prometheus.alerting.alertmanagers.flatMap((a) =>
        a.static_configs.flatMap((c) => c.targets),
      ),
    ].filter((t) => !t.startsWith('localhost:'));
    for (const target of targets) {
      const [host = '', port] = target.split(':');
      expect([target, listens[host]]).toEqual([target, expect.arrayContaining([Number(port)])]);
      expect([target, LAPTOP.services[host]]).toEqual([target, expect.any(Object)]);
    }
    const alertmanager = readFileSync(path.join(REPO, 'prometheus/alertmanager.yml'), 'utf8');
    expect(alertmanager).toContain(`http://pipeline-api:${PORTS.pipelineApi}/hooks/alertmanager`);
    expect(alertmanager).toContain(
      'credentials_file: /etc/alertmanager/secrets/pipeline-webhook-token',
    );
    expect(TEXT).toContain('target: /etc/alertmanager/secrets/pipeline-webhook-token');
    const datasource = readFileSync(
      path.join(REPO, 'grafana/provisioning/datasources/prometheus.yml'),
      'utf8',
    );
    expect(datasource).toContain(`url: http://prometheus:${PORTS.prometheus}`);
  });
});

describeWithTool('docker compose config on docker-compose.yml', DOCKER_COMPOSE, (compose) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'stack-compose-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function composeConfig(env: Readonly<Record<string, string>>, args: string[]): string {
    const envFile = path.join(dir, `${Math.random().toString(36).slice(2)}.env`);
    writeFileSync(envFile, toEnvFile(env));
    // A clean environment: the shell's variables would win over the .env file.
    return execFileSync(
      compose,
      ['--project-directory', REPO, '--env-file', envFile, 'config', ...args],
      {
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir },
        encoding: 'utf8',
      },
    );
  }

  const cases: [string, Record<string, string>][] = [
    ['a laptop (README)', { ...LAPTOP_ENV }],
    [
      'a laptop with every profile',
      { ...LAPTOP_ENV, COMPOSE_PROFILES: 'data,control,prediction,edge,local' },
    ],
    ...MACHINES.map(([role, ep]): [string, Record<string, string>] => [
      `the ${role} machine's .env`,
      machineEnvFile(role, ep),
    ]),
  ];

  it.each(cases)('validates with %s and starts the services of its profiles', (_label, env) => {
    const services = composeConfig(env, ['--services']).trim().split('\n').sort();
    const profiles = (env['COMPOSE_PROFILES'] ?? '').split(',');
    expect(services).toEqual(profiles.flatMap((p) => PROFILE_SERVICES[p] ?? []).sort());
  });

  it.each(cases)('resolves with %s exactly as the stack tooling does', (_label, env) => {
    const resolved = JSON.parse(composeConfig(env, ['--format', 'json'])) as {
      services: Record<
        string,
        {
          environment?: Record<string, string | null>;
          command?: string[];
          ports?: { host_ip?: string; published: string; target: number }[];
          image: string;
        }
      >;
    };
    const ours = parseCompose(TEXT, (name) => projectEnvironment(toEnvFile(env), {})[name]);
    const profiles = (env['COMPOSE_PROFILES'] ?? '').split(',');
    for (const name of servicesFor(ours, profiles)) {
      const theirs = resolved.services[name];
      const service = ours.services[name];
      if (theirs === undefined || service === undefined) throw new Error(`${name} missing`);
      // null: listed without a value and not set, i.e. not in the container.
      const set = Object.fromEntries(
        Object.entries(theirs.environment ?? {}).filter(([, v]) => v !== null),
      );
      expect([name, serviceEnvironment(service, projectEnvironment(toEnvFile(env), {}))]).toEqual([
        name,
        set,
      ]);
      expect([name, service.image]).toEqual([name, theirs.image]);
      expect([name, asArgv(service.command)]).toEqual([name, theirs.command ?? undefined]);
      expect([name, service.ports.map(parsePort)]).toEqual([
        name,
        (theirs.ports ?? []).map((p) => ({
          hostIp: p.host_ip,
          hostPort: Number(p.published),
          containerPort: p.target,
        })),
      ]);
    }
  });
});
