import { checkAdminCidr, storageIpRules } from './cidr';

describe('storageIpRules', () => {
  function rules(text: string): string[] {
    const checked = checkAdminCidr(text);
    if (!checked.ok) throw new TypeError(checked.reason);
    return storageIpRules(checked.cidr);
  }

  it('uses bare addresses for /32 and /31, which Azure Storage rejects as CIDRs', () => {
    expect(rules('203.0.113.7/32')).toEqual(['203.0.113.7']);
    expect(rules('203.0.113.6/31')).toEqual(['203.0.113.6', '203.0.113.7']);
    expect(rules('198.51.100.0/24')).toEqual(['198.51.100.0/24']);
  });
});
