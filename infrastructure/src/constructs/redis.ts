import { ManagedRedis } from '@cdktf/provider-azurerm/lib/managed-redis';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { RedisCache } from '@cdktf/provider-azurerm/lib/redis-cache';
import { Construct } from 'constructs';
import type { InfraConfig } from '../config.schema';
import { PORTS } from '../services';
import { privateDnsZone } from './private-dns';

export interface RedisProps {
  readonly resourceGroupName: string;
  readonly location: string;
  readonly name: string;
  readonly privateEndpointName: string;
  readonly endpointSubnetId: string;
  readonly virtualNetworkId: string;
  readonly settings: InfraConfig['redis'];
  readonly tags: Readonly<Record<string, string>>;
}

/** What differs between the two Azure Redis services; both are TLS-only with access keys. */
export const REDIS_SERVICES = {
  'managed-redis': {
    port: PORTS.azureManagedRedisTls,
    subresource: 'redisEnterprise',
    dnsZone: 'privatelink.redis.azure.net',
    host: (name: string, location: string) => `${name}.${location}.redis.azure.net`,
  },
  'cache-for-redis': {
    port: PORTS.azureCacheForRedisTls,
    subresource: 'redisCache',
    dnsZone: 'privatelink.redis.cache.windows.net',
    host: (name: string) => `${name}.redis.cache.windows.net`,
  },
} as const;

/** Host and port of the configured service; deterministic, so known at synth. */
export function redisEndpoint(
  settings: InfraConfig['redis'],
  name: string,
  location: string,
): { host: string; port: number } {
  const service = REDIS_SERVICES[settings.service];
  return { host: service.host(name, location), port: service.port };
}

/**
 * Redis for BullMQ and streams, reachable only through a private endpoint: public network
 * access off, TLS only (no plaintext port), access-key auth (BullMQ's ioredis cannot refresh
 * Entra ID tokens, which expire hourly) with the key copied into Key Vault, and no eviction —
 * BullMQ loses jobs if Redis evicts keys.
 */
export class Redis extends Construct {
  readonly id: string;
  /** Primary access key, for the `redis-access-key` Key Vault secret only. */
  readonly accessKey: string;

  constructor(scope: Construct, id: string, props: RedisProps) {
    super(scope, id);
    const { settings } = props;
    const common = {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tags: props.tags,
    };

    if (settings.service === 'managed-redis') {
      const redis = new ManagedRedis(this, 'managed-redis', {
        ...common,
        skuName: settings.skuName,
        highAvailabilityEnabled: settings.highAvailability,
        publicNetworkAccess: 'Disabled',
        defaultDatabase: {
          clientProtocol: 'Encrypted',
          accessKeysAuthenticationEnabled: true,
          // One shard, no cluster protocol: BullMQ's Lua scripts touch several keys at once.
          clusteringPolicy: 'NoCluster',
          evictionPolicy: 'NoEviction',
        },
      });
      this.id = redis.id;
      this.accessKey = redis.defaultDatabase.primaryAccessKey;
    } else {
      const [tier = '', size = ''] = settings.skuName.split('_');
      const redis = new RedisCache(this, 'cache-for-redis', {
        ...common,
        skuName: tier,
        family: size.charAt(0),
        capacity: Number(size.slice(1)),
        redisVersion: '6',
        nonSslPortEnabled: false,
        minimumTlsVersion: '1.2',
        publicNetworkAccessEnabled: false,
        accessKeysAuthenticationEnabled: true,
        redisConfiguration: { maxmemoryPolicy: 'noeviction' },
      });
      this.id = redis.id;
      this.accessKey = redis.primaryAccessKey;
    }

    const service = REDIS_SERVICES[settings.service];
    const { zone } = privateDnsZone(this, {
      name: service.dnsZone,
      resourceGroupName: props.resourceGroupName,
      virtualNetworkId: props.virtualNetworkId,
      tags: props.tags,
    });
    new PrivateEndpoint(this, 'endpoint', {
      name: props.privateEndpointName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      subnetId: props.endpointSubnetId,
      privateServiceConnection: {
        name: 'redis',
        isManualConnection: false,
        privateConnectionResourceId: this.id,
        subresourceNames: [service.subresource],
      },
      privateDnsZoneGroup: { name: 'redis', privateDnsZoneIds: [zone.id] },
      tags: props.tags,
    });
  }
}
