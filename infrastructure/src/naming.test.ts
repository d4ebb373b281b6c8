import { keyVaultUrl, publicIpFqdn, resourceNames, scaledNames, uniqueSuffix } from './naming';

const BASE = {
  subscriptionId: '00000000-0000-0000-0000-000000000000',
  namePrefix: 'wine',
  environment: 'dev',
};

describe('resourceNames', () => {
  it('derives every name from prefix, environment and subscription only', () => {
    expect(resourceNames(BASE)).toMatchSnapshot();
    expect(resourceNames({ ...BASE })).toEqual(resourceNames(BASE));
  });

  it.each([
    ['shortest', 'ab', 'd'],
    ['longest', 'abcdefghij', 'abcdefgh'],
    ['digits', 'w1', 'e2e'],
  ])('keeps global names within Azure rules (%s)', (_label, namePrefix, environment) => {
    const names = resourceNames({ ...BASE, namePrefix, environment });
    expect(names.storageAccount).toMatch(/^[a-z0-9]{3,24}$/);
    expect(names.keyVault).toMatch(/^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/);
    expect(names.keyVault.length).toBeLessThanOrEqual(24);
  });

  it('changes the global names, not the local ones, with the subscription', () => {
    const other = resourceNames({
      ...BASE,
      subscriptionId: '11111111-1111-1111-1111-111111111111',
    });
    const mine = resourceNames(BASE);
    expect(other.storageAccount).not.toBe(mine.storageAccount);
    expect(other.keyVault).not.toBe(mine.keyVault);
    expect(other.resourceGroup).toBe(mine.resourceGroup);
  });

  it('treats the subscription id case-insensitively', () => {
    expect(
      uniqueSuffix({ ...BASE, subscriptionId: 'ABCDEF00-0000-0000-0000-000000000000' }, 8),
    ).toBe(uniqueSuffix({ ...BASE, subscriptionId: 'abcdef00-0000-0000-0000-000000000000' }, 8));
  });

  it('builds the Key Vault URL from the name', () => {
    expect(keyVaultUrl('winedev-kv-12345678')).toBe('https://winedev-kv-12345678.vault.azure.net/');
  });
});

describe('scaledNames', () => {
  it('derives every scaled-only name deterministically', () => {
    expect(scaledNames(BASE)).toMatchSnapshot();
  });

  it.each([
    ['shortest', 'ab', 'd'],
    ['longest', 'abcdefghij', 'abcdefgh'],
  ])(
    'keeps global and length-limited names within Azure rules (%s)',
    (_l, namePrefix, environment) => {
      const names = scaledNames({ ...BASE, namePrefix, environment });
      expect(names.postgresServer).toMatch(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/);
      expect(names.redis).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9]$/);
      // Azure DNS labels: 3-63 lowercase letters, digits, hyphens, starting with a letter.
      expect(names.gatewayDomainNameLabel).toMatch(/^[a-z][a-z0-9-]{1,61}[a-z0-9]$/);
      // VMSS computer name prefix: Linux allows 1-58 characters before Azure's suffix.
      expect(names.scaleSetComputerPrefix.length).toBeLessThanOrEqual(58);
    },
  );

  it('builds the public IP DNS name Azure assigns', () => {
    expect(publicIpFqdn('wine-dev-abc123', 'westeurope')).toBe(
      'wine-dev-abc123.westeurope.cloudapp.azure.com',
    );
  });
});
