import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { infraConfigSchema } from './config.schema';
import type { InfraConfig } from './config.schema';
import { InfraError } from './errors';
import { STACK_NAME } from './stack-name';

export type { InfraConfig } from './config.schema';

/** Config file used when WINE_INFRA_CONFIG is unset; missing is fine (everything can come from env). */
export const DEFAULT_CONFIG_FILE = 'config.json';

type Env = Readonly<Record<string, string | undefined>>;

/** Environment variable → config path. Env wins over the file so CI can override single values. */
export const ENV_VARS = {
  WINE_INFRA_PROFILE: ['profile'],
  ARM_SUBSCRIPTION_ID: ['subscriptionId'],
  WINE_INFRA_LOCATION: ['location'],
  WINE_INFRA_VM_SIZE: ['vmSize'],
  WINE_INFRA_NAME_PREFIX: ['namePrefix'],
  WINE_INFRA_ENV: ['environment'],
  WINE_INFRA_ADMIN_CIDR: ['allowedAdminCidr'],
  WINE_INFRA_SSH_PUBLIC_KEY: ['sshPublicKey'],
  WINE_INFRA_ADMIN_USERNAME: ['adminUsername'],
  WINE_INFRA_OS_DISK_GB: ['osDiskSizeGb'],
  WINE_INFRA_KV_RETENTION_DAYS: ['keyVaultRetentionDays'],
  WINE_INFRA_RELEASE_VERSION: ['release', 'version'],
  WINE_INFRA_RELEASE_URL: ['release', 'url'],
  WINE_INFRA_RELEASE_SHA256: ['release', 'sha256'],
  WINE_INFRA_RELEASE_COMPOSE_FILE: ['release', 'composeFile'],
  WINE_INFRA_STATE_RESOURCE_GROUP: ['backend', 'resourceGroupName'],
  WINE_INFRA_STATE_STORAGE_ACCOUNT: ['backend', 'storageAccountName'],
  WINE_INFRA_STATE_CONTAINER: ['backend', 'containerName'],
  WINE_INFRA_STATE_KEY: ['backend', 'key'],
  WINE_INFRA_EDGE_MAX_BODY_BYTES: ['edge', 'maxBodyBytes'],
  WINE_INFRA_EDGE_RATE_LIMIT: ['edge', 'rateLimitPerMinute'],
  WINE_INFRA_PG_SKU: ['postgres', 'skuName'],
  WINE_INFRA_PG_VERSION: ['postgres', 'version'],
  WINE_INFRA_PG_STORAGE_MB: ['postgres', 'storageMb'],
  WINE_INFRA_PG_BACKUP_DAYS: ['postgres', 'backupRetentionDays'],
  WINE_INFRA_PG_GEO_BACKUP: ['postgres', 'geoRedundantBackup'],
  WINE_INFRA_PG_HA: ['postgres', 'highAvailability'],
  WINE_INFRA_REDIS_SERVICE: ['redis', 'service'],
  WINE_INFRA_REDIS_SKU: ['redis', 'skuName'],
  WINE_INFRA_REDIS_HA: ['redis', 'highAvailability'],
  WINE_INFRA_PREDICTION_VM_SIZE: ['prediction', 'vmSize'],
  WINE_INFRA_PREDICTION_MIN: ['prediction', 'minInstances'],
  WINE_INFRA_PREDICTION_MAX: ['prediction', 'maxInstances'],
  WINE_INFRA_PREDICTION_SCALE_OUT_CPU: ['prediction', 'scaleOutCpuPercent'],
  WINE_INFRA_PREDICTION_SCALE_IN_CPU: ['prediction', 'scaleInCpuPercent'],
  WINE_INFRA_PREDICTION_OS_DISK_GB: ['prediction', 'osDiskSizeGb'],
  WINE_INFRA_GATEWAY_MIN: ['gateway', 'minCapacity'],
  WINE_INFRA_GATEWAY_MAX: ['gateway', 'maxCapacity'],
  WINE_INFRA_WAF_MODE: ['gateway', 'wafMode'],
} as const satisfies Record<string, readonly [string, ...string[]]>;

const ENV_BY_PATH = new Map(Object.entries(ENV_VARS).map(([env, path]) => [path.join('.'), env]));

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withEnvOverrides(fileConfig: Json, env: Env): Json {
  const merged: Json = structuredClone(fileConfig);
  for (const [name, path] of Object.entries(ENV_VARS)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    let target = merged;
    for (const key of path.slice(0, -1)) {
      const next = target[key];
      target[key] = isObject(next) ? next : {};
      target = target[key] as Json;
    }
    target[path[path.length - 1] as string] = value;
  }
  return merged;
}

function describeIssues(issues: readonly z.core.$ZodIssue[], source: string): string {
  const lines = issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    const env = ENV_BY_PATH.get(path);
    const where = path === '' ? '(top level)' : env === undefined ? path : `${path} (${env})`;
    return `  - ${where}: ${issue.message}`;
  });
  return `Invalid infrastructure configuration (${source}):\n${lines.join('\n')}\nSee infrastructure/README.md, "Configuration".`;
}

/**
 * Validates the config file's content merged with environment overrides.
 * `fileText` undefined means "no file"; the source label only feeds error messages.
 */
export function parseConfig(fileText: string | undefined, env: Env, source: string): InfraConfig {
  let fileConfig: unknown = {};
  if (fileText !== undefined) {
    try {
      fileConfig = JSON.parse(fileText);
    } catch (cause) {
      throw new InfraError('CONFIG_FILE_NOT_JSON', `${source} is not valid JSON`, { cause });
    }
    if (!isObject(fileConfig)) {
      throw new InfraError('CONFIG_FILE_NOT_JSON', `${source} must hold a JSON object`);
    }
  }
  const parsed = infraConfigSchema.safeParse(withEnvOverrides(fileConfig as Json, env));
  if (!parsed.success) {
    throw new InfraError('CONFIG_INVALID', describeIssues(parsed.error.issues, source));
  }
  return Object.freeze(parsed.data);
}

/** Reads WINE_INFRA_CONFIG (or ./config.json if present) plus the process environment. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): InfraConfig {
  const explicit = env['WINE_INFRA_CONFIG'];
  const path = resolve(cwd, explicit ?? DEFAULT_CONFIG_FILE);
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    if (!missing || explicit !== undefined) {
      throw new InfraError(
        'CONFIG_FILE_UNREADABLE',
        `cannot read the config file ${path}${explicit === undefined ? '' : ' (WINE_INFRA_CONFIG)'}: ${(cause as Error).message}`,
        { cause },
      );
    }
  }
  return parseConfig(text, env, text === undefined ? 'environment' : `${path} + environment`);
}

export interface RunSettings {
  /** cdktf output folder; cdktf's CLI sets CDKTF_OUTDIR when it runs the app. */
  readonly outdir: string;
  readonly stackDir: string;
  /** `terraform` or `tofu` (TERRAFORM_BINARY_NAME, the variable cdktf itself reads). */
  readonly terraformBinary: string;
}

/** Where synth writes and which Terraform binary deploy/destroy/output run. */
export function loadRunSettings(
  env: Env = process.env,
  packageRoot = resolve(__dirname, '..'),
): RunSettings {
  const outdir = resolve(packageRoot, env['CDKTF_OUTDIR'] ?? 'cdktf.out');
  return Object.freeze({
    outdir,
    stackDir: resolve(outdir, 'stacks', STACK_NAME),
    terraformBinary: env['TERRAFORM_BINARY_NAME'] ?? 'terraform',
  });
}
