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
import { Database, POSTGRES_ADMIN_LOGIN } from './constructs/database';
import { Gateway } from './constructs/gateway';
import { Network } from './constructs/network';
import { PredictionTier } from './constructs/prediction-tier';
import { Redis, redisEndpoint } from './constructs/redis';
import { Secrets } from './constructs/secrets';
import { Storage } from './constructs/storage';
import { VmAccess } from './constructs/vm-access';
import type { ResourceNames, ScaledNames } from './naming';
import { keyVaultUrl, publicIpFqdn, resourceNames, scaledNames } from './naming';
import { CONTROL_PRIVATE_IP, networkPlan } from './network-plan';
import type { HostRole, StackSecret } from './services';
import { ADMIN_UIS, HOST_ROLES_BY_PROFILE, RELEASE_EXTRA_FILES, STACK_SECRETS } from './services';
import type { StackEndpoints } from './stack-env';
import { describeMachineEnv, machineEnv, secretsReadBy } from './stack-env';

export { STACK_NAME } from './stack-name';

/** Key Vault secrets a profile holds. */
export function secretsOf(profile: InfraConfig['profile']): StackSecret[] {
  return STACK_SECRETS.filter((secret) => secret.profiles.includes(profile));
}

/** Host names and URLs each machine's .env needs; all deterministic, so known at synth. */
export function stackEndpoints(config: InfraConfig): StackEndpoints {
  const names = resourceNames(config);
  const common = {
    profile: config.profile,
    releaseVersion: config.release.version,
    keyVaultUrl: keyVaultUrl(names.keyVault),
    storageAccountName: names.storageAccount,
    edge: config.edge,
  };
  if (config.profile === 'single-vm') {
    return {
      ...common,
      publicHostname: publicIpFqdn(names.domainNameLabel, config.location),
      // Compose services on one private network: no TLS inside it.
      database: { host: 'postgres', user: 'wine', tls: false },
      redis: { url: 'redis://redis:6379' },
    };
  }
  const scaled = scaledNames(config);
  return {
    ...common,
    database: {
      host: `${scaled.postgresServer}.postgres.database.azure.com`,
      user: POSTGRES_ADMIN_LOGIN,
      tls: true,
    },
    redis: redisEndpoint(config.redis, scaled.redis, config.location),
    controlPrivateIp: CONTROL_PRIVATE_IP,
  };
}

function customData(config: InfraConfig, role: HostRole, endpoints: StackEndpoints): string {
  return cloudConfigBase64({
    keyVaultUrl: endpoints.keyVaultUrl,
    release: config.release,
    requiredFiles: RELEASE_EXTRA_FILES[role],
    env: machineEnv(role, endpoints),
  });
}

function subnetNames(names: ResourceNames, scaled: ScaledNames | undefined) {
  return {
    app: { subnet: names.subnet, nsg: names.networkSecurityGroup },
    ...(scaled !== undefined && {
      prediction: { subnet: scaled.predictionSubnet, nsg: scaled.predictionSecurityGroup },
      gateway: { subnet: scaled.gatewaySubnet, nsg: scaled.gatewaySecurityGroup },
      postgres: { subnet: scaled.databaseSubnet, nsg: scaled.databaseSecurityGroup },
      endpoints: { subnet: scaled.endpointSubnet, nsg: scaled.endpointSecurityGroup },
    }),
  };
}

/**
 * The whole Azure deployment in one resource group. `single-vm`: network, one VM running the
 * compose stack behind Caddy, storage and Key Vault. `scaled` adds managed PostgreSQL and
 * Redis on private addresses and the prediction service on a scale set behind an
 * Application Gateway; the VM keeps the control plane. Pure function of the config: no
 * clock, no randomness at synth (random values are Terraform's).
 */
export class WineStack extends TerraformStack {
  constructor(scope: Construct, id: string, config: InfraConfig) {
    super(scope, id);
    const isScaled = config.profile === 'scaled';
    const names = resourceNames(config);
    const scaled = isScaled ? scaledNames(config) : undefined;
    const endpoints = stackEndpoints(config);
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

    const redisPort = 'port' in endpoints.redis ? endpoints.redis.port : 0;
    const network = new Network(this, 'network', {
      ...common,
      virtualNetworkName: names.virtualNetwork,
      names: subnetNames(names, scaled),
      plan: networkPlan({ profile: config.profile, adminCidr, redisPort }),
    });
    const appSubnet = network.subnet('app');

    const storage = new Storage(this, 'storage', {
      ...common,
      allowedSubnetIds: [appSubnet.id],
      name: names.storageAccount,
      allowedIpRules: storageIpRules(config.allowedAdminCidr),
    });

    const redis =
      scaled === undefined
        ? undefined
        : new Redis(this, 'redis', {
            ...common,
            name: scaled.redis,
            privateEndpointName: scaled.redisPrivateEndpoint,
            endpointSubnetId: network.subnet('endpoints').id,
            virtualNetworkId: network.virtualNetwork.id,
            settings: config.redis,
          });

    const secrets = new Secrets(this, 'secrets', {
      ...common,
      // The vault firewall admits the machines' subnets (service endpoints) and the admin.
      allowedSubnetIds: isScaled
        ? [appSubnet.id, network.subnet('prediction').id, network.subnet('gateway').id]
        : [appSubnet.id],
      name: names.keyVault,
      tenantId: client.tenantId,
      deployerObjectId: client.objectId,
      softDeleteRetentionDays: config.keyVaultRetentionDays,
      allowedIpRules: [adminCidr],
      secrets: secretsOf(config.profile),
      ...(redis !== undefined && { copiedValues: { 'redis-access-key': redis.accessKey } }),
    });

    const vmRole: HostRole = isScaled ? 'control' : 'all-in-one';
    const compute = new Compute(this, 'compute', {
      ...common,
      names,
      subnetId: appSubnet.id,
      privateIpAddress: isScaled ? CONTROL_PRIVATE_IP : undefined,
      vmSize: config.vmSize,
      adminUsername: config.adminUsername,
      sshPublicKey: config.sshPublicKey,
      osDiskSizeGb: config.osDiskSizeGb,
      customDataBase64: customData(config, vmRole, endpoints),
    });

    new VmAccess(this, 'vm-access', {
      principalId: compute.vm.identity.principalId,
      keyVaultId: secrets.vault.id,
      storageAccountId: storage.account.id,
      discoveryScope: isScaled ? group.id : undefined,
    });

    let publicApiHost = compute.publicIp.fqdn;
    if (scaled !== undefined) {
      const database = new Database(this, 'database', {
        ...common,
        serverName: scaled.postgresServer,
        dnsZoneName: scaled.postgresDnsZone,
        delegatedSubnetId: network.subnet('postgres').id,
        virtualNetworkId: network.virtualNetwork.id,
        administratorPassword: secrets.generatedValue('database-password'),
        settings: config.postgres,
      });
      const gateway = new Gateway(this, 'gateway', {
        ...common,
        names: {
          gateway: scaled.gateway,
          publicIp: scaled.gatewayPublicIp,
          domainNameLabel: scaled.gatewayDomainNameLabel,
          identity: scaled.gatewayIdentity,
          firewallPolicy: scaled.firewallPolicy,
        },
        fqdn: publicIpFqdn(scaled.gatewayDomainNameLabel, config.location),
        subnetId: network.subnet('gateway').id,
        keyVaultId: secrets.vault.id,
        deployerObjectId: client.objectId,
        settings: config.gateway,
        edge: config.edge,
      });
      const tier = new PredictionTier(this, 'prediction', {
        ...common,
        names: {
          scaleSet: scaled.scaleSet,
          computerNamePrefix: scaled.scaleSetComputerPrefix,
          identity: scaled.predictionIdentity,
          autoscale: scaled.autoscale,
        },
        subnetId: network.subnet('prediction').id,
        backendPoolId: gateway.backendPoolId,
        secrets: secretsReadBy('prediction', endpoints).map((name) => ({
          name,
          scope: secrets.secretScope(name),
          resource: secrets.secret(name),
        })),
        adminUsername: config.adminUsername,
        sshPublicKey: config.sshPublicKey,
        settings: config.prediction,
        customDataBase64: customData(config, 'prediction', endpoints),
      });
      publicApiHost = gateway.publicIp.fqdn;

      new TerraformOutput(this, 'gateway_public_ip', {
        value: gateway.publicIp.ipAddress,
        description: 'Public IP of the Application Gateway (the API)',
      });
      new TerraformOutput(this, 'postgres_fqdn', {
        value: database.fqdn,
        description: 'Resolves to a private address inside the VNet only',
      });
      new TerraformOutput(this, 'redis_host', {
        value: 'host' in endpoints.redis ? endpoints.redis.host : '',
        description: 'Reached through a private endpoint inside the VNet only',
      });
      new TerraformOutput(this, 'prediction_scale_set_name', { value: tier.scaleSet.name });
    }

    this.outputs(config, compute, publicApiHost, endpoints);
    new TerraformOutput(this, 'key_vault_uri', { value: secrets.vault.vaultUri });
    new TerraformOutput(this, 'storage_account_name', { value: storage.account.name });
    new TerraformOutput(this, 'resource_group_name', { value: group.name });
  }

  private outputs(
    config: InfraConfig,
    compute: Compute,
    publicApiHost: string,
    endpoints: StackEndpoints,
  ): void {
    const ip = compute.publicIp.ipAddress;
    const login = `${config.adminUsername}@${ip}`;
    new TerraformOutput(this, 'profile', { value: config.profile });
    new TerraformOutput(this, 'public_ip', {
      value: ip,
      description:
        config.profile === 'single-vm'
          ? 'Static public IP of the VM'
          : 'Static public IP of the control VM (SSH from the admin CIDR only)',
    });
    new TerraformOutput(this, 'ssh_command', {
      value: `ssh ${login}`,
      description: 'Works only from the allowed admin CIDR',
    });
    const forwards = ADMIN_UIS.map((ui) => `-L ${ui.port}:127.0.0.1:${ui.port}`).join(' ');
    new TerraformOutput(this, 'ssh_tunnel_command', {
      value: `ssh -N ${forwards} ${login}`,
      description: 'Forwards the admin UIs (bound to 127.0.0.1 on the VM) to localhost',
    });
    for (const ui of ADMIN_UIS) {
      new TerraformOutput(this, `${ui.name}_url`, {
        value: `http://localhost:${ui.port}`,
        description: `${ui.description}, while ssh_tunnel_command runs`,
      });
    }
    new TerraformOutput(this, 'prediction_api_url', {
      value: `https://${publicApiHost}`,
      description:
        config.profile === 'single-vm'
          ? 'Public endpoint (Caddy, Let’s Encrypt certificate)'
          : 'Public endpoint (Application Gateway; see README for its certificate)',
    });
    const roles = HOST_ROLES_BY_PROFILE[config.profile];
    new TerraformOutput(this, 'connection_settings', {
      value: Object.fromEntries(roles.map((role) => [role, describeMachineEnv(role, endpoints)])),
      description: "Each machine's .env; secret parts name the Key Vault secret they come from",
    });
  }
}
