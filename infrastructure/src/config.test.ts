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
    ['a plain-http release URL', { release: { version: '1', url: 'http://example.com/r.tgz' } }],
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
