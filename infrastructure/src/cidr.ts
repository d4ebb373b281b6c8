/**
 * IPv4 CIDR checks for the admin allow-list. Only IPv4: Key Vault and Storage firewall rules,
 * which reuse the same range, accept IPv4 only.
 */

export interface Ipv4Cidr {
  readonly address: string;
  readonly prefixLength: number;
}

export type CidrCheck = { ok: true; cidr: Ipv4Cidr } | { ok: false; reason: string };

/** Anything wider than this is "the internet" for practical purposes (0.0.0.0/1 + 128.0.0.0/1). */
export const MIN_ADMIN_PREFIX_LENGTH = 8;

// Ranges Azure firewalls reject or that never appear as a client's source address on the internet.
const NON_PUBLIC_RANGES: readonly (readonly [string, number, string])[] = [
  ['0.0.0.0', 8, '"this network"'],
  ['10.0.0.0', 8, 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'carrier-grade NAT (RFC 6598)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private (RFC 1918)'],
  ['192.168.0.0', 16, 'private (RFC 1918)'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function toInt(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function fromInt(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

function networkOf(value: number, prefixLength: number): number {
  const size = 2 ** (32 - prefixLength);
  return Math.floor(value / size) * size;
}

function overlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  const shorter = Math.min(a.prefixLength, b.prefixLength);
  const aNet = toInt(a.address) ?? 0;
  const bNet = toInt(b.address) ?? 0;
  return networkOf(aNet, shorter) === networkOf(bNet, shorter);
}

/** Parses `a.b.c.d/n` and rejects ranges that would open admin ports to the internet. */
export function checkAdminCidr(input: string): CidrCheck {
  const text = input.trim();
  if (text.includes(':')) {
    return text === '::/0'
      ? { ok: false, reason: '::/0 is the whole IPv6 internet; give your own IPv4 range' }
      : {
          ok: false,
          reason: 'IPv6 is not supported here; give an IPv4 range such as 203.0.113.7/32',
        };
  }
  const match = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  const value = match?.[1] === undefined ? undefined : toInt(match[1]);
  const prefixLength = Number(match?.[2]);
  if (value === undefined || !(prefixLength >= 0 && prefixLength <= 32)) {
    return { ok: false, reason: `"${text}" is not an IPv4 CIDR like 203.0.113.7/32` };
  }
  if (prefixLength === 0) {
    return {
      ok: false,
      reason: `${text} is the whole internet; give your own address as a.b.c.d/32`,
    };
  }
  if (prefixLength < MIN_ADMIN_PREFIX_LENGTH) {
    return {
      ok: false,
      reason: `${text} is too wide (prefix shorter than /${MIN_ADMIN_PREFIX_LENGTH}); narrow it to your own network`,
    };
  }
  const network = networkOf(value, prefixLength);
  if (network !== value) {
    return {
      ok: false,
      reason: `${text} has host bits set; did you mean ${fromInt(network)}/${prefixLength}?`,
    };
  }
  const cidr: Ipv4Cidr = { address: fromInt(network), prefixLength };
  for (const [address, length, kind] of NON_PUBLIC_RANGES) {
    if (overlaps(cidr, { address, prefixLength: length })) {
      return {
        ok: false,
        reason: `${text} overlaps ${address}/${length} (${kind}); Azure sees your public address, e.g. from "curl -s https://ifconfig.me"`,
      };
    }
  }
  return { ok: true, cidr };
}

export function formatCidr(cidr: Ipv4Cidr): string {
  return `${cidr.address}/${cidr.prefixLength}`;
}

/** Azure Storage IP rules reject /31 and /32 prefixes and want bare addresses instead. */
export function storageIpRules(cidr: Ipv4Cidr): string[] {
  if (cidr.prefixLength < 31) return [formatCidr(cidr)];
  const first = toInt(cidr.address) ?? 0;
  return cidr.prefixLength === 32 ? [cidr.address] : [fromInt(first), fromInt(first + 1)];
}
