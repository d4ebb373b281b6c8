import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { Construct } from 'constructs';

export interface StorageProps {
  readonly resourceGroupName: string;
  readonly location: string;
  readonly name: string;
  /** Firewall: the VM's subnet (service endpoint) and the admin addresses. */
  readonly allowedSubnetIds: string[];
  readonly allowedIpRules: string[];
  readonly tags: Readonly<Record<string, string>>;
}

export const BLOB_CONTAINERS = ['mlflow-artifacts', 'datasets'] as const;

const RETENTION_DAYS = 7;

/**
 * Blob storage for MLflow artifacts and datasets. Entra ID only (no shared keys, no SAS),
 * HTTPS with TLS 1.2+, no anonymous access, firewall deny-by-default.
 */
export class Storage extends Construct {
  readonly account: StorageAccount;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    this.account = new StorageAccount(this, 'account', {
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      name: props.name,
      accountKind: 'StorageV2',
      accountTier: 'Standard',
      accountReplicationType: 'LRS',
      httpsTrafficOnlyEnabled: true,
      minTlsVersion: 'TLS1_2',
      allowNestedItemsToBePublic: false,
      sharedAccessKeyEnabled: false,
      defaultToOauthAuthentication: true,
      localUserEnabled: false,
      sftpEnabled: false,
      crossTenantReplicationEnabled: false,
      infrastructureEncryptionEnabled: true,
      networkRules: {
        defaultAction: 'Deny',
        bypass: ['AzureServices'],
        ipRules: props.allowedIpRules,
        virtualNetworkSubnetIds: props.allowedSubnetIds,
      },
      blobProperties: {
        deleteRetentionPolicy: { days: RETENTION_DAYS },
        containerDeleteRetentionPolicy: { days: RETENTION_DAYS },
      },
      tags: props.tags,
    });

    // storage_account_id goes through the ARM API, so creating containers needs no data-plane
    // access through the firewall.
    for (const name of BLOB_CONTAINERS) {
      new StorageContainer(this, `container-${name}`, {
        name,
        storageAccountId: this.account.id,
        containerAccessType: 'private',
      });
    }
  }
}
