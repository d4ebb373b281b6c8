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

/** Names of the resources only the scaled profile adds; same rules as resourceNames. */
export interface ScaledNames {
  readonly predictionSubnet: string;
  readonly predictionSecurityGroup: string;
  readonly gatewaySubnet: string;
  readonly gatewaySecurityGroup: string;
  readonly databaseSubnet: string;
  readonly databaseSecurityGroup: string;
  readonly endpointSubnet: string;
  readonly endpointSecurityGroup: string;
  readonly scaleSet: string;
  /** Instances are named prefix + 6 characters; Linux host names allow 63. */
  readonly scaleSetComputerPrefix: string;
  readonly autoscale: string;
  readonly predictionIdentity: string;
  readonly gatewayIdentity: string;
  readonly gateway: string;
  readonly gatewayPublicIp: string;
  /** DNS label of the gateway's public IP: the public API's host name. */
  readonly gatewayDomainNameLabel: string;
  readonly firewallPolicy: string;
  /** Global (<name>.postgres.database.azure.com): 3-63 lowercase letters, digits, hyphens. */
  readonly postgresServer: string;
  readonly postgresDnsZone: string;
  /** Global for Azure Cache for Redis (<name>.redis.cache.windows.net); 1-63 characters. */
  readonly redis: string;
  readonly redisPrivateEndpoint: string;
}

export function scaledNames(input: NamingInput): ScaledNames {
  const base = `${input.namePrefix}-${input.environment}`;
  return {
    predictionSubnet: `snet-${base}-prediction`,
    predictionSecurityGroup: `nsg-${base}-prediction`,
    gatewaySubnet: `snet-${base}-gateway`,
    gatewaySecurityGroup: `nsg-${base}-gateway`,
    databaseSubnet: `snet-${base}-postgres`,
    databaseSecurityGroup: `nsg-${base}-postgres`,
    endpointSubnet: `snet-${base}-endpoints`,
    endpointSecurityGroup: `nsg-${base}-endpoints`,
    scaleSet: `vmss-${base}-prediction`,
    scaleSetComputerPrefix: `${base}-p`,
    autoscale: `autoscale-${base}-prediction`,
    predictionIdentity: `id-${base}-prediction`,
    gatewayIdentity: `id-${base}-gateway`,
    gateway: `agw-${base}`,
    gatewayPublicIp: `pip-${base}-agw`,
    gatewayDomainNameLabel: `${base}-api-${uniqueSuffix(input, 6)}`,
    firewallPolicy: `waf-${base}`,
    postgresServer: `psql-${base}-${uniqueSuffix(input, 8)}`,
    postgresDnsZone: `${base}.private.postgres.database.azure.com`,
    redis: `redis-${base}-${uniqueSuffix(input, 8)}`,
    redisPrivateEndpoint: `pe-${base}-redis`,
  };
}

/** Azure's DNS name of a public IP with a domain label (public cloud). */
export function publicIpFqdn(label: string, location: string): string {
  return `${label}.${location}.cloudapp.azure.com`;
}
