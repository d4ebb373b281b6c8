import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Construct } from 'constructs';

export interface VmAccessProps {
  readonly principalId: string;
  readonly keyVaultId: string;
  readonly storageAccountId: string;
}

/** Built-in roles the VM identity gets: read secrets of one vault, read/write blobs of one account. */
export const VM_ROLES = {
  keyVault: 'Key Vault Secrets User',
  storage: 'Storage Blob Data Contributor',
} as const;

/** The VM's managed identity gets exactly these two role assignments and nothing else. */
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
  }
}
