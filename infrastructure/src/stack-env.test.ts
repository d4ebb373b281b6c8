import * as published from '@wine/infrastructure/services';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostRole } from './services';
import {
  COMPOSE_PROFILES_BY_ROLE,
  HOST_ROLES_BY_PROFILE,
  STACK_ENV,
  STACK_ENV_NAMES,
  envNamesFor,
} from './services';
import { stackEndpoints } from './stack';
import { MLFLOW_USERNAME, SECRET_PLACEHOLDER, machineEnv, secretsReadBy } from './stack-env';
import { scaledConfig, testConfig } from './testing/fixtures';

const REPO = join(__dirname, '..', '..');
const single = stackEndpoints(testConfig());
const scaled = stackEndpoints(scaledConfig());

const MACHINES: [HostRole, ReturnType<typeof stackEndpoints>][] = [
  ['all-in-one', single],
  ['control', scaled],
  ['prediction', scaled],
];

describe('the .env contract (services.ts STACK_ENV)', () => {
  it.each(MACHINES)(
    'computes every variable of a %s machine, from the declared source',
    (role, ep) => {
      const env = machineEnv(role, ep);
      const names = [...Object.keys(env.settings), ...env.secrets.map((s) => s.envVar)];
      expect(names.sort()).toEqual(envNamesFor(role).sort());
    },
  );

  it('gives every variable to at least one machine of each profile that runs its service', () => {
    for (const name of STACK_ENV_NAMES) {
      const roles = STACK_ENV[name].roles as readonly HostRole[];
      expect(roles.length).toBeGreaterThan(0);
    }
    for (const roles of Object.values(HOST_ROLES_BY_PROFILE)) {
      const union = new Set(roles.flatMap((role) => envNamesFor(role)));
      // Everything but single-VM-only compose and edge settings reaches the scaled machines too.
      const missing = STACK_ENV_NAMES.filter((name) => !union.has(name));
      expect(missing).toEqual(
        roles.includes('all-in-one')
          ? []
          : [
              'PUBLIC_HOSTNAME',
              'EDGE_MAX_BODY_BYTES',
              'EDGE_RATE_LIMIT_EVENTS',
              'EDGE_RATE_LIMIT_WINDOW',
              'POSTGRES_PASSWORD',
            ],
      );
    }
  });

  it('starts the compose profiles each machine is for', () => {
    expect(machineEnv('all-in-one', single).settings['COMPOSE_PROFILES']).toBe(
      'data,control,prediction,edge',
    );
    expect(machineEnv('control', scaled).settings['COMPOSE_PROFILES']).toBe('control');
    expect(machineEnv('prediction', scaled).settings['COMPOSE_PROFILES']).toBe('prediction');
    expect(Object.keys(COMPOSE_PROFILES_BY_ROLE).sort()).toEqual([
      'all-in-one',
      'control',
      'prediction',
    ]);
  });

  it('sets MLflow user and password together (the client rejects one without the other)', () => {
    for (const [role, ep] of MACHINES) {
      const env = machineEnv(role, ep);
      expect(env.settings['MLFLOW_TRACKING_USERNAME']).toBe(MLFLOW_USERNAME);
      expect(env.secrets).toContainEqual({
        envVar: 'MLFLOW_TRACKING_PASSWORD',
        name: 'mlflow-basic-auth-password',
      });
    }
  });

  it('builds connection URLs with exactly one secret placeholder each', () => {
    for (const [role, ep] of MACHINES) {
      for (const { template } of machineEnv(role, ep).secrets) {
        if (template !== undefined) expect(template.split(SECRET_PLACEHOLDER)).toHaveLength(2);
      }
    }
  });

  it('points single-vm at the compose services, without TLS inside the compose network', () => {
    const env = machineEnv('all-in-one', single);
    const url = (name: string) => env.secrets.find((s) => s.envVar === name)?.template;
    expect(url('DATABASE_URL')).toBe('postgresql://wine:{}@postgres:5432/wine');
    expect(url('MLFLOW_BACKEND_STORE_URI')).toBe('postgresql://wine:{}@postgres:5432/mlflow');
    expect(env.settings['REDIS_URL']).toBe('redis://redis:6379');
    expect(env.settings['PUBLIC_HOSTNAME']).toMatch(
      /^wine-test-[0-9a-f]{6}\.westeurope\.cloudapp\.azure\.com$/,
    );
  });

  it('points scaled at the managed services over verified TLS', () => {
    const env = machineEnv('control', scaled);
    const url = (name: string) => env.secrets.find((s) => s.envVar === name)?.template;
    expect(url('DATABASE_URL')).toMatch(
      /^postgresql:\/\/wineadmin:\{\}@psql-wine-test-[0-9a-f]{8}\.postgres\.database\.azure\.com:5432\/wine\?sslmode=verify-full$/,
    );
    expect(url('MLFLOW_BACKEND_STORE_URI')).toMatch(
      /\/mlflow\?sslmode=verify-full&sslrootcert=\/etc\/ssl\/certs\/ca-certificates\.crt$/,
    );
    expect(url('REDIS_URL')).toMatch(
      /^rediss:\/\/:\{\}@redis-wine-test-[0-9a-f]{8}\.westeurope\.redis\.azure\.net:10000$/,
    );
    const cache = stackEndpoints(scaledConfig({ redis: { service: 'cache-for-redis' } }));
    expect(
      machineEnv('control', cache).secrets.find((s) => s.envVar === 'REDIS_URL')?.template,
    ).toMatch(/^rediss:\/\/:\{\}@redis-wine-test-[0-9a-f]{8}\.redis\.cache\.windows\.net:6380$/);
  });

  it('binds the prediction ports to loopback on the single VM and publishes them on instances', () => {
    const all = machineEnv('all-in-one', single).settings;
    const replica = machineEnv('prediction', scaled).settings;
    expect([all['PREDICTION_PUBLISH_ADDRESS'], all['MANAGEMENT_PUBLISH_ADDRESS']]).toEqual([
      '127.0.0.1',
      '127.0.0.1',
    ]);
    expect([replica['PREDICTION_PUBLISH_ADDRESS'], replica['MANAGEMENT_PUBLISH_ADDRESS']]).toEqual([
      '0.0.0.0',
      '0.0.0.0',
    ]);
  });

  it('lets the prediction instances read only the secrets their .env needs', () => {
    expect(secretsReadBy('prediction', scaled).sort()).toEqual([
      'database-password',
      'mlflow-basic-auth-password',
      'service-admin-token',
    ]);
  });

  it('is what other packages import as @wine/infrastructure/services', () => {
    expect(published.STACK_ENV).toBe(STACK_ENV);
    expect(published.envNamesFor('prediction')).toEqual(envNamesFor('prediction'));
  });

  it('is the table of infrastructure/README.md, name for name and in order', () => {
    const readme = readFileSync(join(REPO, 'infrastructure', 'README.md'), 'utf8');
    const table = /<!-- stack-env:start -->([\s\S]*)<!-- stack-env:end -->/.exec(readme)?.[1] ?? '';
    const rows = [...table.matchAll(/^\| `([A-Z][A-Z0-9_]+)` +\|/gm)].map((m) => m[1]);
    expect(rows).toEqual(STACK_ENV_NAMES);
  });

  it('is documented in the root .env.sample', () => {
    const sample = readFileSync(join(REPO, '.env.sample'), 'utf8');
    const documented = new Set([...sample.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(STACK_ENV_NAMES.filter((name) => !documented.has(name))).toEqual([]);
  });
});
