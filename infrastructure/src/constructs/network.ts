import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Construct } from 'constructs';
import type { ServicePort } from '../services';

export interface NetworkProps {
  readonly resourceGroupName: string;
  readonly location: string;
  readonly names: {
    readonly virtualNetwork: string;
    readonly subnet: string;
    readonly networkSecurityGroup: string;
  };
  /** Source of SSH and the admin UIs, e.g. `203.0.113.7/32`. */
  readonly adminCidr: string;
  readonly ports: readonly ServicePort[];
  readonly tags: Readonly<Record<string, string>>;
}

const ADDRESS_SPACE = '10.42.0.0/16';
const SUBNET_PREFIX = '10.42.1.0/24';
const FIRST_PRIORITY = 100;

/**
 * VNet with one subnet guarded by an NSG. Only ports marked `public` accept traffic from the
 * internet; everything else inbound is limited to the admin CIDR (Azure's default rules deny
 * the rest at priority 65500).
 */
export class Network extends Construct {
  readonly subnet: Subnet;
  readonly securityGroup: NetworkSecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const common = { resourceGroupName: props.resourceGroupName, location: props.location };

    const vnet = new VirtualNetwork(this, 'vnet', {
      ...common,
      name: props.names.virtualNetwork,
      addressSpace: [ADDRESS_SPACE],
      tags: props.tags,
    });

    // Service endpoints let the VM reach Key Vault and Storage while their firewalls deny
    // everything except this subnet and the admin CIDR.
    this.subnet = new Subnet(this, 'subnet', {
      resourceGroupName: props.resourceGroupName,
      name: props.names.subnet,
      virtualNetworkName: vnet.name,
      addressPrefixes: [SUBNET_PREFIX],
      serviceEndpoints: ['Microsoft.KeyVault', 'Microsoft.Storage'],
    });

    // Rules live in separate resources, not the inline block, so there is one place to manage them.
    this.securityGroup = new NetworkSecurityGroup(this, 'nsg', {
      ...common,
      name: props.names.networkSecurityGroup,
      tags: props.tags,
    });

    props.ports.forEach((service, index) => {
      const isPublic = service.exposure === 'public';
      new NetworkSecurityRule(this, `allow-${service.name}`, {
        resourceGroupName: props.resourceGroupName,
        networkSecurityGroupName: this.securityGroup.name,
        name: `allow-${service.name}-${isPublic ? 'internet' : 'admin'}`,
        description: isPublic
          ? `${service.name} is public by design`
          : `${service.name} only from the admin CIDR`,
        priority: FIRST_PRIORITY + index * 10,
        direction: 'Inbound',
        access: 'Allow',
        protocol: 'Tcp',
        sourcePortRange: '*',
        sourceAddressPrefix: isPublic ? 'Internet' : props.adminCidr,
        destinationPortRange: String(service.port),
        destinationAddressPrefix: SUBNET_PREFIX,
      });
    });

    new SubnetNetworkSecurityGroupAssociation(this, 'subnet-nsg', {
      subnetId: this.subnet.id,
      networkSecurityGroupId: this.securityGroup.id,
    });
  }
}
