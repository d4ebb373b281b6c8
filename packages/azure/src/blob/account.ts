/**
 * Which storage account az:// locations mean, from the environment (read here only):
 * - AZURE_STORAGE_CONNECTION_STRING (Azurite, laptops, account keys) wins when set;
 * - else AZURE_STORAGE_ACCOUNT_URL with DefaultAzureCredential — the VM's managed identity in
 *   production, `az login` or AZURE_CLIENT_ID/…_SECRET/AZURE_TENANT_ID elsewhere.
 */
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { BlobServiceClient, type StoragePipelineOptions } from '@azure/storage-blob';
import { AzureError } from '../errors';

export const STORAGE_ENV_DOCS = {
  AZURE_STORAGE_ACCOUNT_URL:
    'Blob endpoint az:// locations live in, e.g. https://<account>.blob.core.windows.net/; signs in with DefaultAzureCredential (managed identity on the VM, `az login` on a laptop).',
  AZURE_STORAGE_CONNECTION_STRING:
    'Connection string of the storage account (Azurite: UseDevelopmentStorage=true or the full string); wins over AZURE_STORAGE_ACCOUNT_URL.',
} as const;

export interface BlobAccount {
  readonly service: BlobServiceClient;
  /** Account URL without credentials, for messages. */
  readonly url: string;
  /** How the account was chosen, for messages. */
  readonly via: 'AZURE_STORAGE_CONNECTION_STRING' | 'AZURE_STORAGE_ACCOUNT_URL';
}

export interface BlobAccountOptions {
  /** Replaces DefaultAzureCredential (tests, other identities). */
  readonly credential?: TokenCredential;
  readonly pipeline?: StoragePipelineOptions;
}

/** Retries of the SDK's own policy: transient 5xx, 429 and connection resets. */
const RETRY = { maxTries: 5, retryDelayInMs: 500, maxRetryDelayInMs: 10_000 } as const;

export function blobAccountFromEnv(
  env: NodeJS.ProcessEnv,
  options: BlobAccountOptions = {},
): BlobAccount {
  const pipeline: StoragePipelineOptions = { retryOptions: RETRY, ...options.pipeline };
  const connection = env['AZURE_STORAGE_CONNECTION_STRING']?.trim();
  if (connection !== undefined && connection !== '') {
    let service: BlobServiceClient;
    try {
      service = BlobServiceClient.fromConnectionString(connection, pipeline);
    } catch (cause) {
      // The SDK's message may quote the string (and its key): say only what is wrong.
      throw new AzureError(
        'AZURE_NOT_CONFIGURED',
        'AZURE_STORAGE_CONNECTION_STRING is not a valid connection string (expected DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…;BlobEndpoint=… or UseDevelopmentStorage=true)',
        { cause },
      );
    }
    return { service, url: service.url, via: 'AZURE_STORAGE_CONNECTION_STRING' };
  }
  const url = env['AZURE_STORAGE_ACCOUNT_URL']?.trim();
  if (url !== undefined && url !== '') {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new AzureError(
        'AZURE_NOT_CONFIGURED',
        `AZURE_STORAGE_ACCOUNT_URL=${url} is not a URL; expected https://<account>.blob.core.windows.net/`,
      );
    }
    if (parsed.protocol !== 'https:' || parsed.search !== '' || parsed.username !== '') {
      throw new AzureError(
        'AZURE_NOT_CONFIGURED',
        `AZURE_STORAGE_ACCOUNT_URL must be a plain https:// endpoint (no SAS token or user), e.g. https://<account>.blob.core.windows.net/`,
      );
    }
    const credential = options.credential ?? new DefaultAzureCredential();
    return {
      service: new BlobServiceClient(parsed.toString(), credential, pipeline),
      url: parsed.toString(),
      via: 'AZURE_STORAGE_ACCOUNT_URL',
    };
  }
  throw new AzureError(
    'AZURE_NOT_CONFIGURED',
    'az:// locations need a storage account: set AZURE_STORAGE_ACCOUNT_URL (signs in with the managed identity or `az login`) ' +
      'or AZURE_STORAGE_CONNECTION_STRING (Azurite, account keys)',
  );
}
