/**
 * Shared process edge for every CLI: runs `main`, prints expected failures as one readable
 * message (with the error code and details) instead of a stack trace, and sets the exit code.
 */
import type * as Azure from '@wine/azure';
import type { SecretEnvName } from '@wine/azure';
import { ModelError, isModelError } from '@wine/model';

export interface CliFailure {
  readonly message: string;
  readonly exitCode: number;
}

export function describeFailure(error: unknown): CliFailure {
  if (isModelError(error)) {
    const details =
      error.details.length > 0 ? '\n  ' + error.details.slice(0, 10).join('\n  ') : '';
    return { message: `error [${error.code}]: ${error.message}${details}`, exitCode: 1 };
  }
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
    // Other packages' typed errors (DbError, MlflowClientError) may carry details too.
    const list =
      'details' in error && Array.isArray(error.details) ? error.details.map(String) : [];
    const details = list.length > 0 ? '\n  ' + list.slice(0, 10).join('\n  ') : '';
    return { message: `error [${error.code}]: ${error.message}${details}`, exitCode: 1 };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    message: `unexpected error: ${message}\n(set DEBUG=1 for the stack trace)`,
    exitCode: 70,
  };
}

/** @wine/azure, loaded on first use. */
function azure(): typeof Azure {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose, see runCli
  return require('@wine/azure') as typeof Azure;
}

/** Secret variables a CLI may take from Key Vault (with AZURE_KEY_VAULT_URL set). */
export const CLI_SECRET_ENV: readonly SecretEnvName[] = [
  'MLFLOW_TRACKING_PASSWORD',
  'DATABASE_URL',
];

/**
 * Runs `main` after filling the secret variables from Key Vault when AZURE_KEY_VAULT_URL is
 * set (explicit values win); a vault failure is one `error [KEY_VAULT_…]` line and exit 1.
 */
export function runCli(
  main: () => Promise<void>,
  options: { readonly secrets?: readonly SecretEnvName[] } = {},
): void {
  // The Azure SDK takes ~0.35 s to load (as long as a whole search): only with a vault.
  const vault = process.env['AZURE_KEY_VAULT_URL']?.trim();
  const secrets =
    vault === undefined || vault === ''
      ? Promise.resolve()
      : azure().loadKeyVaultSecrets(options.secrets ?? CLI_SECRET_ENV);
  secrets.then(main).catch((error: unknown) => {
    const failure = describeFailure(error);
    console.error(failure.message);
    if (process.env.DEBUG && error instanceof Error) console.error(error.stack);
    process.exitCode = failure.exitCode;
  });
}

/** Validates parsed CLI options with their schema; failures name the flag and point at --help. */
export function parseOptions<T>(
  schema: {
    safeParse(input: unknown):
      | { success: true; data: T }
      | {
          success: false;
          error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> };
        };
  },
  raw: unknown,
): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new ModelError('PARAMS_INVALID', 'invalid options (see --help)', {
    details: parsed.error.issues.map(
      (i) => (i.path.length ? `--${i.path.map(String).join('.')}: ` : '') + i.message,
    ),
  });
}
