import { LinuxVirtualMachineScaleSet } from '@cdktf/provider-azurerm/lib/linux-virtual-machine-scale-set';
import { MonitorAutoscaleSetting } from '@cdktf/provider-azurerm/lib/monitor-autoscale-setting';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { InfraConfig } from '../config.schema';
import { PORTS } from '../services';
import { UBUNTU_2404 } from './compute';

export interface PredictionTierProps {
  readonly resourceGroupName: string;
  readonly location: string;
  readonly names: {
    readonly scaleSet: string;
    readonly computerNamePrefix: string;
    readonly identity: string;
    readonly autoscale: string;
  };
  readonly subnetId: string;
  /** ARM id of the gateway's backend pool the instances join. */
  readonly backendPoolId: string;
  /** The Key Vault secrets the instances read (name, ARM id, the secret resource), nothing else. */
  readonly secrets: readonly {
    readonly name: string;
    readonly scope: string;
    readonly resource: ITerraformDependable;
  }[];
  readonly adminUsername: string;
  readonly sshPublicKey: string;
  readonly settings: InfraConfig['prediction'];
  /** Base64 cloud-config of the `prediction` role: names and URLs only. */
  readonly customDataBase64: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** Built-in role the instances get, once per secret they read. */
export const PREDICTION_SECRET_ROLE = 'Key Vault Secrets User';

/**
 * The prediction service on a scale set behind the Application Gateway. A user-assigned
 * identity (created, and granted its secrets, before any instance boots) reads exactly the
 * secrets the instances' .env needs. The Application Health extension probes /ready on each
 * instance so Azure replaces one that stays unhealthy; CPU autoscale adds and removes
 * instances between the configured bounds.
 */
export class PredictionTier extends Construct {
  readonly scaleSet: LinuxVirtualMachineScaleSet;
  readonly identity: UserAssignedIdentity;

  constructor(scope: Construct, id: string, props: PredictionTierProps) {
    super(scope, id);
    const common = { resourceGroupName: props.resourceGroupName, location: props.location };
    const { settings } = props;

    this.identity = new UserAssignedIdentity(this, 'identity', {
      ...common,
      name: props.names.identity,
      tags: props.tags,
    });
    const grants = props.secrets.map(
      ({ name, scope, resource }) =>
        new RoleAssignment(this, `reads-${name}`, {
          scope,
          // The scope must exist before access to it can be granted.
          dependsOn: [resource],
          roleDefinitionName: PREDICTION_SECRET_ROLE,
          principalId: this.identity.principalId,
          principalType: 'ServicePrincipal',
          description: 'Prediction instances read this secret at boot',
        }),
    );

    this.scaleSet = new LinuxVirtualMachineScaleSet(this, 'scale-set', {
      ...common,
      name: props.names.scaleSet,
      computerNamePrefix: props.names.computerNamePrefix,
      sku: settings.vmSize,
      instances: settings.minInstances,
      adminUsername: props.adminUsername,
      adminSshKey: [{ username: props.adminUsername, publicKey: props.sshPublicKey }],
      disablePasswordAuthentication: true,
      sourceImageReference: UBUNTU_2404,
      osDisk: {
        caching: 'ReadWrite',
        storageAccountType: 'StandardSSD_LRS',
        diskSizeGb: settings.osDiskSizeGb,
      },
      secureBootEnabled: true,
      vtpmEnabled: true,
      bootDiagnostics: {},
      // Extra instances would boot the stack only to be deleted again.
      overprovision: false,
      upgradeMode: 'Manual',
      identity: { type: 'UserAssigned', identityIds: [this.identity.id] },
      customData: props.customDataBase64,
      networkInterface: [
        {
          name: 'primary',
          primary: true,
          ipConfiguration: [
            {
              name: 'primary',
              primary: true,
              subnetId: props.subnetId,
              applicationGatewayBackendAddressPoolIds: [props.backendPoolId],
            },
          ],
        },
      ],
      // The only extension: the instance-local /ready probe that automatic repairs rely on.
      extensionOperationsEnabled: true,
      extension: [
        {
          name: 'health',
          publisher: 'Microsoft.ManagedServices',
          type: 'ApplicationHealthLinux',
          typeHandlerVersion: '2.0',
          autoUpgradeMinorVersion: true,
          settings: JSON.stringify({
            protocol: 'http',
            port: PORTS.predictionApi,
            requestPath: '/ready',
          }),
        },
      ],
      // First boot installs Docker and pulls images: give it time before repairing.
      automaticInstanceRepair: { enabled: true, gracePeriod: 'PT30M', action: 'Replace' },
      // Autoscale owns the instance count after creation.
      lifecycle: { ignoreChanges: ['instances'] },
      dependsOn: grants,
      tags: { ...props.tags, role: 'prediction' },
    });

    const cpu = (operator: 'GreaterThan' | 'LessThan', threshold: number, window: string) => ({
      metricName: 'Percentage CPU',
      metricResourceId: this.scaleSet.id,
      operator,
      statistic: 'Average',
      threshold,
      timeAggregation: 'Average',
      timeGrain: 'PT1M',
      timeWindow: window,
    });
    new MonitorAutoscaleSetting(this, 'autoscale', {
      ...common,
      name: props.names.autoscale,
      targetResourceId: this.scaleSet.id,
      profile: [
        {
          name: 'cpu',
          capacity: {
            default: settings.minInstances,
            minimum: settings.minInstances,
            maximum: settings.maxInstances,
          },
          rule: [
            {
              metricTrigger: cpu('GreaterThan', settings.scaleOutCpuPercent, 'PT5M'),
              scaleAction: {
                direction: 'Increase',
                type: 'ChangeCount',
                value: 1,
                cooldown: 'PT5M',
              },
            },
            {
              metricTrigger: cpu('LessThan', settings.scaleInCpuPercent, 'PT10M'),
              scaleAction: {
                direction: 'Decrease',
                type: 'ChangeCount',
                value: 1,
                cooldown: 'PT10M',
              },
            },
          ],
        },
      ],
      tags: props.tags,
    });
  }
}
