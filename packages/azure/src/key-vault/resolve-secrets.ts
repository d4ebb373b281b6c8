/**
 * Key Vault configuration for every process: with AZURE_KEY_VAULT_URL set, the secret
 * variables a process reads come from the vault (through DefaultAzureCredential: the VM's
 * managed identity) unless the environment sets them. Any failure — missing secret, 403,
 * unreachable vault — is one AzureError naming the secret, the variable and the vault;
 * values never reach a message or a log.
 */
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { SecretClient, type SecretClientOptions } from '@azure/keyvault-secrets';
import { AzureError, reasonOf, statusOf } from '../errors';
import { applySecret, secretNeeds, type SecretEnvName, type SecretNeed } from './secret-env';

export const KEY_VAULT_ENV_DOCS = {
  AZURE_KEY_VAULT_URL:
    'Key Vault the process reads its secrets from (https://<vault>.vault.azure.net/) with the managed identity; variables set in the environment win.',
} as const;

/** What resolving needs from a vault client (SecretClient; tests may pass another real one). */
export interface SecretReader {
  getSecret(name: string): Promise<{ value?: string | undefined }>;
}

export interface ResolveOptions {
  /** Default: a SecretClient on AZURE_KEY_VAULT_URL with DefaultAzureCredential. */
  readonly client?: SecretReader;
  readonly credential?: TokenCredential;
  readonly clientOptions?: SecretClientOptions;
}

export interface Resolved {
  readonly vault: string | undefined;
  /** The variables to set (values are secrets: never log them). */
  readonly values: Readonly<Partial<Record<SecretEnvName, string>>>;
}

export function keyVaultUrl(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env['AZURE_KEY_VAULT_URL']?.trim();
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AzureError(
      'KEY_VAULT_URL_INVALID',
      `AZURE_KEY_VAULT_URL=${raw} is not a URL; expected https://<vault>.vault.azure.net/`,
    );
  }
  if (url.protocol !== 'https:' || url.search !== '' || url.username !== '') {
    throw new AzureError(
      'KEY_VAULT_URL_INVALID',
      'AZURE_KEY_VAULT_URL must be the vault’s https:// URL, e.g. https://<vault>.vault.azure.net/',
    );
  }
  return url.toString();
}

function failure(error: unknown, need: SecretNeed, vault: string): AzureError {
  const what = `Key Vault ${vault}: secret "${need.secret}" (for ${need.env})`;
  const status = statusOf(error);
  const name = error instanceof Error ? error.name : '';
  if (status === 404) {
    return new AzureError(
      'KEY_VAULT_SECRET_MISSING',
      `${what} does not exist; create it (az keyvault secret set --vault-name <vault> --name ${need.secret}) or set ${need.env}`,
      { cause: error },
    );
  }
  if (status === 403 || status === 401) {
    return new AzureError(
      'KEY_VAULT_FORBIDDEN',
      `${what} cannot be read (${reasonOf(error)}); grant this identity "Key Vault Secrets User" on the vault or set ${need.env}`,
      { cause: error },
    );
  }
  if (/Credential|Authentication/.test(name)) {
    return new AzureError(
      'AZURE_AUTH_FAILED',
      `${what}: no Azure credential (${name}); on the VM the managed identity signs in, elsewhere run \`az login\` or set ${need.env}`,
      { cause: error },
    );
  }
  return new AzureError(
    'KEY_VAULT_UNREACHABLE',
    `${what}: the vault cannot be reached (${reasonOf(error)}); check AZURE_KEY_VAULT_URL or set ${need.env}`,
    { cause: error },
  );
}

/**
 * The values of the secret variables `reads` still lacks. Without AZURE_KEY_VAULT_URL, or
 * when the environment already has everything, nothing is asked of any vault.
 */
export async function resolveSecrets(
  env: NodeJS.ProcessEnv,
  reads: readonly SecretEnvName[],
  options: ResolveOptions = {},
): Promise<Resolved> {
  const vault = keyVaultUrl(env);
  if (vault === undefined) return { vault, values: {} };
  const needs = secretNeeds(env, reads);
  if (needs.length === 0) return { vault, values: {} };
  const client =
    options.client ??
    new SecretClient(vault, options.credential ?? new DefaultAzureCredential(), {
      retryOptions: { maxRetries: 2 },
      ...options.clientOptions,
    });
  const bySecret = new Map<string, Promise<string>>();
  const fetchSecret = (need: SecretNeed): Promise<string> => {
    let p = bySecret.get(need.secret);
    if (p === undefined) {
      p = client.getSecret(need.secret).then((s) => s.value ?? '');
      bySecret.set(need.secret, p);
    }
    return p;
  };
  const settled = await Promise.allSettled(needs.map(fetchSecret));
  const values: Partial<Record<SecretEnvName, string>> = {};
  for (const [i, need] of needs.entries()) {
    const result = settled[i];
    if (result === undefined) continue;
    if (result.status === 'rejected') throw failure(result.reason, need, vault);
    if (result.value === '') {
      throw new AzureError(
        'KEY_VAULT_SECRET_INVALID',
        `Key Vault ${vault}: secret "${need.secret}" (for ${need.env}) is empty; set a value or set ${need.env}`,
      );
    }
    values[need.env] = applySecret(need, env[need.env], result.value);
  }
  return { vault, values };
}

/**
 * Process edge: resolves into `env` (default process.env) so the config module reads the
 * variables as if they had been set; child processes (cluster workers) inherit them.
 * Returns the names it set — never the values.
 */
export async function loadKeyVaultSecrets(
  reads: readonly SecretEnvName[],
  options: ResolveOptions & { readonly env?: NodeJS.ProcessEnv } = {},
): Promise<{ vault: string | undefined; names: SecretEnvName[] }> {
  const env = options.env ?? process.env;
  const { vault, values } = await resolveSecrets(env, reads, options);
  const names = Object.keys(values) as SecretEnvName[];
  for (const name of names) env[name] = values[name];
  return { vault, names };
}

/**
 * For process entry points without a CLI edge (service, monitor): on failure, one line on
 * stderr — `error [KEY_VAULT_…]: Key Vault …: secret "…" (for …) …` — and exit 1.
 */
export async function loadKeyVaultSecretsOrExit(
  reads: readonly SecretEnvName[],
  options: ResolveOptions & { readonly env?: NodeJS.ProcessEnv } = {},
): Promise<{ vault: string | undefined; names: SecretEnvName[] }> {
  try {
    return await loadKeyVaultSecrets(reads, options);
  } catch (error) {
    const line =
      error instanceof AzureError
        ? `error [${error.code}]: ${error.message}`
        : `error: cannot read secrets from Key Vault (${reasonOf(error)})`;
    console.error(line);
    process.exit(1);
  }
}
