/**
 * Which variables a process may take from Key Vault, and how — pure rules over the one list
 * of names infrastructure/ writes into the vault (SECRET_OF_ENV):
 * - a plain secret (ADMIN_TOKEN, MLFLOW_TRACKING_PASSWORD) is needed when the variable is
 *   unset or empty; MLFLOW_TRACKING_PASSWORD only when MLFLOW_TRACKING_USERNAME is set;
 * - a URL variable (DATABASE_URL, REDIS_URL) gets its password from the vault when it names a
 *   user but no password: postgresql://wine@host/wine, rediss://default@host:10000.
 * An explicit value always wins.
 */
import {
  PROFILES,
  SECRET_OF_ENV,
  envSourceOf,
  type SecretEnvName,
  type SecretName,
} from '@wine/stack-contract';

export type { SecretEnvName, SecretName };

export const SECRET_ENV_NAMES = Object.keys(SECRET_OF_ENV) as SecretEnvName[];

/** A password is meaningless without its user name. */
const COMPANION: Partial<Record<SecretEnvName, string>> = {
  MLFLOW_TRACKING_PASSWORD: 'MLFLOW_TRACKING_USERNAME',
};

/** Variables the stack builds as URL templates around a secret (in any profile). */
export function isUrlSecret(name: SecretEnvName): boolean {
  return PROFILES.some((profile) => envSourceOf(name, profile) === 'url');
}

const set = (value: string | undefined): value is string =>
  value !== undefined && value.trim() !== '';

export interface SecretNeed {
  readonly env: SecretEnvName;
  readonly secret: SecretName;
  readonly form: 'value' | 'url-password';
}

/** The secrets these variables still need in this environment (explicit values win). */
export function secretNeeds(env: NodeJS.ProcessEnv, reads: readonly SecretEnvName[]): SecretNeed[] {
  const needs: SecretNeed[] = [];
  for (const name of new Set(reads)) {
    const value = env[name];
    const secret = SECRET_OF_ENV[name];
    if (isUrlSecret(name)) {
      if (set(value) && urlWantsPassword(value))
        needs.push({ env: name, secret, form: 'url-password' });
      continue;
    }
    const companion = COMPANION[name];
    if (set(value) || (companion !== undefined && !set(env[companion]))) continue;
    needs.push({ env: name, secret, form: 'value' });
  }
  return needs;
}

function urlWantsPassword(value: string): boolean {
  try {
    const url = new URL(value);
    return url.username !== '' && url.password === '';
  } catch {
    return false;
  }
}

/** The variable's value with the secret in place (URL-encoded into a URL's password). */
export function applySecret(need: SecretNeed, current: string | undefined, secret: string): string {
  if (need.form === 'value') return secret;
  const url = new URL(current ?? '');
  url.password = encodeURIComponent(secret);
  return url.toString();
}
