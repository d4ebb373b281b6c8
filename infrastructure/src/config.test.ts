import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, loadRunSettings, parseConfig } from './config';
import { InfraError } from './errors';
import { VALID_CONFIG_INPUT } from './testing/fixtures';

function errorOf(run: () => unknown): InfraError {
  try {
    run();
  } catch (error) {
    if (error instanceof InfraError) return error;
    throw error;
  }
  throw new TypeError('expected an InfraError');
}

const withCidr = (allowedAdminCidr: unknown) =>
  JSON.stringify({ ...VALID_CONFIG_INPUT, allowedAdminCidr });

describe('parseConfig', () => {
  it('fills defaults and parses the admin CIDR', () => {
    const config = parseConfig(JSON.stringify(VALID_CONFIG_INPUT), {}, 'test');
    expect(config).toMatchObject({
      vmSize: 'Standard_B2s',
      adminUsername: 'azureuser',
      osDiskSizeGb: 64,
      keyVaultRetentionDays: 7,
      allowedAdminCidr: { address: '203.0.113.7', prefixLength: 32 },
      release: { composeFile: 'docker-compose.yml' },
      profile: 'single-vm',
      edge: { maxBodyBytes: 1048576, rateLimitPerMinute: 600 },
      postgres: {
        skuName: 'B_Standard_B2s',
        version: '17',
        backupRetentionDays: 14,
        geoRedundantBackup: false,
        highAvailability: 'off',
      },
      redis: { service: 'managed-redis', skuName: 'Balanced_B0', highAvailability: true },
      prediction: { vmSize: 'Standard_D2as_v5', minInstances: 2, maxInstances: 6 },
      gateway: { minCapacity: 1, maxCapacity: 3, wafMode: 'Prevention' },
    });
    expect(config.backend).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lets environment variables override the file, nested keys included', () => {
    const config = parseConfig(
      JSON.stringify(VALID_CONFIG_INPUT),
      {
        WINE_INFRA_ADMIN_CIDR: '198.51.100.0/24',
        WINE_INFRA_OS_DISK_GB: '128',
        WINE_INFRA_RELEASE_VERSION: '0.2.0',
        WINE_INFRA_STATE_RESOURCE_GROUP: 'rg-state',
        WINE_INFRA_STATE_STORAGE_ACCOUNT: 'tfstate01',
        WINE_INFRA_STATE_CONTAINER: 'tfstate',
      },
      'test',
    );
    expect(config.allowedAdminCidr).toEqual({ address: '198.51.100.0', prefixLength: 24 });
    expect(config.osDiskSizeGb).toBe(128);
    expect(config.release.version).toBe('0.2.0');
    expect(config.backend).toEqual({
      resourceGroupName: 'rg-state',
      storageAccountName: 'tfstate01',
      containerName: 'tfstate',
      key: 'wine-quality.tfstate',
    });
  });

  it('takes the profile and the scaled settings from the environment, which wins', () => {
    const config = parseConfig(
      JSON.stringify({ ...VALID_CONFIG_INPUT, profile: 'single-vm' }),
      {
        WINE_INFRA_PROFILE: 'scaled',
        WINE_INFRA_PG_HA: 'SameZone',
        WINE_INFRA_PG_SKU: 'GP_Standard_D2ds_v5',
        WINE_INFRA_PG_GEO_BACKUP: 'true',
        WINE_INFRA_REDIS_SERVICE: 'cache-for-redis',
        WINE_INFRA_REDIS_HA: 'false',
        WINE_INFRA_PREDICTION_MAX: '10',
        WINE_INFRA_EDGE_RATE_LIMIT: '1200',
      },
      'test',
    );
    expect(config).toMatchObject({
      profile: 'scaled',
      postgres: {
        highAvailability: 'SameZone',
        skuName: 'GP_Standard_D2ds_v5',
        geoRedundantBackup: true,
      },
      // The SKU default follows the service.
      redis: { service: 'cache-for-redis', skuName: 'Standard_C1', highAvailability: false },
      prediction: { maxInstances: 10 },
      edge: { rateLimitPerMinute: 1200 },
    });
  });

  it('rejects a profile the environment misspells, naming the variable', () => {
    const error = errorOf(() =>
      parseConfig(JSON.stringify(VALID_CONFIG_INPUT), { WINE_INFRA_PROFILE: 'scale' }, 'test'),
    );
    expect(error.message).toContain('profile (WINE_INFRA_PROFILE): must be single-vm or scaled');
  });

  it('explains every missing required value at once, naming the variable to set', () => {
    const error = errorOf(() => parseConfig(undefined, {}, 'environment'));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatchSnapshot();
  });

  // Each must be refused: SSH and the admin UIs would otherwise face the internet.
  it.each([
    ['the whole IPv4 internet', '0.0.0.0/0'],
    ['the whole IPv6 internet', '::/0'],
    ['another IPv6 range', '2001:db8::/32'],
    ['half the internet', '0.0.0.0/1'],
    ['a very wide range', '16.0.0.0/4'],
    ['a bare address', '203.0.113.7'],
    ['garbage', 'my-office'],
    ['an octet out of range', '203.0.113.256/32'],
    ['a prefix out of range', '203.0.113.7/33'],
    ['host bits set', '203.0.113.7/24'],
    ['a private range', '10.1.0.0/16'],
    ['a range containing private space', '172.0.0.0/8'],
    ['an empty string', ''],
    ['a number', 42],
  ])('rejects %s (%p)', (_label, cidr) => {
    const error = errorOf(() => parseConfig(withCidr(cidr), {}, 'config.json'));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('allowedAdminCidr (WINE_INFRA_ADMIN_CIDR)');
    expect(error.message).toMatchSnapshot();
  });

  it.each([
    ['203.0.113.7/32', '203.0.113.7', 32],
    [' 198.51.100.0/24 ', '198.51.100.0', 24],
    ['8.0.0.0/8', '8.0.0.0', 8],
  ])('accepts %p', (cidr, address, prefixLength) => {
    expect(parseConfig(withCidr(cidr), {}, 'test').allowedAdminCidr).toEqual({
      address,
      prefixLength,
    });
  });

  it.each([
    ['an ed25519 key', { sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample me@host' }],
    ['a private key', { sshPublicKey: '-----BEGIN OPENSSH PRIVATE KEY-----' }],
    ['an over-long prefix', { namePrefix: 'averyverylongprefix' }],
    ['an upper-case environment', { environment: 'Prod' }],
    ['a reserved admin name', { adminUsername: 'admin' }],
    [
      'a plain-http release URL',
      { release: { ...VALID_CONFIG_INPUT.release, url: 'http://example.com/r.tgz' } },
    ],
    [
      'a release without its checksum',
      { release: { version: '1', url: 'https://example.com/r.tgz' } },
    ],
    ['an unknown profile', { profile: 'cluster' }],
    [
      'PostgreSQL high availability on a burstable SKU',
      { postgres: { highAvailability: 'ZoneRedundant' } },
    ],
    [
      'a Redis SKU of the other service',
      { redis: { service: 'managed-redis', skuName: 'Standard_C1' } },
    ],
    ['a burstable prediction VM size', { prediction: { vmSize: 'Standard_B2s' } }],
    ['more minimum than maximum instances', { prediction: { minInstances: 5, maxInstances: 3 } }],
    [
      'a scale-in threshold above scale-out',
      { prediction: { scaleInCpuPercent: 80, scaleOutCpuPercent: 60 } },
    ],
    ['an edge body limit above what the WAF allows', { edge: { maxBodyBytes: 5_000_000 } }],
    ['a bad checksum', { release: { ...VALID_CONFIG_INPUT.release, sha256: 'abc' } }],
    [
      'a compose file outside the release',
      { release: { ...VALID_CONFIG_INPUT.release, composeFile: '../x.yml' } },
    ],
    ['an unknown key', { vmSku: 'Standard_B2s' }],
    ['a non-GUID subscription', { subscriptionId: 'my-subscription' }],
  ])('rejects %s', (_label, overrides) => {
    const input = JSON.stringify({ ...VALID_CONFIG_INPUT, ...overrides });
    const error = errorOf(() => parseConfig(input, {}, 'config.json'));
    expect(error.message).toMatchSnapshot();
  });

  it('rejects files that are not a JSON object', () => {
    expect(errorOf(() => parseConfig('{ nope', {}, 'x.json')).code).toBe('CONFIG_FILE_NOT_JSON');
    expect(errorOf(() => parseConfig('[]', {}, 'x.json')).message).toBe(
      'x.json must hold a JSON object',
    );
  });
});

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wine-infra-config-'));

  it('reads config.json from the working directory when present', () => {
    writeFileSync(join(dir, 'config.json'), JSON.stringify(VALID_CONFIG_INPUT));
    expect(loadConfig({}, dir).environment).toBe('test');
  });

  it('works from the environment alone when there is no config file', () => {
    const empty = mkdtempSync(join(tmpdir(), 'wine-infra-empty-'));
    const env = {
      ARM_SUBSCRIPTION_ID: VALID_CONFIG_INPUT.subscriptionId,
      WINE_INFRA_ADMIN_CIDR: '203.0.113.9/32',
      WINE_INFRA_SSH_PUBLIC_KEY: VALID_CONFIG_INPUT.sshPublicKey,
      WINE_INFRA_RELEASE_VERSION: '0.1.0',
      WINE_INFRA_RELEASE_URL: 'https://example.com/r.tar.gz',
      WINE_INFRA_RELEASE_SHA256: 'b'.repeat(64),
    };
    expect(loadConfig(env, empty).allowedAdminCidr.address).toBe('203.0.113.9');
  });

  it('fails clearly when WINE_INFRA_CONFIG names a missing file', () => {
    const error = errorOf(() => loadConfig({ WINE_INFRA_CONFIG: 'missing.json' }, dir));
    expect(error.code).toBe('CONFIG_FILE_UNREADABLE');
    expect(error.message).toContain(join(dir, 'missing.json'));
  });
});

describe('loadRunSettings', () => {
  it('defaults to cdktf.out beside the package and the terraform binary', () => {
    expect(loadRunSettings({}, '/pkg')).toEqual({
      outdir: '/pkg/cdktf.out',
      stackDir: '/pkg/cdktf.out/stacks/wine-quality',
      terraformBinary: 'terraform',
    });
    expect(loadRunSettings({ TERRAFORM_BINARY_NAME: 'tofu' }, '/pkg').terraformBinary).toBe('tofu');
  });
});
