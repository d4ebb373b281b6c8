/**
 * The Storage every tool uses: local paths on disk, az:// on the account the environment
 * names. The Blob client is created on the first az:// use, so local-only runs need no Azure
 * settings at all.
 */
import { blobAccountFromEnv, type BlobAccountOptions } from './blob/account';
import { createBlobStorage, type BlobStorageOptions } from './blob/blob-storage';
import { createLocalStorage } from './local-storage';
import type { Location } from './location';
import type { Storage } from './storage';

export interface StorageOptions extends BlobAccountOptions, BlobStorageOptions {
  readonly env?: NodeJS.ProcessEnv;
}

export function createStorage(options: StorageOptions = {}): Storage {
  const localStorage = createLocalStorage();
  let blob: Storage | undefined;
  const pick = (location: Location): Storage => {
    if (location.kind === 'local') return localStorage;
    blob ??= createBlobStorage(
      blobAccountFromEnv(options.env ?? process.env, options).service,
      options,
    );
    return blob;
  };
  return {
    list: (l) => pick(l).list(l),
    stat: (l) => pick(l).stat(l),
    read: (l, range) => pick(l).read(l, range),
    writer: (l, o) => pick(l).writer(l, o),
    remove: (l) => pick(l).remove(l),
    describe: (l) => pick(l).describe(l),
  };
}
