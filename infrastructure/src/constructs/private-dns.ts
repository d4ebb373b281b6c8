import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import type { Construct } from 'constructs';

export interface PrivateDnsProps {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly virtualNetworkId: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * A private DNS zone linked to the VNet (resolution only, no auto-registration), so the
 * service's public host name resolves to its private address from inside the VNet.
 */
export function privateDnsZone(
  scope: Construct,
  props: PrivateDnsProps,
): { zone: PrivateDnsZone; link: PrivateDnsZoneVirtualNetworkLink } {
  const zone = new PrivateDnsZone(scope, 'dns-zone', {
    name: props.name,
    resourceGroupName: props.resourceGroupName,
    tags: props.tags,
  });
  const link = new PrivateDnsZoneVirtualNetworkLink(scope, 'dns-link', {
    name: 'vnet',
    privateDnsZoneName: zone.name,
    resourceGroupName: props.resourceGroupName,
    virtualNetworkId: props.virtualNetworkId,
    registrationEnabled: false,
    tags: props.tags,
  });
  return { zone, link };
}
