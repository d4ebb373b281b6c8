import { z } from 'zod';
import { checkAdminCidr } from './cidr';

/**
 * Shape of infrastructure/config.json after environment overrides are merged in.
 * Every field documents the environment variable that sets it (see config.ts).
 */

const required = (what: string, env: string, example: string) =>
  z.string({
    error: (issue) =>
      issue.input === undefined
        ? `${what} is required: set ${env}=${example} or add it to the config file`
        : `${what} must be a string`,
  });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const backendSchema = z.strictObject({
  /** Resource group of the state storage account (WINE_INFRA_STATE_RESOURCE_GROUP). */
  resourceGroupName: z.string().min(1),
  /** Storage account holding Terraform state (WINE_INFRA_STATE_STORAGE_ACCOUNT). */
  storageAccountName: z.string().regex(/^[a-z0-9]{3,24}$/, '3-24 lowercase letters or digits'),
  /** Blob container for state (WINE_INFRA_STATE_CONTAINER). */
  containerName: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/, 'a blob container name'),
  /** Blob name of this stack's state (WINE_INFRA_STATE_KEY). */
  key: z.string().min(1).default('wine-quality.tfstate'),
});

export const releaseSchema = z.strictObject(
  {
    /** Pinned release version; part of the install path on the VM (WINE_INFRA_RELEASE_VERSION). */
    version: z
      .string()
      .regex(/^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$/, 'letters, digits, ".", "_" or "-", like 0.1.0'),
    /** HTTPS URL of the release tarball: compose file + configuration (WINE_INFRA_RELEASE_URL). */
    url: z
      .url({ protocol: /^https$/, error: 'must be an https:// URL of the release tarball' })
      .refine((u) => !/["'`$\\\s]/.test(u), 'must not contain quotes, "$", "\\" or spaces'),
    /**
     * SHA-256 of the tarball, checked on the VM before anything is unpacked
     * (WINE_INFRA_RELEASE_SHA256). Required: root runs what the release contains.
     */
    sha256: z
      .string({
        error: (issue) =>
          issue.input === undefined
            ? 'the release checksum is required (the VM runs what it downloads as root): set WINE_INFRA_RELEASE_SHA256=$(sha256sum wine-stack-<version>.tar.gz | cut -d" " -f1)'
            : 'must be a string',
      })
      .regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits (sha256sum output)'),
    /** Compose file inside the tarball (WINE_INFRA_RELEASE_COMPOSE_FILE). */
    composeFile: z
      .string()
      .regex(/^[A-Za-z0-9._/-]+$/, 'a relative path such as docker-compose.yml')
      .refine(
        (p) => !p.startsWith('/') && !p.split('/').includes('..'),
        'must stay inside the release',
      )
      .default('docker-compose.yml'),
  },
  {
    error: (issue) =>
      issue.input === undefined
        ? 'release is required: set WINE_INFRA_RELEASE_VERSION, WINE_INFRA_RELEASE_URL and WINE_INFRA_RELEASE_SHA256 or add "release": { "version", "url", "sha256" } to the config file'
        : undefined,
  },
);

/** true/false from JSON, or "true"/"false" from the environment. */
const flag = (fallback: boolean) =>
  z
    .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')], {
      error: 'must be true or false',
    })
    .default(fallback);

const count = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const VM_SIZE = /^Standard_[A-Za-z0-9_]+$/;

/** The public edge: Caddy on the single VM, the Application Gateway's WAF when scaled. */
export const edgeSchema = z.strictObject({
  /** Largest request body forwarded; 413 at the edge above it (WINE_INFRA_EDGE_MAX_BODY_BYTES). */
  maxBodyBytes: z.coerce
    .number()
    .int()
    .min(8 * 1024, 'at least 8192 (8 KiB, the WAF minimum)')
    .max(2000 * 1024, 'at most 2048000 (2000 KiB, the largest body the WAF inspects)')
    .default(1024 * 1024),
  /** Requests per client IP per minute; 429 (Caddy) or 403 (WAF) above (WINE_INFRA_EDGE_RATE_LIMIT). */
  rateLimitPerMinute: count(10, 100_000, 600),
});

/** Azure Database for PostgreSQL Flexible Server (scaled profile). */
export const postgresSchema = z.strictObject({
  /** Compute SKU, e.g. B_Standard_B2s, GP_Standard_D2ds_v5 (WINE_INFRA_PG_SKU). */
  skuName: z
    .string()
    .regex(/^(B|GP|MO)_Standard_[A-Za-z0-9_]+$/, 'a Flexible Server SKU such as B_Standard_B2s')
    .default('B_Standard_B2s'),
  /** Major version (WINE_INFRA_PG_VERSION). */
  version: z.enum(['15', '16', '17']).default('17'),
  /** Storage in MiB, grows automatically (WINE_INFRA_PG_STORAGE_MB). */
  storageMb: z.coerce
    .number()
    .int()
    .refine((mb) => [32768, 65536, 131072, 262144, 524288, 1048576].includes(mb), {
      error: 'one of 32768, 65536, 131072, 262144, 524288, 1048576',
    })
    .default(32768),
  /** Point-in-time-restore window in days, 7-35 (WINE_INFRA_PG_BACKUP_DAYS); see README "Backups". */
  backupRetentionDays: count(7, 35, 14),
  /** Geo-redundant backup copies in the paired region, fixed at creation (WINE_INFRA_PG_GEO_BACKUP). */
  geoRedundantBackup: flag(false),
  /** Standby replica: off, SameZone or ZoneRedundant; needs a GP_ or MO_ SKU (WINE_INFRA_PG_HA). */
  highAvailability: z.enum(['off', 'SameZone', 'ZoneRedundant']).default('off'),
});

/** Managed Redis for BullMQ and streams (scaled profile). */
export const redisSchema = z.strictObject({
  /**
   * managed-redis: Azure Managed Redis (the successor product); cache-for-redis: Azure Cache
   * for Redis, which retires on 2028-09-30 and new tenants can no longer create
   * (WINE_INFRA_REDIS_SERVICE).
   */
  service: z.enum(['managed-redis', 'cache-for-redis']).default('managed-redis'),
  /** SKU: Balanced_B0... for managed-redis, Basic_C0 / Standard_C1 / Premium_P1... for cache-for-redis (WINE_INFRA_REDIS_SKU). */
  skuName: z
    .string()
    .regex(
      /^((Balanced|ComputeOptimized|MemoryOptimized|FlashOptimized)_[A-Z][0-9]+|(Basic|Standard)_C[0-6]|Premium_P[1-5])$/,
      'a Redis SKU such as Balanced_B0 (managed-redis) or Standard_C1 (cache-for-redis)',
    )
    .optional(),
  /** Replicated (managed-redis; cache-for-redis gets a replica from the Standard tier) (WINE_INFRA_REDIS_HA). */
  highAvailability: flag(true),
});

/** The prediction tier: a scale set behind the Application Gateway (scaled profile). */
export const predictionSchema = z.strictObject({
  /** Instance size; not burstable (B-series credits defeat CPU autoscale) (WINE_INFRA_PREDICTION_VM_SIZE). */
  vmSize: z
    .string()
    .regex(VM_SIZE, 'an Azure VM size such as Standard_D2as_v5')
    .refine((size) => !/^Standard_B/.test(size), {
      error:
        'burstable B-series sizes run out of CPU credits under sustained load, which CPU autoscale cannot see; use e.g. Standard_D2as_v5',
    })
    .default('Standard_D2as_v5'),
  /** Fewest instances; 2 keeps serving while one is replaced (WINE_INFRA_PREDICTION_MIN). */
  minInstances: count(1, 100, 2),
  /** Most instances autoscale may add (WINE_INFRA_PREDICTION_MAX). */
  maxInstances: count(1, 100, 6),
  /** Average CPU % over 5 min that adds an instance (WINE_INFRA_PREDICTION_SCALE_OUT_CPU). */
  scaleOutCpuPercent: count(20, 95, 70),
  /** Average CPU % over 10 min that removes one (WINE_INFRA_PREDICTION_SCALE_IN_CPU). */
  scaleInCpuPercent: count(5, 80, 25),
  /** OS disk size in GiB (WINE_INFRA_PREDICTION_OS_DISK_GB). */
  osDiskSizeGb: count(30, 1024, 32),
});

/** Application Gateway v2 with WAF (scaled profile). */
export const gatewaySchema = z.strictObject({
  /** Fewest capacity units kept warm (WINE_INFRA_GATEWAY_MIN). */
  minCapacity: count(0, 125, 1),
  /** Most capacity units autoscale may use (WINE_INFRA_GATEWAY_MAX). */
  maxCapacity: count(2, 125, 3),
  /** Prevention blocks; Detection only logs (WINE_INFRA_WAF_MODE). */
  wafMode: z.enum(['Prevention', 'Detection']).default('Prevention'),
});

const infraConfigObject = z.strictObject({
  /** single-vm (everything on one VM) or scaled (managed data services, prediction scale set) (WINE_INFRA_PROFILE). */
  profile: z
    .enum(['single-vm', 'scaled'], { error: 'must be single-vm or scaled' })
    .default('single-vm'),
  /** Azure subscription id; also seeds the globally unique names (ARM_SUBSCRIPTION_ID). */
  subscriptionId: required(
    'subscriptionId',
    'ARM_SUBSCRIPTION_ID',
    '$(az account show --query id -o tsv)',
  ).regex(UUID, 'must be a subscription id (a GUID)'),
  /** Azure region (WINE_INFRA_LOCATION). */
  location: z
    .string()
    .regex(/^[a-z0-9]+$/, 'an Azure region name such as westeurope')
    .default('westeurope'),
  /** VM size (WINE_INFRA_VM_SIZE). */
  vmSize: z
    .string()
    .regex(/^Standard_[A-Za-z0-9_]+$/, 'an Azure VM size such as Standard_B2s')
    .default('Standard_B2s'),
  /** Short prefix of every resource name (WINE_INFRA_NAME_PREFIX). */
  namePrefix: z
    .string()
    .regex(/^[a-z][a-z0-9]{1,9}$/, '2-10 lowercase letters or digits, starting with a letter')
    .default('wine'),
  /** Environment name, e.g. dev or prod (WINE_INFRA_ENV). */
  environment: z
    .string()
    .regex(/^[a-z][a-z0-9]{0,7}$/, '1-8 lowercase letters or digits, starting with a letter')
    .default('dev'),
  /** The only source allowed to reach SSH, the admin UIs and the vault/storage firewalls (WINE_INFRA_ADMIN_CIDR). */
  allowedAdminCidr: required(
    'allowedAdminCidr',
    'WINE_INFRA_ADMIN_CIDR',
    '"$(curl -s https://ifconfig.me)/32"',
  ).transform((value, ctx) => {
    const checked = checkAdminCidr(value);
    if (checked.ok) return checked.cidr;
    ctx.issues.push({ code: 'custom', message: checked.reason, input: value });
    return z.NEVER;
  }),
  /** OpenSSH public key for the admin user (WINE_INFRA_SSH_PUBLIC_KEY). */
  sshPublicKey: required('sshPublicKey', 'WINE_INFRA_SSH_PUBLIC_KEY', '"$(cat ~/.ssh/id_rsa.pub)"')
    .trim()
    .regex(
      /^ssh-rsa AAAA[A-Za-z0-9+/]+={0,3}(?: [^\r\n]*)?$/,
      'must be one line of an OpenSSH RSA public key ("ssh-rsa AAAA..."); create one with ssh-keygen -t rsa -b 4096',
    ),
  /** Linux admin user name (WINE_INFRA_ADMIN_USERNAME). */
  adminUsername: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'a Linux user name')
    .refine((u) => !['root', 'admin', 'administrator'].includes(u), 'Azure reserves this name')
    .default('azureuser'),
  /** OS disk size in GiB (WINE_INFRA_OS_DISK_GB). */
  osDiskSizeGb: z.coerce.number().int().min(30).max(1024).default(64),
  /** Key Vault soft-delete retention, 7-90 days, fixed at creation (WINE_INFRA_KV_RETENTION_DAYS). */
  keyVaultRetentionDays: z.coerce.number().int().min(7).max(90).default(7),
  /** The release the VM installs and runs. */
  release: releaseSchema,
  /** Remote state in Azure Blob; omit for local state. */
  backend: backendSchema.optional(),
  edge: edgeSchema.prefault({}),
  postgres: postgresSchema.prefault({}),
  redis: redisSchema.prefault({}),
  prediction: predictionSchema.prefault({}),
  gateway: gatewaySchema.prefault({}),
});

/** Defaults that depend on other keys, and rules across keys. */
export const infraConfigSchema = infraConfigObject
  .transform((config) => ({
    ...config,
    redis: {
      ...config.redis,
      skuName:
        config.redis.skuName ??
        (config.redis.service === 'managed-redis' ? 'Balanced_B0' : 'Standard_C1'),
    },
  }))
  .superRefine((config, ctx) => {
    const issue = (path: (string | number)[], message: string) => {
      ctx.addIssue({ code: 'custom', path, message });
    };
    if (config.postgres.highAvailability !== 'off' && config.postgres.skuName.startsWith('B_')) {
      issue(
        ['postgres', 'highAvailability'],
        'high availability needs a General Purpose (GP_) or Memory Optimized (MO_) SKU; set postgres.skuName, e.g. GP_Standard_D2ds_v5',
      );
    }
    const managed = config.redis.service === 'managed-redis';
    if (managed !== /^[A-Z][a-zA-Z]+Optimized_|^Balanced_/.test(config.redis.skuName)) {
      issue(
        ['redis', 'skuName'],
        managed
          ? 'managed-redis takes Balanced_/ComputeOptimized_/MemoryOptimized_/FlashOptimized_ SKUs, e.g. Balanced_B0'
          : 'cache-for-redis takes Basic_C0-6, Standard_C0-6 or Premium_P1-5',
      );
    }
    if (config.prediction.minInstances > config.prediction.maxInstances) {
      issue(['prediction', 'minInstances'], 'must not exceed prediction.maxInstances');
    }
    if (config.prediction.scaleInCpuPercent >= config.prediction.scaleOutCpuPercent) {
      issue(
        ['prediction', 'scaleInCpuPercent'],
        'must be below prediction.scaleOutCpuPercent, or the scale set flaps',
      );
    }
    if (config.gateway.minCapacity > config.gateway.maxCapacity) {
      issue(['gateway', 'minCapacity'], 'must not exceed gateway.maxCapacity');
    }
  });

export type InfraConfigInput = z.input<typeof infraConfigObject>;
export type InfraConfig = Readonly<z.output<typeof infraConfigSchema>>;
