/** The Azure data plane: locations, storage (local + Blob), transfers, Key Vault secrets. */
export { AzureError, AZURE_ERROR_CODES, isAzureError } from './errors';
export type { AzureErrorCode } from './errors';
export {
  baseName,
  childLocation,
  formatLocation,
  isAzLocation,
  looksLikeFolder,
  parseLocation,
} from './location';
export type { AzLocation, Location } from './location';
export { SHA256_METADATA_KEY } from './storage';
export type {
  AtomicWriter,
  ByteRange,
  CommitOptions,
  ObjectInfo,
  Storage,
  WriterOptions,
  WrittenObject,
} from './storage';
export { createLocalStorage, tempPathFor } from './local-storage';
export { createStorage } from './any-storage';
export type { StorageOptions } from './any-storage';
export { blobAccountFromEnv, STORAGE_ENV_DOCS } from './blob/account';
export type { BlobAccount, BlobAccountOptions } from './blob/account';
export { createBlobStorage } from './blob/blob-storage';
export type { BlobStorageOptions } from './blob/blob-storage';
export { DEFAULT_BLOCK_SETTINGS } from './blob/block-writer';
export type { BlockWriterSettings } from './blob/block-writer';
export { copyLocation } from './transfer';
export type { CopiedObject, TransferProgress } from './transfer';
export {
  KEY_VAULT_ENV_DOCS,
  keyVaultUrl,
  loadKeyVaultSecrets,
  loadKeyVaultSecretsOrExit,
  resolveSecrets,
} from './key-vault/resolve-secrets';
export type { ResolveOptions, Resolved, SecretReader } from './key-vault/resolve-secrets';
export { SECRET_ENV_NAMES, applySecret, isUrlSecret, secretNeeds } from './key-vault/secret-env';
export type { SecretEnvName, SecretName, SecretNeed } from './key-vault/secret-env';
