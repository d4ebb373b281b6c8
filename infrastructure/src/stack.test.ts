import { STACK_SECRETS } from './services';
import {
  onlyResource,
  resourcesOf,
  synthJson,
  synthText,
  testConfig,
  type SynthJson,
} from './testing/fixtures';

const ADMIN_CIDR = '203.0.113.7/32';
const ADMIN_PORTS = ['22', '3000', '5000', '9090', '9093'];
const INTERNET_SOURCES = ['*', 'internet', 'any', '0.0.0.0', '0.0.0.0/0', '::/0'];

/** Terraform reference "${type.name.attr}" to the single resource of that type. */
function refTo(json: SynthJson, type: string, attr: string): string {
  const ids = Object.keys(json.resource[type] ?? {});
  expect(ids).toHaveLength(1);
  return `\${${type}.${ids[0]!}.${attr}}`;
}

describe('WineStack', () => {
  const json = synthJson();

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });

  it('is deterministic: two synths give identical text', () => {
    expect(synthText()).toBe(synthText());
  });

  it('pins the azurerm provider to the configured subscription with Entra ID storage access', () => {
    expect(json.provider['azurerm']).toEqual([
      expect.objectContaining({
        subscription_id: '00000000-0000-0000-0000-000000000000',
        storage_use_azuread: true,
      }),
    ]);
  });

  describe('network', () => {
    const rules = resourcesOf(json, 'azurerm_network_security_rule');

    it('manages rules only as separate resources, all inbound allows over TCP', () => {
      expect(onlyResource(json, 'azurerm_network_security_group')).not.toHaveProperty(
        'security_rule',
      );
      expect(rules).toHaveLength(6);
      for (const rule of rules) {
        expect(rule).toMatchObject({ direction: 'Inbound', access: 'Allow', protocol: 'Tcp' });
        expect(rule).not.toHaveProperty('destination_port_ranges');
        expect(rule).not.toHaveProperty('source_address_prefixes');
      }
    });

    it('opens only the prediction API (9696) to the internet', () => {
      const fromInternet = rules.filter((rule) =>
        INTERNET_SOURCES.includes(String(rule['source_address_prefix']).toLowerCase()),
      );
      expect(fromInternet.map((rule) => rule['destination_port_range'])).toEqual(['9696']);
    });

    it.each(ADMIN_PORTS)('allows port %s only from the admin CIDR', (port) => {
      const matching = rules.filter((rule) => rule['destination_port_range'] === port);
      expect(matching).toHaveLength(1);
      expect(matching[0]!['source_address_prefix']).toBe(ADMIN_CIDR);
    });

    it('attaches the NSG to the subnet, which has Key Vault and Storage service endpoints', () => {
      expect(onlyResource(json, 'azurerm_subnet_network_security_group_association')).toEqual(
        expect.objectContaining({
          subnet_id: refTo(json, 'azurerm_subnet', 'id'),
          network_security_group_id: refTo(json, 'azurerm_network_security_group', 'id'),
        }),
      );
      expect(onlyResource(json, 'azurerm_subnet')['service_endpoints']).toEqual([
        'Microsoft.KeyVault',
        'Microsoft.Storage',
      ]);
    });
  });

  describe('compute', () => {
    const vm = onlyResource(json, 'azurerm_linux_virtual_machine');

    it('runs Ubuntu 24.04 LTS with SSH-key login only and no extensions', () => {
      expect(vm).toMatchObject({
        size: 'Standard_B2s',
        disable_password_authentication: true,
        allow_extension_operations: false,
        admin_ssh_key: [{ username: 'azureuser', public_key: testConfig().sshPublicKey }],
        source_image_reference: {
          publisher: 'Canonical',
          offer: 'ubuntu-24_04-lts',
          sku: 'server',
          version: 'latest',
        },
      });
      expect(vm).not.toHaveProperty('admin_password');
    });

    it('has a system-assigned identity and base64 custom data', () => {
      expect(vm['identity']).toEqual({ type: 'SystemAssigned' });
      expect(vm['custom_data']).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    });

    it('gets a static Standard public IP through its NIC', () => {
      expect(onlyResource(json, 'azurerm_public_ip')).toMatchObject({
        sku: 'Standard',
        allocation_method: 'Static',
      });
      const nic = onlyResource(json, 'azurerm_network_interface');
      expect(nic['ip_configuration']).toEqual([
        expect.objectContaining({
          subnet_id: refTo(json, 'azurerm_subnet', 'id'),
          public_ip_address_id: refTo(json, 'azurerm_public_ip', 'id'),
        }),
      ]);
    });
  });

  describe('storage', () => {
    it('is HTTPS-only, TLS 1.2+, without public blobs or shared keys, firewalled', () => {
      expect(onlyResource(json, 'azurerm_storage_account')).toMatchObject({
        https_traffic_only_enabled: true,
        min_tls_version: 'TLS1_2',
        allow_nested_items_to_be_public: false,
        shared_access_key_enabled: false,
        network_rules: {
          default_action: 'Deny',
          ip_rules: ['203.0.113.7'],
          virtual_network_subnet_ids: [refTo(json, 'azurerm_subnet', 'id')],
        },
      });
    });

    it('has private containers for MLflow artifacts and datasets', () => {
      const containers = resourcesOf(json, 'azurerm_storage_container');
      expect(containers.map((c) => c['name']).sort()).toEqual(['datasets', 'mlflow-artifacts']);
      for (const container of containers) {
        expect(container).toMatchObject({
          container_access_type: 'private',
          storage_account_id: refTo(json, 'azurerm_storage_account', 'id'),
        });
      }
    });
  });

  describe('secrets', () => {
    it('uses a Key Vault with RBAC, purge protection, soft delete and a firewall', () => {
      const vault = onlyResource(json, 'azurerm_key_vault');
      expect(vault).toMatchObject({
        rbac_authorization_enabled: true,
        purge_protection_enabled: true,
        soft_delete_retention_days: 7,
        network_acls: { default_action: 'Deny', ip_rules: [ADMIN_CIDR] },
      });
      expect(vault).not.toHaveProperty('access_policy');
      expect(vault).not.toHaveProperty('enable_rbac_authorization');
    });

    it('stores each generated password as a Key Vault secret', () => {
      const secrets = resourcesOf(json, 'azurerm_key_vault_secret');
      expect(secrets.map((s) => s['name']).sort()).toEqual(STACK_SECRETS.map((s) => s.name).sort());
      const passwordIds = Object.keys(json.resource['random_password'] ?? {});
      expect(passwordIds).toHaveLength(STACK_SECRETS.length);
      for (const secret of secrets) {
        expect(secret['key_vault_id']).toBe(refTo(json, 'azurerm_key_vault', 'id'));
        expect(passwordIds.map((id) => `\${random_password.${id}.result}`)).toContain(
          secret['value'],
        );
      }
      for (const password of resourcesOf(json, 'random_password')) {
        expect(password['length']).toBeGreaterThanOrEqual(32);
      }
    });
  });

  describe('role assignments', () => {
    const assignments = resourcesOf(json, 'azurerm_role_assignment');
    const vmPrincipal = refTo(json, 'azurerm_linux_virtual_machine', 'identity[0].principal_id');

    it('gives the VM identity exactly: secrets read on the vault, blob data on the account', () => {
      const forVm = assignments.filter((a) => a['principal_id'] === vmPrincipal);
      expect(forVm.map((a) => ({ role: a['role_definition_name'], scope: a['scope'] }))).toEqual(
        expect.arrayContaining([
          { role: 'Key Vault Secrets User', scope: refTo(json, 'azurerm_key_vault', 'id') },
          {
            role: 'Storage Blob Data Contributor',
            scope: refTo(json, 'azurerm_storage_account', 'id'),
          },
        ]),
      );
      expect(forVm).toHaveLength(2);
    });

    it('lets only the deployer write secrets; nothing is scoped wider than one resource', () => {
      const others = assignments.filter((a) => a['principal_id'] !== vmPrincipal);
      const client = Object.keys(json.data['azurerm_client_config'] ?? {})[0]!;
      expect(others).toEqual([
        expect.objectContaining({
          role_definition_name: 'Key Vault Secrets Officer',
          scope: refTo(json, 'azurerm_key_vault', 'id'),
          principal_id: `\${data.azurerm_client_config.${client}.object_id}`,
        }),
      ]);
    });
  });

  it('outputs the public IP, every service URL, the vault URI and the storage account', () => {
    expect(Object.keys(json.output).sort()).toEqual([
      'alertmanager_url',
      'grafana_url',
      'key_vault_uri',
      'mlflow_url',
      'prediction_api_url',
      'prometheus_url',
      'public_ip',
      'resource_group_name',
      'ssh_command',
      'storage_account_name',
    ]);
    const ip = refTo(json, 'azurerm_public_ip', 'ip_address');
    expect(json.output['prediction_api_url']!.value).toBe(`http://${ip}:9696`);
    expect(json.output['grafana_url']!.value).toBe(`http://${ip}:3000`);
  });

  describe('backend', () => {
    it('keeps local state beside the package, independent of the working directory', () => {
      expect(json.terraform.backend).toEqual({
        local: { path: '../../../terraform.wine-quality.tfstate' },
      });
    });

    it('uses the Azure Blob backend with Entra ID auth when configured', () => {
      const remote = synthJson(
        testConfig({
          backend: {
            resourceGroupName: 'rg-tfstate',
            storageAccountName: 'tfstate12345',
            containerName: 'tfstate',
          },
        }),
      );
      expect(remote.terraform.backend).toEqual({
        azurerm: {
          resource_group_name: 'rg-tfstate',
          storage_account_name: 'tfstate12345',
          container_name: 'tfstate',
          key: 'wine-quality.tfstate',
          subscription_id: '00000000-0000-0000-0000-000000000000',
          use_azuread_auth: true,
        },
      });
    });
  });
});
