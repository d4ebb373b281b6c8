import { LinuxVirtualMachine } from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import { NetworkInterface } from '@cdktf/provider-azurerm/lib/network-interface';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { Construct } from 'constructs';

export interface ComputeProps {
  readonly resourceGroupName: string;
  readonly location: string;
  readonly names: {
    readonly publicIp: string;
    readonly networkInterface: string;
    readonly virtualMachine: string;
    readonly computerName: string;
    readonly osDisk: string;
    readonly domainNameLabel: string;
  };
  readonly subnetId: string;
  /** Fixed private address (scaled: replicas reach MLflow here); dynamic when unset. */
  readonly privateIpAddress?: string | undefined;
  readonly vmSize: string;
  readonly adminUsername: string;
  readonly sshPublicKey: string;
  readonly osDiskSizeGb: number;
  /** Base64 of the cloud-config; holds names and URLs only, never secret values. */
  readonly customDataBase64: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** Ubuntu 24.04 LTS, Gen2 image, from Canonical's marketplace offer. */
export const UBUNTU_2404 = {
  publisher: 'Canonical',
  offer: 'ubuntu-24_04-lts',
  sku: 'server',
  version: 'latest',
} as const;

/**
 * A static Standard public IP with a DNS label (<label>.<region>.cloudapp.azure.com). Standard:
 * closed unless the subnet's NSG allows the traffic; static so URLs survive restarts.
 */
export function staticPublicIp(
  scope: Construct,
  id: string,
  props: {
    resourceGroupName: string;
    location: string;
    name: string;
    domainNameLabel: string;
    tags: Readonly<Record<string, string>>;
  },
): PublicIp {
  return new PublicIp(scope, id, {
    ...props,
    sku: 'Standard',
    allocationMethod: 'Static',
  });
}

/** One Ubuntu VM with a static public IP, SSH-key login only and a system-assigned identity. */
export class Compute extends Construct {
  readonly publicIp: PublicIp;
  readonly vm: LinuxVirtualMachine;

  constructor(scope: Construct, id: string, props: ComputeProps) {
    super(scope, id);
    const common = { resourceGroupName: props.resourceGroupName, location: props.location };

    this.publicIp = staticPublicIp(this, 'public-ip', {
      ...common,
      name: props.names.publicIp,
      domainNameLabel: props.names.domainNameLabel,
      tags: props.tags,
    });

    const nic = new NetworkInterface(this, 'nic', {
      ...common,
      name: props.names.networkInterface,
      ipConfiguration: [
        {
          name: 'primary',
          subnetId: props.subnetId,
          ...(props.privateIpAddress === undefined
            ? { privateIpAddressAllocation: 'Dynamic' }
            : { privateIpAddressAllocation: 'Static', privateIpAddress: props.privateIpAddress }),
          publicIpAddressId: this.publicIp.id,
        },
      ],
      tags: props.tags,
    });

    this.vm = new LinuxVirtualMachine(this, 'vm', {
      ...common,
      name: props.names.virtualMachine,
      computerName: props.names.computerName,
      size: props.vmSize,
      networkInterfaceIds: [nic.id],
      adminUsername: props.adminUsername,
      adminSshKey: [{ username: props.adminUsername, publicKey: props.sshPublicKey }],
      disablePasswordAuthentication: true,
      // No VM extensions are used; bootstrap is cloud-init only.
      allowExtensionOperations: false,
      identity: { type: 'SystemAssigned' },
      customData: props.customDataBase64,
      osDisk: {
        name: props.names.osDisk,
        caching: 'ReadWrite',
        storageAccountType: 'StandardSSD_LRS',
        diskSizeGb: props.osDiskSizeGb,
      },
      sourceImageReference: UBUNTU_2404,
      secureBootEnabled: true,
      vtpmEnabled: true,
      // Managed boot diagnostics (no storage account to secure) gives the serial log for debugging boot.
      bootDiagnostics: {},
      tags: props.tags,
    });
  }
}
