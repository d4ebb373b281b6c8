import { secretsOf } from './stack';
import {
  onlyResource,
  refTo,
  resourcesOf,
  synthJson,
  synthText,
  testConfig,
} from './testing/fixtures';

const ADMIN_CIDR = '203.0.113.7/32';
const INTERNET_SOURCES = ['*', 'internet', 'any', '0.0.0.0', '0.0.0.0/0', '::/0'];

describe('WineStack (single-vm, the default profile)', () => {
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
      expect(rules).toHaveLength(3);
      for (const rule of rules) {
        expect(rule).toMatchObject({ direction: 'Inbound', access: 'Allow', protocol: 'Tcp' });
        expect(rule).not.toHaveProperty('destination_port_ranges');
        expect(rule).not.toHaveProperty('source_address_prefixes');
      }
    });

    it('opens only the TLS edge to the internet: 443, and 80 for ACME and the redirect', () => {
      const fromInternet = rules.filter((rule) =>
        INTERNET_SOURCES.includes(String(rule['source_address_prefix']).toLowerCase()),
      );
      expect(fromInternet.map((rule) => rule['destination_port_range']).sort()).toEqual([
        '443',
        '80',
      ]);
    });

    it('allows SSH only from the admin CIDR and no other port at all (admin UIs go through the SSH tunnel)', () => {
      const others = rules.filter(
        (rule) => !['443', '80'].includes(String(rule['destination_port_range'])),
      );
      expect(others).toEqual([
        expect.objectContaining({
          destination_port_range: '22',
          source_address_prefix: ADMIN_CIDR,
        }),
      ]);
    });

    it('never opens the prediction API or the management port directly', () => {
      const ports = rules.map((rule) => rule['destination_port_range']);
      expect(ports).not.toContain('9696');
      expect(ports).not.toContain('9697');
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
      const expected = secretsOf('single-vm');
      expect(secrets.map((s) => s['name']).sort()).toEqual(expected.map((s) => s.name).sort());
      const passwordIds = Object.keys(json.resource['random_password'] ?? {});
      expect(passwordIds).toHaveLength(expected.length);
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

  it('outputs the HTTPS API URL, the SSH tunnel to the admin UIs, the vault and the connection settings', () => {
    expect(Object.keys(json.output).sort()).toEqual([
      'alertmanager_url',
      'connection_settings',
      'grafana_url',
      'key_vault_uri',
      'mlflow_url',
      'pipeline_api_url',
      'prediction_api_url',
      'profile',
      'prometheus_url',
      'public_ip',
      'resource_group_name',
      'ssh_command',
      'ssh_tunnel_command',
      'storage_account_name',
    ]);
    const ip = refTo(json, 'azurerm_public_ip', 'ip_address');
    expect(json.output['prediction_api_url']!.value).toBe(
      `https://${refTo(json, 'azurerm_public_ip', 'fqdn')}`,
    );
    expect(json.output['grafana_url']!.value).toBe('http://localhost:3000');
    expect(json.output['ssh_tunnel_command']!.value).toBe(
      `ssh -N -L 3000:127.0.0.1:3000 -L 5000:127.0.0.1:5000 -L 9090:127.0.0.1:9090 -L 9093:127.0.0.1:9093 -L 9699:127.0.0.1:9699 azureuser@${ip}`,
    );
  });

  it('outputs connection settings that name secrets instead of holding them', () => {
    const settings = json.output['connection_settings']!.value as Record<
      string,
      Record<string, string>
    >;
    expect(Object.keys(settings)).toEqual(['all-in-one']);
    expect(settings['all-in-one']!['DATABASE_URL']).toBe(
      'postgresql://wine:<Key Vault secret database-password>@postgres:5432/wine',
    );
    expect(JSON.stringify(settings)).not.toMatch(/random_password/);
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
