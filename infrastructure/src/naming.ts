import { createHash } from 'node:crypto';
import type { InfraConfig } from './config.schema';

/** Every resource name, derived from the config alone so two synths never differ. */
export interface ResourceNames {
  readonly resourceGroup: string;
  readonly virtualNetwork: string;
  readonly subnet: string;
  readonly networkSecurityGroup: string;
  readonly publicIp: string;
  readonly networkInterface: string;
  readonly virtualMachine: string;
  readonly computerName: string;
  readonly osDisk: string;
  /** Global: 3-24 lowercase letters and digits. */
  readonly storageAccount: string;
  /** Global: 3-24 letters, digits and single hyphens, starting with a letter. */
  readonly keyVault: string;
  /** DNS label of the public IP: unique within the region. */
  readonly domainNameLabel: string;
}

type NamingInput = Pick<InfraConfig, 'namePrefix' | 'environment' | 'subscriptionId'>;

/**
 * Stable suffix for globally unique names. The subscription id is part of the input so two
 * people using the default prefix don't collide; it is hashed so it does not leak into names.
 */
export function uniqueSuffix(input: NamingInput, length: number): string {
  return createHash('sha256')
    .update(`${input.subscriptionId.toLowerCase()}/${input.namePrefix}/${input.environment}`)
    .digest('hex')
    .slice(0, length);
}

export function resourceNames(input: NamingInput): ResourceNames {
  const base = `${input.namePrefix}-${input.environment}`;
  // prefix ≤ 10 + env ≤ 8 chars (config.schema.ts): 12 + 2 + 10 = 24 and 12 + 4 + 8 = 24.
  const compact = `${input.namePrefix}${input.environment}`.slice(0, 12);
  return {
    resourceGroup: `rg-${base}`,
    virtualNetwork: `vnet-${base}`,
    subnet: `snet-${base}-app`,
    networkSecurityGroup: `nsg-${base}-app`,
    publicIp: `pip-${base}-vm`,
    networkInterface: `nic-${base}-vm`,
    virtualMachine: `vm-${base}`,
    computerName: `${base}-vm`,
    osDisk: `osdisk-${base}-vm`,
    storageAccount: `${compact}st${uniqueSuffix(input, 10)}`,
    keyVault: `${compact}-kv-${uniqueSuffix(input, 8)}`,
    domainNameLabel: `${base}-${uniqueSuffix(input, 6)}`,
  };
}

/** Key Vault's data-plane URL, known before apply because the vault name is deterministic. */
export function keyVaultUrl(vaultName: string): string {
  return `https://${vaultName}.vault.azure.net/`;
}
