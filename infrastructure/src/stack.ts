import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { AzurermBackend, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { formatCidr, storageIpRules } from './cidr';
import { cloudConfigBase64 } from './cloud-init/cloud-config';
import type { InfraConfig } from './config.schema';
import { Compute } from './constructs/compute';
import { Network } from './constructs/network';
import { Secrets } from './constructs/secrets';
import { Storage } from './constructs/storage';
import { VmAccess } from './constructs/vm-access';
import { keyVaultUrl, resourceNames } from './naming';
import { SERVICE_PORTS, STACK_SECRETS } from './services';

export { STACK_NAME } from './stack-name';

/**
 * The whole Azure deployment: one resource group with network, VM, storage and Key Vault.
 * Pure function of the config: no clock, no randomness at synth (random values are Terraform's).
 */
export class WineStack extends TerraformStack {
  constructor(scope: Construct, id: string, config: InfraConfig) {
    super(scope, id);
    const names = resourceNames(config);
    const tags = {
      project: 'wine-quality',
      environment: config.environment,
      'managed-by': 'cdktf',
    };
    const adminCidr = formatCidr(config.allowedAdminCidr);

    new AzurermProvider(this, 'azurerm', {
      subscriptionId: config.subscriptionId,
      // Shared keys are disabled on the storage account; data-plane calls must use Entra ID.
      storageUseAzuread: true,
      features: [
        {
          keyVault: [{ purgeSoftDeleteOnDestroy: false, recoverSoftDeletedKeyVaults: true }],
          resourceGroup: [{ preventDeletionIfContainsResources: true }],
        },
      ],
    });
    new RandomProvider(this, 'random');
    if (config.backend === undefined) {
      // Relative to cdktf.out/stacks/<stack>/, i.e. infrastructure/<file>: outside the
      // regenerated folder, and the same file whether cdktf or plain terraform/tofu runs there.
      new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });
    } else {
      new AzurermBackend(this, {
        ...config.backend,
        subscriptionId: config.subscriptionId,
        useAzureadAuth: true,
      });
    }

    const client = new DataAzurermClientConfig(this, 'client');
    const group = new ResourceGroup(this, 'resource-group', {
      name: names.resourceGroup,
      location: config.location,
      tags,
    });
    const common = { resourceGroupName: group.name, location: group.location, tags };

    const network = new Network(this, 'network', {
      ...common,
      names,
      adminCidr,
      ports: SERVICE_PORTS,
    });
    const firewall = { allowedSubnetIds: [network.subnet.id] };

    const storage = new Storage(this, 'storage', {
      ...common,
      ...firewall,
      name: names.storageAccount,
      allowedIpRules: storageIpRules(config.allowedAdminCidr),
    });

    const secrets = new Secrets(this, 'secrets', {
      ...common,
      ...firewall,
      name: names.keyVault,
      tenantId: client.tenantId,
      deployerObjectId: client.objectId,
      softDeleteRetentionDays: config.keyVaultRetentionDays,
      allowedIpRules: [adminCidr],
      secrets: STACK_SECRETS,
    });

    const vaultUrl = keyVaultUrl(names.keyVault);
    const blobEndpoint = `https://${names.storageAccount}.blob.core.windows.net/`;
    const compute = new Compute(this, 'compute', {
      ...common,
      names,
      subnetId: network.subnet.id,
      vmSize: config.vmSize,
      adminUsername: config.adminUsername,
      sshPublicKey: config.sshPublicKey,
      osDiskSizeGb: config.osDiskSizeGb,
      customDataBase64: cloudConfigBase64({
        keyVaultUrl: vaultUrl,
        release: config.release,
        secrets: STACK_SECRETS,
        stackSettings: {
          AZURE_KEY_VAULT_URL: vaultUrl,
          AZURE_STORAGE_ACCOUNT_NAME: names.storageAccount,
          AZURE_STORAGE_BLOB_ENDPOINT: blobEndpoint,
          MLFLOW_ARTIFACTS_DESTINATION: `wasbs://mlflow-artifacts@${names.storageAccount}.blob.core.windows.net/`,
          WINE_RELEASE_VERSION: config.release.version,
        },
      }),
    });

    new VmAccess(this, 'vm-access', {
      principalId: compute.vm.identity.principalId,
      keyVaultId: secrets.vault.id,
      storageAccountId: storage.account.id,
    });

    const ip = compute.publicIp.ipAddress;
    new TerraformOutput(this, 'public_ip', {
      value: ip,
      description: 'Static public IP of the VM',
    });
    new TerraformOutput(this, 'ssh_command', {
      value: `ssh ${config.adminUsername}@${ip}`,
      description: 'Works only from the allowed admin CIDR',
    });
    for (const service of SERVICE_PORTS) {
      if (service.scheme === undefined) continue;
      new TerraformOutput(this, `${service.name.replace(/-/g, '_')}_url`, {
        value: `${service.scheme}://${ip}:${service.port}`,
        description:
          service.exposure === 'public' ? 'Public endpoint' : 'Reachable only from the admin CIDR',
      });
    }
    new TerraformOutput(this, 'key_vault_uri', { value: secrets.vault.vaultUri });
    new TerraformOutput(this, 'storage_account_name', { value: storage.account.name });
    new TerraformOutput(this, 'resource_group_name', { value: group.name });
  }
}
