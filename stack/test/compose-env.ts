/**
 * .env files for the compose tests: a laptop's (the README's instructions) and the one each
 * Azure machine's bootstrap writes (infrastructure's machineEnv, with made-up secret values).
 */
import type { HostRole } from '@wine/stack-contract';
import {
  SECRET_PLACEHOLDER,
  machineEnv,
  type StackEndpoints,
} from '../../infrastructure/src/stack-env';

export const SINGLE_VM: StackEndpoints = {
  profile: 'single-vm',
  releaseVersion: '1.2.3',
  keyVaultUrl: 'https://winedev-kv-0a1b2c3d.vault.azure.net/',
  storageAccountName: 'winedevst0a1b2c3d4e',
  publicHostname: 'wine-dev-0a1b2c.westeurope.cloudapp.azure.com',
  edge: { maxBodyBytes: 1048576, rateLimitPerMinute: 600 },
  database: { host: 'postgres', user: 'wine', tls: false },
  redis: { url: 'redis://redis:6379' },
};

export const SCALED: StackEndpoints = {
  ...SINGLE_VM,
  profile: 'scaled',
  publicHostname: undefined,
  database: {
    host: 'psql-wine-dev-0a1b2c3d.postgres.database.azure.com',
    user: 'wineadmin',
    tls: true,
  },
  redis: { host: 'redis-wine-dev-0a1b2c3d.westeurope.redis.azure.net', port: 10000 },
  controlPrivateIp: '10.42.1.10',
};

export const MACHINES: readonly [HostRole, StackEndpoints][] = [
  ['all-in-one', SINGLE_VM],
  ['control', SCALED],
  ['prediction', SCALED],
];

/** Letters and digits, as Terraform generates them. */
const secretValue = (name: string) => `${name.replace(/[^a-z]/g, '')}0123456789`;

/** The `.env` a machine's bootstrap writes. */
export function machineEnvFile(role: HostRole, endpoints: StackEndpoints): Record<string, string> {
  const env = machineEnv(role, endpoints);
  const out: Record<string, string> = { ...env.settings };
  for (const { envVar, name, template } of env.secrets) {
    out[envVar] =
      template === undefined
        ? secretValue(name)
        : template.replace(SECRET_PLACEHOLDER, secretValue(name));
  }
  return out;
}

/** What the README tells a laptop user to set. */
export const LAPTOP_ENV: Readonly<Record<string, string>> = {
  COMPOSE_PROFILES: 'data,control,prediction',
  POSTGRES_PASSWORD: 'laptop0postgres0password',
  MLFLOW_TRACKING_PASSWORD: 'laptop0mlflow0password',
  GF_SECURITY_ADMIN_PASSWORD: 'laptop0grafana0password',
  ADMIN_TOKEN: 'laptop0admin0token0value',
  FEEDBACK_TOKEN: 'laptop0feedback0token',
  PIPELINE_WEBHOOK_TOKEN: 'laptop0webhook0token',
};

export const toEnvFile = (env: Readonly<Record<string, string>>): string =>
  Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n') + '\n';
