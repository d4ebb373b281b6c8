/**
 * The scaled profile: security properties of every resource it adds, the role assignments
 * exactly as designed (README, "Identities"), a snapshot, and determinism.
 */
import { CONTROL_PRIVATE_IP, SUBNET_PREFIXES } from './network-plan';
import {
  decodedCustomData,
  onlyResource,
  refTo,
  resourceNamed,
  resourcesOf,
  scaledConfig,
  stringsIn,
  synthJson,
  synthText,
  type SynthJson,
} from './testing/fixtures';

const ADMIN_CIDR = '203.0.113.7/32';
const INTERNET = ['*', 'internet', 'any', '0.0.0.0', '0.0.0.0/0', '::/0'];

function subnetRef(json: SynthJson, key: string): string {
  const [id] = resourceNamed(
    json,
    'azurerm_subnet',
    key === 'app' ? 'network_subnet_' : `${key}-subnet`,
  );
  return `\${azurerm_subnet.${id}.id}`;
}

function rulesFor(json: SynthJson, prefix: string): Record<string, unknown>[] {
  return resourcesOf(json, 'azurerm_network_security_rule').filter(
    (rule) => rule['destination_address_prefix'] === prefix,
  );
}

describe('WineStack (scaled)', () => {
  const json = synthJson(scaledConfig());

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });

  it('is deterministic: two synths give identical text', () => {
    expect(synthText(scaledConfig())).toBe(synthText(scaledConfig()));
  });

  describe('network', () => {
    const rules = resourcesOf(json, 'azurerm_network_security_rule');

    it('gives each of the five subnets its own NSG', () => {
      const subnets = resourcesOf(json, 'azurerm_subnet');
      expect(subnets.map((s) => s['address_prefixes']).sort()).toEqual(
        Object.values(SUBNET_PREFIXES)
          .map((p) => [p])
          .sort(),
      );
      const associations = resourcesOf(json, 'azurerm_subnet_network_security_group_association');
      expect(associations).toHaveLength(5);
      expect(new Set(associations.map((a) => a['network_security_group_id'])).size).toBe(5);
      expect(new Set(associations.map((a) => a['subnet_id'])).size).toBe(5);
    });

    it('admits the internet only to the gateway, on 443 and 80', () => {
      const fromInternet = rules.filter((r) =>
        INTERNET.includes(String(r['source_address_prefix']).toLowerCase()),
      );
      expect(
        fromInternet.map((r) => [r['destination_address_prefix'], r['destination_port_range']]),
      ).toEqual([
        [SUBNET_PREFIXES.gateway, '80'],
        [SUBNET_PREFIXES.gateway, '443'],
      ]);
    });

    it('opens SSH only from the admin CIDR (control VM) and from the control subnet (instances)', () => {
      const ssh = rules.filter((r) => r['destination_port_range'] === '22');
      expect(ssh.map((r) => [r['source_address_prefix'], r['destination_address_prefix']])).toEqual(
        [
          [ADMIN_CIDR, SUBNET_PREFIXES.app],
          [SUBNET_PREFIXES.app, SUBNET_PREFIXES.prediction],
        ],
      );
    });

    it('lets only the gateway reach the API and only the control subnet reach the management port', () => {
      const allowedTo = (port: string) =>
        rules
          .filter((r) => r['destination_port_range'] === port && r['access'] === 'Allow')
          .map((r) => r['source_address_prefix']);
      expect(allowedTo('9696')).toEqual([SUBNET_PREFIXES.gateway]);
      expect(allowedTo('9697')).toEqual([SUBNET_PREFIXES.app]);
      expect(allowedTo('5432')).toEqual([SUBNET_PREFIXES.app, SUBNET_PREFIXES.prediction]);
      expect(allowedTo('10000')).toEqual([SUBNET_PREFIXES.app]);
      expect(allowedTo('5000')).toEqual([SUBNET_PREFIXES.prediction]);
    });

    it.each(['app', 'prediction', 'postgres', 'endpoints'] as const)(
      'ends the %s subnet with a deny for the rest of the VNet',
      (key) => {
        const deny = rulesFor(json, SUBNET_PREFIXES[key]).filter((r) => r['access'] === 'Deny');
        expect(deny).toEqual([
          expect.objectContaining({ source_address_prefix: 'VirtualNetwork', priority: 4000 }),
        ]);
        const allows = rulesFor(json, SUBNET_PREFIXES[key]).filter((r) => r['access'] === 'Allow');
        for (const allow of allows) expect(Number(allow['priority'])).toBeLessThan(4000);
      },
    );

    it('delegates the PostgreSQL subnet and enforces the NSG on private endpoints', () => {
      const [, postgres] = resourceNamed(json, 'azurerm_subnet', 'postgres-subnet');
      expect(postgres['delegation']).toEqual([
        expect.objectContaining({
          service_delegation: expect.objectContaining({
            name: 'Microsoft.DBforPostgreSQL/flexibleServers',
          }),
        }),
      ]);
      const [, endpoints] = resourceNamed(json, 'azurerm_subnet', 'endpoints-subnet');
      expect(endpoints['private_endpoint_network_policies']).toBe('Enabled');
    });
  });

  describe('PostgreSQL Flexible Server', () => {
    const server = onlyResource(json, 'azurerm_postgresql_flexible_server');

    it('has private access only: delegated subnet, private DNS zone, no public network access', () => {
      expect(server).toMatchObject({
        public_network_access_enabled: false,
        delegated_subnet_id: subnetRef(json, 'postgres'),
        private_dns_zone_id: `\${azurerm_private_dns_zone.${resourceNamed(json, 'azurerm_private_dns_zone', 'database')[0]}.id}`,
        authentication: { password_auth_enabled: true, active_directory_auth_enabled: false },
      });
      const [, zone] = resourceNamed(json, 'azurerm_private_dns_zone', 'database');
      expect(zone['name']).toMatch(/\.private\.postgres\.database\.azure\.com$/);
    });

    it('requires TLS 1.2+', () => {
      const settings = resourcesOf(json, 'azurerm_postgresql_flexible_server_configuration');
      expect(settings.map((c) => [c['name'], c['value']])).toEqual(
        expect.arrayContaining([
          ['require_secure_transport', 'on'],
          ['ssl_min_protocol_version', 'TLSv1.2'],
        ]),
      );
    });

    it('keeps 14 days of point-in-time restore, no geo copy and no standby by default', () => {
      expect(server).toMatchObject({
        backup_retention_days: 14,
        geo_redundant_backup_enabled: false,
        sku_name: 'B_Standard_B2s',
        version: '17',
      });
      expect(server).not.toHaveProperty('high_availability');
    });

    it('adds a zone-redundant standby when configured', () => {
      const ha = onlyResource(
        synthJson(
          scaledConfig({
            postgres: { skuName: 'GP_Standard_D2ds_v5', highAvailability: 'ZoneRedundant' },
          }),
        ),
        'azurerm_postgresql_flexible_server',
      );
      expect(ha['high_availability']).toEqual({ mode: 'ZoneRedundant' });
    });

    it('uses the generated database-password, the one the Key Vault secret holds', () => {
      const [, secret] = resourceNamed(json, 'azurerm_key_vault_secret', 'database-password');
      expect(server['administrator_password']).toBe(secret['value']);
      expect(server['administrator_login']).toBe('wineadmin');
    });

    it('creates the application and MLflow databases', () => {
      expect(
        resourcesOf(json, 'azurerm_postgresql_flexible_server_database')
          .map((d) => d['name'])
          .sort(),
      ).toEqual(['mlflow', 'wine']);
    });
  });

  describe.each([
    ['managed-redis', 'azurerm_managed_redis', 'redisEnterprise', 'privatelink.redis.azure.net'],
    ['cache-for-redis', 'azurerm_redis_cache', 'redisCache', 'privatelink.redis.cache.windows.net'],
  ])('Redis (%s)', (service, type, subresource, zone) => {
    const redisJson = synthJson(scaledConfig({ redis: { service } }));
    const redis = onlyResource(redisJson, type);

    it('is TLS-only with access keys, no public network access and no eviction', () => {
      if (service === 'managed-redis') {
        expect(redis).toMatchObject({
          public_network_access: 'Disabled',
          default_database: {
            client_protocol: 'Encrypted',
            access_keys_authentication_enabled: true,
            clustering_policy: 'NoCluster',
            eviction_policy: 'NoEviction',
          },
        });
      } else {
        expect(redis).toMatchObject({
          non_ssl_port_enabled: false,
          minimum_tls_version: '1.2',
          public_network_access_enabled: false,
          access_keys_authentication_enabled: true,
          redis_configuration: { maxmemory_policy: 'noeviction' },
          sku_name: 'Standard',
          family: 'C',
          capacity: 1,
        });
      }
    });

    it('is reached through a private endpoint in the endpoints subnet', () => {
      const endpoint = onlyResource(redisJson, 'azurerm_private_endpoint');
      expect(endpoint).toMatchObject({
        subnet_id: subnetRef(redisJson, 'endpoints'),
        private_service_connection: {
          is_manual_connection: false,
          private_connection_resource_id: refTo(redisJson, type, 'id'),
          subresource_names: [subresource],
        },
      });
      const [, dns] = resourceNamed(redisJson, 'azurerm_private_dns_zone', 'redis');
      expect(dns['name']).toBe(zone);
    });

    it('keeps its access key only in Key Vault', () => {
      const uses = stringsIn(redisJson.resource).filter(([, value]) =>
        value.includes('primary_access_key'),
      );
      const [secretId] = resourceNamed(redisJson, 'azurerm_key_vault_secret', 'redis-access-key');
      expect(uses.map(([path]) => path)).toEqual([`/azurerm_key_vault_secret/${secretId}/value`]);
      expect(uses[0]![1]).toMatch(new RegExp(`^\\$\\{${type}\\.`));
    });
  });

  describe('prediction scale set', () => {
    const vmss = onlyResource(json, 'azurerm_linux_virtual_machine_scale_set');

    it('joins the gateway backend pool from the prediction subnet, SSH key login only', () => {
      expect(vmss).toMatchObject({
        sku: 'Standard_D2as_v5',
        instances: 2,
        disable_password_authentication: true,
        secure_boot_enabled: true,
        vtpm_enabled: true,
        overprovision: false,
        network_interface: [
          {
            ip_configuration: [
              {
                subnet_id: subnetRef(json, 'prediction'),
                application_gateway_backend_address_pool_ids: [
                  `${refTo(json, 'azurerm_application_gateway', 'id')}/backendAddressPools/prediction`,
                ],
              },
            ],
          },
        ],
      });
      expect(vmss).not.toHaveProperty('admin_password');
      expect(JSON.stringify(vmss['network_interface'])).not.toContain('public_ip_address');
    });

    it('runs one extension, the /ready health probe that automatic repairs use', () => {
      expect(vmss['extension']).toEqual([
        expect.objectContaining({
          type: 'ApplicationHealthLinux',
          publisher: 'Microsoft.ManagedServices',
          settings: JSON.stringify({ protocol: 'http', port: 9696, requestPath: '/ready' }),
        }),
      ]);
      expect(vmss['automatic_instance_repair']).toMatchObject({ enabled: true });
    });

    it('has a user-assigned identity that is granted its secrets before any instance boots', () => {
      const [identityId] = resourceNamed(json, 'azurerm_user_assigned_identity', 'prediction');
      const identity = `\${azurerm_user_assigned_identity.${identityId}.id}`;
      expect(vmss['identity']).toEqual({ type: 'UserAssigned', identity_ids: [identity] });
      const grants = Object.keys(json.resource['azurerm_role_assignment'] ?? {}).filter((id) =>
        id.startsWith('prediction_reads-'),
      );
      expect([...(vmss['depends_on'] as string[])].sort()).toEqual(
        grants.map((id) => `azurerm_role_assignment.${id}`).sort(),
      );
    });

    it('boots the prediction role: only the prediction compose profile, MLflow on the control VM', () => {
      const text = decodedCustomData(vmss);
      expect(text).toContain('COMPOSE_PROFILES=prediction\n');
      expect(text).toContain(`MLFLOW_TRACKING_URI=http://${CONTROL_PRIVATE_IP}:5000\n`);
      expect(text).toContain('MANAGEMENT_PUBLISH_ADDRESS=0.0.0.0\n');
      expect(text).not.toContain('REDIS_URL');
    });

    it('autoscales on CPU between the configured bounds', () => {
      const autoscale = onlyResource(json, 'azurerm_monitor_autoscale_setting');
      expect(autoscale['target_resource_id']).toBe(
        refTo(json, 'azurerm_linux_virtual_machine_scale_set', 'id'),
      );
      const [profile] = autoscale['profile'] as Record<string, unknown>[];
      expect(profile!['capacity']).toEqual({ default: 2, minimum: 2, maximum: 6 });
      const rules = profile!['rule'] as {
        metric_trigger: Record<string, unknown>;
        scale_action: Record<string, unknown>;
      }[];
      expect(
        rules.map((r) => [
          r.metric_trigger['metric_name'],
          r.metric_trigger['operator'],
          r.metric_trigger['threshold'],
          r.scale_action['direction'],
        ]),
      ).toEqual([
        ['Percentage CPU', 'GreaterThan', 70, 'Increase'],
        ['Percentage CPU', 'LessThan', 25, 'Decrease'],
      ]);
    });
  });

  describe('Application Gateway', () => {
    const gateway = onlyResource(json, 'azurerm_application_gateway');
    const waf = onlyResource(json, 'azurerm_web_application_firewall_policy');

    it('terminates TLS 1.2+ with the Key Vault certificate and redirects HTTP to HTTPS', () => {
      expect(gateway).toMatchObject({
        sku: { name: 'WAF_v2', tier: 'WAF_v2' },
        ssl_policy: { policy_type: 'Predefined', policy_name: 'AppGwSslPolicy20220101S' },
        ssl_certificate: [
          {
            name: 'gateway-tls',
            key_vault_secret_id: refTo(
              json,
              'azurerm_key_vault_certificate',
              'versionless_secret_id',
            ),
          },
        ],
        redirect_configuration: [
          expect.objectContaining({ redirect_type: 'Permanent', target_listener_name: 'https' }),
        ],
        firewall_policy_id: refTo(json, 'azurerm_web_application_firewall_policy', 'id'),
        force_firewall_policy_association: true,
      });
      const listeners = gateway['http_listener'] as Record<string, unknown>[];
      expect(listeners.map((l) => [l['name'], l['protocol']])).toEqual([
        ['https', 'Https'],
        ['http', 'Http'],
      ]);
      const routes = gateway['request_routing_rule'] as Record<string, unknown>[];
      const httpRoute = routes.find((r) => r['http_listener_name'] === 'http');
      expect(httpRoute).not.toHaveProperty('backend_address_pool_name');
      expect(httpRoute).toHaveProperty('redirect_configuration_name', 'http-to-https');
    });

    it('probes /ready and forwards to 9696 only', () => {
      expect(gateway['probe']).toEqual([
        expect.objectContaining({
          path: '/ready',
          protocol: 'Http',
          match: { status_code: ['200'] },
        }),
      ]);
      expect(gateway['backend_http_settings']).toEqual([
        expect.objectContaining({ port: 9696, probe_name: 'ready' }),
      ]);
    });

    it('runs the WAF in prevention mode with a body limit, a rate limit and no disabled rule', () => {
      expect(waf).toMatchObject({
        policy_settings: {
          enabled: true,
          mode: 'Prevention',
          request_body_check: true,
          max_request_body_size_in_kb: 1024,
        },
        managed_rules: { managed_rule_set: [{ type: 'Microsoft_DefaultRuleSet', version: '2.1' }] },
      });
      expect(JSON.stringify(waf['managed_rules'])).not.toContain('rule_group_override');
      const rules = waf['custom_rules'] as Record<string, unknown>[];
      expect(rules[0]).toMatchObject({
        rule_type: 'RateLimitRule',
        rate_limit_threshold: 600,
        rate_limit_duration: 'OneMin',
        group_rate_limit_by: 'ClientAddr',
        action: 'Block',
      });
      expect(rules[1]).toMatchObject({
        rule_type: 'MatchRule',
        action: 'Block',
        match_conditions: [expect.objectContaining({ match_values: ['/metrics', '/model'] })],
      });
    });

    it('serves a certificate for its own DNS name and keeps a certificate you import', () => {
      const certificate = onlyResource(json, 'azurerm_key_vault_certificate');
      const [, ip] = resourceNamed(json, 'azurerm_public_ip', 'gateway');
      const fqdn = `${String(ip['domain_name_label'])}.westeurope.cloudapp.azure.com`;
      expect(certificate).toMatchObject({
        name: 'gateway-tls',
        certificate_policy: {
          issuer_parameters: { name: 'Self' },
          x509_certificate_properties: {
            subject: `CN=${fqdn}`,
            subject_alternative_names: { dns_names: [fqdn] },
          },
        },
        lifecycle: { ignore_changes: ['certificate_policy'] },
      });
      expect(json.output['prediction_api_url']!.value).toBe(
        `https://\${azurerm_public_ip.${resourceNamed(json, 'azurerm_public_ip', 'gateway')[0]}.fqdn}`,
      );
    });
  });

  describe('identities and Key Vault', () => {
    it('assigns exactly the designed roles, each at the narrowest scope', () => {
      const label = (principal: unknown): string => {
        const text = String(principal);
        if (text.includes('azurerm_linux_virtual_machine.')) return 'control VM';
        if (text.includes('azurerm_client_config')) return 'deployer';
        if (text.includes('prediction_identity')) return 'prediction instances';
        if (text.includes('gateway_identity')) return 'gateway';
        return text;
      };
      const scope = (value: unknown): string =>
        String(value)
          .replace(/^\$\{azurerm_key_vault\.[^}]+\}/, 'vault')
          .replace(/^\$\{azurerm_storage_account\.[^}]+\}/, 'storage account')
          .replace(/^\$\{azurerm_resource_group\.[^}]+\}/, 'resource group');
      const assignments = resourcesOf(json, 'azurerm_role_assignment')
        .map(
          (a) =>
            `${label(a['principal_id'])}: ${String(a['role_definition_name'])} @ ${scope(a['scope'])}`,
        )
        .sort();
      expect(assignments).toEqual([
        'control VM: Key Vault Secrets User @ vault',
        'control VM: Reader @ resource group',
        'control VM: Storage Blob Data Contributor @ storage account',
        'deployer: Key Vault Certificates Officer @ vault',
        'deployer: Key Vault Secrets Officer @ vault',
        'gateway: Key Vault Secrets User @ vault/secrets/gateway-tls',
        'prediction instances: Key Vault Secrets User @ vault/secrets/database-password',
        'prediction instances: Key Vault Secrets User @ vault/secrets/mlflow-basic-auth-password',
        'prediction instances: Key Vault Secrets User @ vault/secrets/service-admin-token',
      ]);
    });

    it('opens the vault firewall to the control, prediction and gateway subnets only', () => {
      const vault = onlyResource(json, 'azurerm_key_vault');
      expect(vault['network_acls']).toMatchObject({
        default_action: 'Deny',
        ip_rules: [ADMIN_CIDR],
        virtual_network_subnet_ids: [
          subnetRef(json, 'app'),
          subnetRef(json, 'prediction'),
          subnetRef(json, 'gateway'),
        ],
      });
    });

    it('gives the control VM a fixed private address, where replicas reach MLflow', () => {
      const nic = onlyResource(json, 'azurerm_network_interface');
      expect(nic['ip_configuration']).toEqual([
        expect.objectContaining({
          private_ip_address_allocation: 'Static',
          private_ip_address: CONTROL_PRIVATE_IP,
        }),
      ]);
      const text = decodedCustomData(onlyResource(json, 'azurerm_linux_virtual_machine'));
      expect(text).toContain('COMPOSE_PROFILES=control\n');
      expect(text).toContain(`MLFLOW_PUBLISH_ADDRESS=${CONTROL_PRIVATE_IP}\n`);
    });
  });

  it('outputs the managed endpoints and both machines’ connection settings', () => {
    expect(Object.keys(json.output)).toEqual(
      expect.arrayContaining([
        'gateway_public_ip',
        'postgres_fqdn',
        'redis_host',
        'prediction_scale_set_name',
        'connection_settings',
      ]),
    );
    const settings = json.output['connection_settings']!.value as Record<
      string,
      Record<string, string>
    >;
    expect(Object.keys(settings)).toEqual(['control', 'prediction']);
    expect(settings['control']!['REDIS_URL']).toMatch(
      /^rediss:\/\/:<Key Vault secret redis-access-key>@redis-wine-test-[0-9a-f]{8}\.westeurope\.redis\.azure\.net:10000$/,
    );
    expect(settings['prediction']!['DATABASE_URL']).toMatch(
      /^postgresql:\/\/wineadmin:<Key Vault secret database-password>@psql-wine-test-[0-9a-f]{8}\.postgres\.database\.azure\.com:5432\/wine\?sslmode=verify-full$/,
    );
  });
});
