/**
 * The value of every STACK_ENV variable for one machine of one profile. Pure: the stack
 * computes the endpoints (host names are deterministic, so they are known at synth) and this
 * module turns them into the cloud-config's settings and the Key Vault lookups.
 */
import type { EnvSource, HostRole, Profile, SecretName, StackEnvName } from './services';
import {
  COMPOSE_PROFILES_BY_ROLE,
  PORTS,
  SECRET_OF_ENV,
  envNamesFor,
  envSourceOf,
} from './services';

/** A synth-time value, a Key Vault secret, or a URL template whose `{}` the secret fills. */
export type EnvValue =
  | { readonly kind: 'setting'; readonly value: string }
  | { readonly kind: 'secret'; readonly secret: SecretName }
  | { readonly kind: 'url'; readonly secret: SecretName; readonly template: string };

/** Placeholder in a URL template for the (URL-encoded) secret value. */
export const SECRET_PLACEHOLDER = '{}';

/** MLflow basic-auth user; the MLflow image creates it as admin with MLFLOW_TRACKING_PASSWORD. */
export const MLFLOW_USERNAME = 'admin';

/** Debian/Ubuntu CA bundle, present in python:*-slim images (libpq's verify-full needs a root file). */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export interface DatabaseEndpoint {
  readonly host: string;
  readonly user: string;
  /** Require TLS and verify the server name (managed server). */
  readonly tls: boolean;
}

export interface StackEndpoints {
  readonly profile: Profile;
  readonly releaseVersion: string;
  readonly keyVaultUrl: string;
  readonly storageAccountName: string;
  /** single-vm: the DNS name of the VM's public IP, which Caddy serves. */
  readonly publicHostname?: string | undefined;
  readonly edge: { readonly maxBodyBytes: number; readonly rateLimitPerMinute: number };
  readonly database: DatabaseEndpoint;
  /** single-vm: plain URL of the compose redis; scaled: host and TLS port of the managed Redis. */
  readonly redis: { readonly url: string } | { readonly host: string; readonly port: number };
  /** scaled: the control VM's static private IP, where replicas reach MLflow. */
  readonly controlPrivateIp?: string | undefined;
}

/** Compose service names on the single VM / control VM. */
const COMPOSE_MLFLOW = `http://mlflow:${PORTS.mlflow}`;

function databaseUrl(db: DatabaseEndpoint, database: string, libpq: boolean): string {
  const query = !db.tls
    ? ''
    : libpq
      ? `?sslmode=verify-full&sslrootcert=${SYSTEM_CA_BUNDLE}`
      : '?sslmode=verify-full';
  return `postgresql://${db.user}:${SECRET_PLACEHOLDER}@${db.host}:${PORTS.postgres}/${database}${query}`;
}

function required(value: string | undefined, what: string): string {
  if (value === undefined) throw new TypeError(`${what} is needed for this machine`);
  return value;
}

function valueOf(name: StackEnvName, role: HostRole, ep: StackEndpoints): EnvValue {
  const setting = (value: string): EnvValue => ({ kind: 'setting', value });
  const secret = (s: SecretName): EnvValue => ({ kind: 'secret', secret: s });
  const url = (s: SecretName, template: string): EnvValue => ({ kind: 'url', secret: s, template });
  const onReplica = role === 'prediction';
  const controlIp = () => required(ep.controlPrivateIp, 'the control VM private IP');
  switch (name) {
    case 'WINE_PROFILE':
      return setting(ep.profile);
    case 'WINE_HOST_ROLE':
      return setting(role);
    case 'WINE_RELEASE_VERSION':
      return setting(ep.releaseVersion);
    case 'COMPOSE_PROFILES':
      return setting(COMPOSE_PROFILES_BY_ROLE[role].join(','));
    case 'PUBLIC_HOSTNAME':
      return setting(required(ep.publicHostname, 'the public host name'));
    case 'EDGE_MAX_BODY_BYTES':
      return setting(String(ep.edge.maxBodyBytes));
    case 'EDGE_RATE_LIMIT_EVENTS':
      return setting(String(ep.edge.rateLimitPerMinute));
    case 'EDGE_RATE_LIMIT_WINDOW':
      return setting('1m');
    case 'PREDICTION_PUBLISH_ADDRESS':
    case 'MANAGEMENT_PUBLISH_ADDRESS':
      return setting(onReplica ? '0.0.0.0' : '127.0.0.1');
    case 'MLFLOW_PUBLISH_ADDRESS':
      return setting(role === 'control' ? controlIp() : '127.0.0.1');
    case 'MLFLOW_TRACKING_URI':
      return setting(onReplica ? `http://${controlIp()}:${PORTS.mlflow}` : COMPOSE_MLFLOW);
    case 'MLFLOW_TRACKING_USERNAME':
      return setting(MLFLOW_USERNAME);
    case 'MLFLOW_TRACKING_PASSWORD':
      return secret(SECRET_OF_ENV.MLFLOW_TRACKING_PASSWORD);
    case 'MLFLOW_SERVER_ALLOWED_HOSTS': {
      const hosts = ['mlflow', 'localhost', '127.0.0.1'];
      if (role === 'control') hosts.push(controlIp());
      return setting(hosts.flatMap((h) => [h, `${h}:${PORTS.mlflow}`]).join(','));
    }
    case 'MLFLOW_BACKEND_STORE_URI':
      return url(SECRET_OF_ENV.MLFLOW_BACKEND_STORE_URI, databaseUrl(ep.database, 'mlflow', true));
    case 'MLFLOW_ARTIFACTS_DESTINATION':
      return setting(`wasbs://mlflow-artifacts@${ep.storageAccountName}.blob.core.windows.net/`);
    case 'POSTGRES_PASSWORD':
      return secret(SECRET_OF_ENV.POSTGRES_PASSWORD);
    case 'DATABASE_URL':
      return url(SECRET_OF_ENV.DATABASE_URL, databaseUrl(ep.database, 'wine', false));
    case 'REDIS_URL':
      return 'url' in ep.redis
        ? setting(ep.redis.url)
        : url(
            SECRET_OF_ENV.REDIS_URL,
            `rediss://:${SECRET_PLACEHOLDER}@${ep.redis.host}:${ep.redis.port}`,
          );
    case 'GF_SECURITY_ADMIN_PASSWORD':
      return secret(SECRET_OF_ENV.GF_SECURITY_ADMIN_PASSWORD);
    case 'ADMIN_TOKEN':
      return secret(SECRET_OF_ENV.ADMIN_TOKEN);
    case 'PIPELINE_WEBHOOK_TOKEN':
      return secret(SECRET_OF_ENV.PIPELINE_WEBHOOK_TOKEN);
    case 'AZURE_KEY_VAULT_URL':
      return setting(ep.keyVaultUrl);
    case 'AZURE_STORAGE_ACCOUNT_NAME':
      return setting(ep.storageAccountName);
    case 'AZURE_STORAGE_ACCOUNT_URL':
      return setting(`https://${ep.storageAccountName}.blob.core.windows.net/`);
  }
}

export interface MachineEnv {
  /** Written in clear into the cloud-config (stack-settings.env). */
  readonly settings: Readonly<Record<string, string>>;
  /** Read from Key Vault at boot: variable, secret, and the URL template if any. */
  readonly secrets: readonly {
    readonly envVar: StackEnvName;
    readonly name: SecretName;
    readonly template?: string;
  }[];
}

/** The `.env` one machine gets, split into synth-time settings and Key Vault lookups. */
export function machineEnv(role: HostRole, endpoints: StackEndpoints): MachineEnv {
  const settings: Record<string, string> = {};
  const secrets: MachineEnv['secrets'][number][] = [];
  for (const name of envNamesFor(role)) {
    const value = valueOf(name, role, endpoints);
    const declared: EnvSource = envSourceOf(name, endpoints.profile);
    if (value.kind !== declared) {
      throw new TypeError(`${name} is declared as ${declared} but computed as ${value.kind}`);
    }
    if (value.kind === 'setting') settings[name] = value.value;
    else if (value.kind === 'secret') secrets.push({ envVar: name, name: value.secret });
    else secrets.push({ envVar: name, name: value.secret, template: value.template });
  }
  return { settings, secrets };
}

/** Key Vault secrets one machine reads: what its managed identity must be allowed to get. */
export function secretsReadBy(role: HostRole, endpoints: StackEndpoints): SecretName[] {
  return [...new Set(machineEnv(role, endpoints).secrets.map((s) => s.name))];
}

/** Human-readable connection settings for the outputs: secrets shown as `<Key Vault secret: name>`. */
export function describeMachineEnv(
  role: HostRole,
  endpoints: StackEndpoints,
): Record<string, string> {
  const env = machineEnv(role, endpoints);
  const described: Record<string, string> = { ...env.settings };
  for (const { envVar, name, template } of env.secrets) {
    const ref = `<Key Vault secret ${name}>`;
    described[envVar] = template === undefined ? ref : template.replace(SECRET_PLACEHOLDER, ref);
  }
  return described;
}
