/** Azure SDK failures → AzureError with the location and what to do. */
import { AzureError, reasonOf, statusOf } from '../errors';

export function blobError(error: unknown, what: string, account: string): AzureError {
  if (error instanceof AzureError) return error;
  const status = statusOf(error);
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const name = error instanceof Error ? error.name : '';
  if (
    name === 'CredentialUnavailableError' ||
    name === 'AuthenticationError' ||
    name === 'AggregateAuthenticationError'
  ) {
    return new AzureError(
      'AZURE_AUTH_FAILED',
      `${what}: no Azure credential for ${account} (${name}); on the VM the managed identity signs in, elsewhere run \`az login\` or set AZURE_STORAGE_CONNECTION_STRING`,
      { cause: error },
    );
  }
  if (status === 404 || code === 'ContainerNotFound' || code === 'BlobNotFound') {
    const container = code === 'ContainerNotFound' ? ' (the container does not exist)' : '';
    return new AzureError('LOCATION_NOT_FOUND', `${what}: not found in ${account}${container}`, {
      cause: error,
    });
  }
  if (status === 403 || status === 401) {
    return new AzureError(
      'AZURE_FORBIDDEN',
      `${what}: access denied by ${account} (${reasonOf(error)}); the identity needs "Storage Blob Data Contributor" (reads: "… Reader") on the account or container`,
      { cause: error },
    );
  }
  return new AzureError('AZURE_REQUEST_FAILED', `${what}: ${reasonOf(error)} (${account})`, {
    cause: error,
  });
}
