import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Construct } from 'constructs';

export interface VmAccessProps {
  readonly principalId: string;
  readonly keyVaultId: string;
  readonly storageAccountId: string;
  /** scaled: the resource group Prometheus discovers the prediction instances in. */
  readonly discoveryScope?: string | undefined;
}

/** Built-in roles the VM identity gets. */
export const VM_ROLES = {
  keyVault: 'Key Vault Secrets User',
  storage: 'Storage Blob Data Contributor',
  discovery: 'Reader',
} as const;

/**
 * The VM's managed identity: read the vault's secrets (its .env needs all of them), read and
 * write blobs of one account; when scaled also read the resource group's resource
 * definitions, which Prometheus' azure_sd needs to find the scale-set instances (Reader has
 * no data-plane access: no secrets, no keys, no blobs).
 */
export class VmAccess extends Construct {
  constructor(scope: Construct, id: string, props: VmAccessProps) {
    super(scope, id);
    new RoleAssignment(this, 'key-vault-secrets-user', {
      scope: props.keyVaultId,
      roleDefinitionName: VM_ROLES.keyVault,
      principalId: props.principalId,
      principalType: 'ServicePrincipal',
      description: 'VM bootstrap reads the stack secrets',
    });
    new RoleAssignment(this, 'storage-blob-data-contributor', {
      scope: props.storageAccountId,
      roleDefinitionName: VM_ROLES.storage,
      principalId: props.principalId,
      principalType: 'ServicePrincipal',
      description: 'MLflow artifacts and datasets',
    });
    if (props.discoveryScope !== undefined) {
      new RoleAssignment(this, 'discovery-reader', {
        scope: props.discoveryScope,
        roleDefinitionName: VM_ROLES.discovery,
        principalId: props.principalId,
        principalType: 'ServicePrincipal',
        description: 'Prometheus azure_sd lists the prediction scale-set instances',
      });
    }
  }
}
