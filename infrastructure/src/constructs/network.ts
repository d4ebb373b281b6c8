import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Construct } from 'constructs';
import type { SubnetKey, SubnetPlan } from '../network-plan';
import { ADDRESS_SPACE } from '../network-plan';

export interface NetworkProps {
  readonly resourceGroupName: string;
  readonly location: string;
  readonly virtualNetworkName: string;
  /** Subnet and NSG name per subnet key. */
  readonly names: Readonly<Partial<Record<SubnetKey, { subnet: string; nsg: string }>>>;
  readonly plan: readonly SubnetPlan[];
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * VNet whose subnets each carry their own NSG, rules as separate resources (one place to
 * manage them). Azure's default rules deny inbound internet traffic at priority 65500.
 * The `app` subnet keeps its original construct ids, so single-vm resource addresses are
 * stable and switching profile does not recreate it.
 */
export class Network extends Construct {
  readonly subnets: Partial<Record<SubnetKey, Subnet>> = {};
  readonly virtualNetwork: VirtualNetwork;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const common = { resourceGroupName: props.resourceGroupName, location: props.location };

    this.virtualNetwork = new VirtualNetwork(this, 'vnet', {
      ...common,
      name: props.virtualNetworkName,
      addressSpace: [ADDRESS_SPACE],
      tags: props.tags,
    });

    for (const spec of props.plan) {
      const names = props.names[spec.key];
      if (names === undefined) throw new TypeError(`no names for subnet ${spec.key}`);
      const idOf = (what: string) => (spec.key === 'app' ? what : `${spec.key}-${what}`);
      const subnet = new Subnet(this, idOf('subnet'), {
        resourceGroupName: props.resourceGroupName,
        name: names.subnet,
        virtualNetworkName: this.virtualNetwork.name,
        addressPrefixes: [spec.prefix],
        // Service endpoints let machines reach Key Vault / Storage while their firewalls deny
        // everything except these subnets and the admin CIDR.
        ...(spec.serviceEndpoints.length > 0 && { serviceEndpoints: [...spec.serviceEndpoints] }),
        ...(spec.delegation !== undefined && {
          delegation: [
            {
              name: 'postgres-flexible-server',
              serviceDelegation: {
                name: spec.delegation,
                actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
              },
            },
          ],
        }),
        ...(spec.privateEndpointNetworkPolicies === true && {
          privateEndpointNetworkPolicies: 'Enabled',
        }),
      });
      this.subnets[spec.key] = subnet;

      const nsg = new NetworkSecurityGroup(this, idOf('nsg'), {
        ...common,
        name: names.nsg,
        tags: props.tags,
      });
      for (const rule of spec.rules) {
        new NetworkSecurityRule(this, rule.id, {
          resourceGroupName: props.resourceGroupName,
          networkSecurityGroupName: nsg.name,
          name: rule.name,
          description: rule.description,
          priority: rule.priority,
          direction: 'Inbound',
          access: rule.access,
          protocol: rule.protocol,
          sourcePortRange: '*',
          sourceAddressPrefix: rule.source,
          destinationPortRange: rule.ports,
          destinationAddressPrefix: spec.prefix,
        });
      }
      new SubnetNetworkSecurityGroupAssociation(this, idOf('subnet-nsg'), {
        subnetId: subnet.id,
        networkSecurityGroupId: nsg.id,
      });
    }
  }

  subnet(key: SubnetKey): Subnet {
    const subnet = this.subnets[key];
    if (subnet === undefined) throw new TypeError(`subnet ${key} is not part of this profile`);
    return subnet;
  }
}
