/**
 * The process twin's plan (`pnpm run stack`), from the real docker-compose.yml, Dockerfiles and
 * config files with a fake machine: what runs, in which order, on which ports, with which
 * addresses — and that nothing of compose's network (service names as hosts, container paths)
 * is left in what the processes get.
 */
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseCompose } from '../src/compose';
import { parseDockerfile } from '../src/dockerfile';
import { resolveEnv, REQUIRED_SECRETS } from '../src/twin/env';
import { materialize } from '../src/twin/host';
import {
  planStack,
  urlTable,
  type Host,
  type ProcessService,
  type StackPlan,
} from '../src/twin/plan';
import { rewriteAddresses, rewritePaths } from '../src/twin/rewrite';
import { REPO } from './tools';

const composeText = readFileSync(path.join(REPO, 'docker-compose.yml'), 'utf8');
const sample = readFileSync(path.join(REPO, '.env.sample'), 'utf8');
const SYSTEM = [
  'postgres',
  'initdb',
  'psql',
  'redis-server',
  'prometheus',
  'prometheus-alertmanager',
];

function fakeHost(installed: readonly string[] = SYSTEM): Host {
  return {
    which: (name) => (installed.includes(name) ? `/usr/bin/${name}` : undefined),
    nodePath: '/opt/node/bin/node',
    mlflowPython: '/venv/bin/python',
    dockerfile: (file) => parseDockerfile(readFileSync(path.join(REPO, file), 'utf8')),
    baseEnv: { PATH: '/usr/bin:/bin', HOME: '/home/u' },
  };
}

const env = resolveEnv(
  { processEnv: {}, envFile: undefined, envSample: sample, generatedFile: undefined },
  () => 'generatedsecret0123',
).env;
const compose = parseCompose(composeText, (n) => env[n]);
const PROFILES = ['data', 'control', 'prediction'];

function plan(
  options: { offset?: number; only?: string[]; skip?: string[]; profiles?: string[] } = {},
  host = fakeHost(),
): StackPlan {
  return planStack(
    compose,
    env,
    {
      repo: REPO,
      dataDir: '/data',
      profiles: options.profiles ?? PROFILES,
      only: options.only,
      skip: options.skip,
      portOffset: options.offset ?? 0,
    },
    host,
  );
}

const processes = (p: StackPlan) =>
  p.services.filter((s): s is ProcessService => s.kind === 'process');
const byName = (p: StackPlan, name: string) => {
  const s = processes(p).find((x) => x.name === name);
  if (s === undefined) throw new Error(`${name} not planned as a process`);
  return s;
};

describe('address and path rewriting', () => {
  const rule = {
    services: ['postgres', 'redis', 'mlflow', 'prometheus', 'pipeline-api'],
    ports: new Set([5432, 6379, 5000, 9090, 9699]),
    offset: 100,
  };
  it.each([
    ['postgresql://wine:pw@postgres:5432/wine', 'postgresql://wine:pw@127.0.0.1:5532/wine'],
    ['redis://redis:6379', 'redis://127.0.0.1:6479'],
    ['http://mlflow:5000', 'http://127.0.0.1:5100'],
    [
      'mlflow,mlflow:5000,localhost,localhost:5000,127.0.0.1,127.0.0.1:5000',
      '127.0.0.1,127.0.0.1:5100,localhost,localhost:5100,127.0.0.1,127.0.0.1:5100',
    ],
    ["targets: ['pipeline-api:9699']", "targets: ['127.0.0.1:9799']"],
    ["targets: ['localhost:9090']", "targets: ['localhost:9190']"],
    ['job_name: prometheus', 'job_name: prometheus'],
    [
      'url: http://pipeline-api:9699/hooks/alertmanager',
      'url: http://127.0.0.1:9799/hooks/alertmanager',
    ],
    ['http://example.com:8080/x', 'http://example.com:8080/x'],
    ['localhost:1234', 'localhost:1234'],
  ])('%s', (input, expected) => {
    expect(rewriteAddresses(input, rule)).toBe(expected);
  });

  it('maps container paths under the root, longest target first, not inside other words', () => {
    const targets = ['/etc/prometheus/prometheus.yml', '/etc/prometheus/rules', '/prometheus'];
    expect(
      rewritePaths(
        '--config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/prometheus',
        targets,
        '/d/root/prometheus',
      ),
    ).toBe(
      '--config.file=/d/root/prometheus/etc/prometheus/prometheus.yml --storage.tsdb.path=/d/root/prometheus/prometheus',
    );
    expect(rewritePaths('/usr/prometheus/x', targets, '/r')).toBe('/usr/prometheus/x');
  });
});

describe('the environment', () => {
  it('takes .env over .env.sample and the shell over both, like docker compose', () => {
    const r = resolveEnv(
      {
        processEnv: { LOG_LEVEL: 'debug' },
        envFile: 'LOG_LEVEL=warn\nPORT=1\n',
        envSample: sample,
        generatedFile: undefined,
      },
      () => 'x'.repeat(32),
    );
    expect(r.from).toBe('.env');
    expect(r.env['LOG_LEVEL']).toBe('debug');
    expect(r.env['PORT']).toBe('1');
    expect(r.env['PIPELINE_MODEL']).toBeUndefined();
  });

  it('generates the required secrets once and keeps them across starts', () => {
    let n = 0;
    const first = resolveEnv(
      {
        processEnv: { ADMIN_TOKEN: 'mine' },
        envFile: undefined,
        envSample: sample,
        generatedFile: undefined,
      },
      () => `secret${++n}`.padEnd(16, '0'),
    );
    expect(REQUIRED_SECRETS).toEqual(
      expect.arrayContaining([
        'POSTGRES_PASSWORD',
        'MLFLOW_TRACKING_PASSWORD',
        'ADMIN_TOKEN',
        'PIPELINE_WEBHOOK_TOKEN',
        'GF_SECURITY_ADMIN_PASSWORD',
      ]),
    );
    expect(first.env['ADMIN_TOKEN']).toBe('mine');
    expect(first.generated).not.toContain('ADMIN_TOKEN');
    expect(first.generated).toHaveLength(REQUIRED_SECRETS.length - 1);
    expect(first.writeGenerated).toBeDefined();
    const second = resolveEnv(
      {
        processEnv: { ADMIN_TOKEN: 'mine' },
        envFile: undefined,
        envSample: sample,
        generatedFile: first.writeGenerated,
      },
      () => 'never used',
    );
    expect(second.writeGenerated).toBeUndefined();
    for (const name of REQUIRED_SECRETS) expect(second.env[name]).toBe(first.env[name]);
  });
});

describe('the plan from docker-compose.yml', () => {
  const p = plan({ offset: 1000 });

  it('covers every service of the profiles, in depends_on order, skipping only what cannot run', () => {
    const expected = Object.entries(compose.services)
      .filter(([, s]) => s.profiles.some((x) => PROFILES.includes(x)))
      .map(([n]) => n);
    expect(p.services.map((s) => s.name).sort()).toEqual([...expected].sort());
    const order = p.services.map((s) => s.name);
    for (const s of processes(p)) {
      for (const d of s.dependsOn)
        expect(order.indexOf(d.service)).toBeLessThan(order.indexOf(s.name));
    }
    // Grafana is not installed on the fake machine: skipped with where to get it.
    const grafana = p.services.find((s) => s.name === 'grafana');
    expect(grafana).toMatchObject({ kind: 'skipped', reason: expect.stringContaining('grafana') });
    expect(p.services.filter((s) => s.kind === 'missing')).toEqual([]);
  });

  it('runs our images as their Dockerfile or compose command from the package folder', () => {
    expect(byName(p, 'prediction-service')).toMatchObject({
      argv: ['/opt/node/bin/node', 'dist/main.js'],
      cwd: path.join(REPO, 'prediction-service'),
      health: { kind: 'command' },
    });
    expect(byName(p, 'pipeline-worker').argv.slice(1)).toEqual(['dist/cli/main.js', 'worker']);
    expect(byName(p, 'pipeline-worker').health).toEqual({ kind: 'none' });
    expect(byName(p, 'migrate')).toMatchObject({ oneShot: true, cwd: path.join(REPO, 'pipeline') });
    const mlflow = byName(p, 'mlflow');
    expect(mlflow.argv[0]).toBe('/venv/bin/python');
    expect(mlflow.argv[1]).toBe('/data/root/mlflow/opt/mlflow-entrypoint/entrypoint.py');
    expect(mlflow.mounts).toContainEqual({
      target: '/opt/mlflow-entrypoint/entrypoint.py',
      source: path.join(REPO, 'mlflow', 'entrypoint.py'),
      kind: 'bind',
    });
    expect(mlflow.env).toMatchObject({ MLFLOW_HOST: '127.0.0.1', MLFLOW_PORT: '6000' });
    expect(mlflow.env['MLFLOW_ARTIFACTS_DESTINATION']).toBe('/data/root/mlflow/mlflow/artifacts');
    expect(mlflow.health).toEqual({ kind: 'http', url: 'http://127.0.0.1:6000/health' });
  });

  it('shifts every port by the offset and binds all interfaces only where compose publishes on them', () => {
    const ports = processes(p).flatMap((s) => s.ports.map((x) => ({ name: s.name, ...x })));
    for (const x of ports) expect(x.port).toBe(x.containerPort + 1000);
    expect(
      ports.filter((x) => x.bind !== '127.0.0.1').map((x) => `${x.name}:${x.containerPort}`),
    ).toEqual(['prediction-service:9696']);
    expect(byName(p, 'prediction-service').env).toMatchObject({
      PORT: '10696',
      HOST: '0.0.0.0',
      MANAGEMENT_PORT: '10697',
      MANAGEMENT_HOST: '127.0.0.1',
    });
    // Unique: two services never claim one port.
    const claimed = ports.map((x) => x.port);
    expect(new Set(claimed).size).toBe(claimed.length);
  });

  it('leaves no compose host name in any environment value or argument', () => {
    const names = Object.keys(compose.services);
    const leftovers: string[] = [];
    for (const s of processes(p)) {
      for (const value of [...Object.values(s.env), ...s.argv]) {
        // A host in a URL, or name:port anywhere.
        for (const m of value.matchAll(/(?:\/\/|@)([a-z][a-z-]*)(?=[:/]|$)|([a-z][a-z-]*):\d+/g)) {
          const host = m[1] ?? m[2] ?? '';
          if (names.includes(host)) leftovers.push(`${s.name}: ${host} in ${value}`);
        }
      }
    }
    expect(leftovers).toEqual([]);
    expect(byName(p, 'prediction-service').env['DATABASE_URL']).toMatch(
      /@127\.0\.0\.1:6432\/wine$/,
    );
    expect(byName(p, 'pipeline-api').env['REDIS_URL']).toBe('redis://127.0.0.1:7379');
    expect(byName(p, 'stream-scorer').env['MLFLOW_TRACKING_URI']).toBe('http://127.0.0.1:6000');
  });

  it("rewrites Prometheus' and Alertmanager's config so every target is a planned port", () => {
    const prometheus = byName(p, 'prometheus');
    const config = parseYaml(
      prometheus.rewrite(readFileSync(path.join(REPO, 'prometheus/prometheus.yml'), 'utf8')),
    ) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
      alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    };
    const listening = new Map(
      processes(p).flatMap((s) =>
        s.ports.map((x): [string, string] => [`127.0.0.1:${x.port}`, s.name]),
      ),
    );
    for (const job of config.scrape_configs) {
      const target = job.static_configs[0]?.targets[0] ?? '';
      const host = target.replace(/^localhost:/, '127.0.0.1:');
      expect({ job: job.job_name, serves: listening.get(host) }).toEqual({
        job: job.job_name,
        serves: job.job_name,
      });
    }
    expect(config.alerting.alertmanagers[0]?.static_configs[0]?.targets).toEqual([
      '127.0.0.1:10093',
    ]);
    const alertmanager = byName(p, 'alertmanager');
    const am = alertmanager.rewrite(
      readFileSync(path.join(REPO, 'prometheus/alertmanager.yml'), 'utf8'),
    );
    expect(am).toContain('http://127.0.0.1:10699/hooks/alertmanager');
    expect(am).toContain(
      'credentials_file: /data/root/alertmanager/etc/alertmanager/secrets/pipeline-webhook-token',
    );
    expect(alertmanager.secrets).toEqual([
      {
        target: '/etc/alertmanager/secrets/pipeline-webhook-token',
        variable: 'PIPELINE_WEBHOOK_TOKEN',
      },
    ]);
    // compose's entrypoint script, with the binary and paths of this machine.
    expect(alertmanager.argv.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(alertmanager.argv[2]).toContain('exec /usr/bin/prometheus-alertmanager "$@"');
    expect(alertmanager.argv[3]).toBe('alertmanager');
    expect(alertmanager.argv).toContain('--web.listen-address=127.0.0.1:10093');
    expect(byName(p, 'prometheus').argv).toContain('--web.listen-address=127.0.0.1:10090');
  });

  it('initialises PostgreSQL like the image: user, password, database and initdb.d scripts', () => {
    const pg = byName(p, 'postgres');
    expect(pg.data).toBe('postgres');
    expect(pg.postgres).toMatchObject({
      user: 'wine',
      password: env['POSTGRES_PASSWORD'],
      database: 'wine',
      scripts: [path.join(REPO, 'postgres/create-databases.sql')],
      dataDir: '/data/volumes/postgres-data',
    });
    expect(pg.argv).toEqual(
      expect.arrayContaining(['-p', '6432', '-c', 'listen_addresses=127.0.0.1']),
    );
    expect(byName(p, 'redis').argv).toEqual(
      expect.arrayContaining([
        '--appendonly',
        'yes',
        '--maxmemory-policy',
        'noeviction',
        '--port',
        '7379',
      ]),
    );
  });

  it('prints a URL table with the public API and every admin UI', () => {
    const rows = urlTable(processes(p), (s) => s.env);
    expect(rows).toContainEqual(
      expect.objectContaining({
        service: 'prediction-service',
        url: 'http://localhost:10696/docs',
      }),
    );
    expect(rows).toContainEqual(
      expect.objectContaining({ service: 'mlflow', url: 'http://127.0.0.1:6000/' }),
    );
    expect(rows).toContainEqual(
      expect.objectContaining({
        service: 'pipeline-api',
        url: 'http://127.0.0.1:10699/admin/queues',
      }),
    );
  });
});

describe('options and missing programs', () => {
  it('--only starts the service and what it depends on', () => {
    const p = plan({ only: ['prediction-service'] });
    expect(p.services.map((s) => s.name).sort()).toEqual([
      'migrate',
      'mlflow',
      'postgres',
      'prediction-service',
    ]);
    expect(p.notSelected).toContain('prometheus');
  });

  it('--skip leaves a service out and its dependents start without it', () => {
    const p = plan({ skip: ['mlflow'] });
    expect(p.services.map((s) => s.name)).not.toContain('mlflow');
    expect(byName(p, 'prediction-service').dependsOn.map((d) => d.service)).not.toContain('mlflow');
  });

  it('an unknown service name fails with the list of services', () => {
    expect(() => plan({ only: ['api'] })).toThrow(/no service "api".*prediction-service/);
  });

  it('names the missing program and how to install it', () => {
    const p = plan({}, fakeHost(['postgres', 'initdb', 'redis-server']));
    const missing = p.services.filter((s) => s.kind === 'missing');
    expect(missing.map((m) => m.name)).toEqual(['prometheus', 'alertmanager']);
    // Redis may run without its binary here: used if it answers, else the same hint then.
    const noRedis = plan({}, fakeHost(SYSTEM.filter((t) => t !== 'redis-server')));
    expect(byName(noRedis, 'redis').missingProgram).toEqual({
      program: 'redis-server',
      install: expect.stringContaining('apt-get install redis-server'),
    });
    expect(byName(p, 'redis').missingProgram).toBeUndefined();
    expect(missing[0]).toMatchObject({
      install: expect.stringContaining('apt-get install prometheus'),
    });
    const noVenv = plan({}, { ...fakeHost(), mlflowPython: undefined });
    expect(noVenv.services.find((s) => s.name === 'mlflow')).toMatchObject({
      kind: 'missing',
      install: expect.stringContaining('pip install -r mlflow/requirements.txt'),
    });
  });

  it('runs an installed Grafana as the image would, with the provisioning and dashboards mounted', () => {
    const p = plan({ offset: 10 }, fakeHost([...SYSTEM, 'grafana-server']));
    const grafana = byName(p, 'grafana');
    expect(grafana.argv).toEqual(['/usr/bin/grafana-server', '--homepath', '/usr/share/grafana']);
    expect(grafana.env).toMatchObject({
      GF_SERVER_HTTP_ADDR: '127.0.0.1',
      GF_SERVER_HTTP_PORT: '3010',
      GF_PATHS_PROVISIONING: '/data/root/grafana/etc/grafana/provisioning',
      GF_SECURITY_ADMIN_PASSWORD: env['GF_SECURITY_ADMIN_PASSWORD'],
    });
    expect(grafana.health).toEqual({ kind: 'http', url: 'http://127.0.0.1:3010/api/health' });
    const datasource = grafana.rewrite(
      readFileSync(path.join(REPO, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
    );
    expect(datasource).toContain('url: http://127.0.0.1:9100');
    const dashboards = grafana.rewrite(
      readFileSync(path.join(REPO, 'grafana/provisioning/dashboards/wine.yml'), 'utf8'),
    );
    expect(dashboards).toContain('path: /data/root/grafana/var/lib/grafana/dashboards/wine');
  });

  it("materialises a service's mounts: rewritten configs copied, the rest linked, volumes as folders", () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'twin-mounts-'));
    try {
      const p = planStack(
        compose,
        env,
        { repo: REPO, dataDir, profiles: PROFILES, portOffset: 7 },
        fakeHost([...SYSTEM, 'grafana-server']),
      );
      const grafana = byName(p, 'grafana');
      materialize(grafana, env);
      const root = path.join(dataDir, 'root', 'grafana');
      // The dashboards mount lies inside the grafana-data volume: mounted after it.
      expect(lstatSync(path.join(root, 'var/lib/grafana')).isSymbolicLink()).toBe(true);
      expect(
        existsSync(path.join(dataDir, 'volumes/grafana-data/dashboards/wine/wine-service.json')),
      ).toBe(true);
      const datasource = readFileSync(
        path.join(root, 'etc/grafana/provisioning/datasources/prometheus.yml'),
        'utf8',
      );
      expect(datasource).toContain('url: http://127.0.0.1:9097');
      const alertmanager = byName(p, 'alertmanager');
      materialize(alertmanager, env);
      const token = path.join(
        dataDir,
        'root/alertmanager/etc/alertmanager/secrets/pipeline-webhook-token',
      );
      expect(readFileSync(token, 'utf8')).toBe(env['PIPELINE_WEBHOOK_TOKEN']);
      expect(lstatSync(token).mode & 0o777).toBe(0o600);
      const prometheus = byName(p, 'prometheus');
      materialize(prometheus, env);
      // Unchanged files are links to the repository's (rules), changed ones copies.
      expect(
        lstatSync(path.join(dataDir, 'root/prometheus/etc/prometheus/rules')).isDirectory(),
      ).toBe(true);
      expect(
        lstatSync(
          path.join(dataDir, 'root/prometheus/etc/prometheus/rules/service-alerts.yml'),
        ).isSymbolicLink(),
      ).toBe(true);
      expect(
        lstatSync(
          path.join(dataDir, 'root/prometheus/etc/prometheus/prometheus.yml'),
        ).isSymbolicLink(),
      ).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('the edge and local profiles are reported as not run as processes', () => {
    const p = plan({ profiles: ['edge', 'local'] });
    expect(p.services.map((s) => [s.name, s.kind])).toEqual(
      expect.arrayContaining([
        ['caddy', 'skipped'],
        ['azurite', 'skipped'],
      ]),
    );
  });
});
