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
    /** Expected SHA-256 of the tarball, checked on the VM before unpacking (WINE_INFRA_RELEASE_SHA256). */
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits (sha256sum output)')
      .optional(),
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
        ? 'release is required: set WINE_INFRA_RELEASE_VERSION and WINE_INFRA_RELEASE_URL or add "release": { "version", "url" } to the config file'
        : undefined,
  },
);

export const infraConfigSchema = z.strictObject({
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
});

export type InfraConfigInput = z.input<typeof infraConfigSchema>;
export type InfraConfig = Readonly<z.output<typeof infraConfigSchema>>;
