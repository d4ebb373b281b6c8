/** Test helpers for packages that use az:// (not part of the runtime API). */
export { AZURITE_ACCOUNT, describeWithAzurite, findAzuriteBlob, startAzurite } from './azurite';
export type { Azurite } from './azurite';
