/**
 * Address plan and NSG rules per profile, as data (the Network construct only materialises
 * it). Every subnet has its own NSG. Inbound traffic from the internet reaches only the public
 * edge (443, and 80 for the ACME challenge / redirect); SSH only from the admin CIDR (single
 * VM or control VM) or from the control subnet (scale-set instances); inside the VNet each
 * subnet admits only the ports its neighbours need, then denies the rest of the VNet.
 */
import type { Profile } from './services';
import { PORTS } from './services';

export const ADDRESS_SPACE = '10.42.0.0/16';

export const SUBNET_PREFIXES = {
  /** The single VM, or the control VM when scaled. */
  app: '10.42.1.0/24',
  prediction: '10.42.2.0/24',
  /** Application Gateway v2 needs a subnet of its own. */
  gateway: '10.42.3.0/24',
  /** Delegated to PostgreSQL Flexible Server. */
  postgres: '10.42.4.0/24',
  /** Private endpoints (Redis). */
  endpoints: '10.42.5.0/24',
} as const;

export type SubnetKey = keyof typeof SUBNET_PREFIXES;

/** The control VM's private address (scaled): replicas reach MLflow here, so it must not move. */
export const CONTROL_PRIVATE_IP = '10.42.1.10';

export interface NsgRule {
  /** Construct id; unique in the stack. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly priority: number;
  readonly access: 'Allow' | 'Deny';
  readonly protocol: 'Tcp' | '*';
  /** CIDR or service tag (Internet, GatewayManager, VirtualNetwork). */
  readonly source: string;
  /** One port, a range "a-b", or "*". */
  readonly ports: string;
}

export interface SubnetPlan {
  readonly key: SubnetKey;
  readonly prefix: string;
  readonly serviceEndpoints: readonly string[];
  /** Delegation to a service (the PostgreSQL subnet). */
  readonly delegation?: 'Microsoft.DBforPostgreSQL/flexibleServers';
  /** Enforce the NSG on private endpoints in the subnet. */
  readonly privateEndpointNetworkPolicies?: boolean;
  readonly rules: readonly NsgRule[];
}

export interface PlanInput {
  readonly profile: Profile;
  readonly adminCidr: string;
  /** TLS port of the managed Redis (scaled). */
  readonly redisPort: number;
}

const allow = (
  id: string,
  name: string,
  priority: number,
  source: string,
  ports: string | number,
  description: string,
): NsgRule => ({
  id,
  name,
  description,
  priority,
  access: 'Allow',
  protocol: 'Tcp',
  source,
  ports: String(ports),
});

/** Last rule of the internal subnets: whatever the allow rules above did not admit. */
const denyRestOfVnet = (subnet: SubnetKey): NsgRule => ({
  id: `${subnet}-deny-vnet`,
  name: 'deny-other-vnet-inbound',
  description: `only the ports above reach the ${subnet} subnet from inside the VNet`,
  priority: 4000,
  access: 'Deny',
  protocol: '*',
  source: 'VirtualNetwork',
  ports: '*',
});

const SSH_ADMIN = (adminCidr: string) =>
  allow('allow-ssh', 'allow-ssh-admin', 110, adminCidr, PORTS.ssh, 'ssh only from the admin CIDR');

function singleVm(input: PlanInput): SubnetPlan[] {
  return [
    {
      key: 'app',
      prefix: SUBNET_PREFIXES.app,
      serviceEndpoints: ['Microsoft.KeyVault', 'Microsoft.Storage'],
      rules: [
        allow(
          'allow-https',
          'allow-https-internet',
          100,
          'Internet',
          PORTS.https,
          'the public API, TLS terminated by Caddy',
        ),
        SSH_ADMIN(input.adminCidr),
        allow(
          'allow-http',
          'allow-http-internet',
          120,
          'Internet',
          PORTS.http,
          'ACME HTTP-01 challenge and the redirect to HTTPS (Caddy)',
        ),
      ],
    },
  ];
}

function scaled(input: PlanInput): SubnetPlan[] {
  const { app, prediction, gateway } = SUBNET_PREFIXES;
  return [
    {
      key: 'app',
      prefix: app,
      serviceEndpoints: ['Microsoft.KeyVault', 'Microsoft.Storage'],
      rules: [
        SSH_ADMIN(input.adminCidr),
        allow(
          'app-allow-mlflow',
          'allow-mlflow-from-prediction',
          200,
          prediction,
          PORTS.mlflow,
          'replicas load the champion model from MLflow',
        ),
        denyRestOfVnet('app'),
      ],
    },
    {
      key: 'prediction',
      prefix: prediction,
      serviceEndpoints: ['Microsoft.KeyVault'],
      rules: [
        allow(
          'prediction-allow-api',
          'allow-api-from-gateway',
          100,
          gateway,
          PORTS.predictionApi,
          'the Application Gateway forwards the public API and probes /ready',
        ),
        allow(
          'prediction-allow-management',
          'allow-management-from-control',
          110,
          app,
          PORTS.management,
          'Prometheus on the control VM scrapes /metrics; never from the internet or the admin CIDR',
        ),
        allow(
          'prediction-allow-ssh',
          'allow-ssh-from-control',
          120,
          app,
          PORTS.ssh,
          'ssh only through the control VM (ssh -J)',
        ),
        denyRestOfVnet('prediction'),
      ],
    },
    {
      key: 'gateway',
      prefix: gateway,
      serviceEndpoints: ['Microsoft.KeyVault'],
      rules: [
        allow(
          'gateway-allow-https',
          'allow-https-internet',
          100,
          'Internet',
          PORTS.https,
          'the public API, TLS terminated by the Application Gateway',
        ),
        allow(
          'gateway-allow-http',
          'allow-http-internet',
          110,
          'Internet',
          PORTS.http,
          'redirect to HTTPS',
        ),
        allow(
          'gateway-allow-manager',
          'allow-gateway-manager',
          120,
          'GatewayManager',
          '65200-65535',
          'Azure infrastructure ports Application Gateway v2 requires',
        ),
      ],
    },
    {
      key: 'postgres',
      prefix: SUBNET_PREFIXES.postgres,
      serviceEndpoints: [],
      delegation: 'Microsoft.DBforPostgreSQL/flexibleServers',
      rules: [
        allow(
          'postgres-allow-app',
          'allow-postgres-from-app',
          100,
          app,
          PORTS.postgres,
          'control VM',
        ),
        allow(
          'postgres-allow-prediction',
          'allow-postgres-from-prediction',
          110,
          prediction,
          PORTS.postgres,
          'replicas write the prediction log',
        ),
        {
          id: 'postgres-allow-subnet',
          name: 'allow-within-subnet',
          description:
            'primary and standby replicate inside the delegated subnet (high availability)',
          priority: 120,
          access: 'Allow',
          protocol: '*',
          source: SUBNET_PREFIXES.postgres,
          ports: '*',
        },
        denyRestOfVnet('postgres'),
      ],
    },
    {
      key: 'endpoints',
      prefix: SUBNET_PREFIXES.endpoints,
      serviceEndpoints: [],
      privateEndpointNetworkPolicies: true,
      rules: [
        allow(
          'endpoints-allow-redis',
          'allow-redis-from-app',
          100,
          app,
          input.redisPort,
          'BullMQ and streams on the control VM',
        ),
        denyRestOfVnet('endpoints'),
      ],
    },
  ];
}

export function networkPlan(input: PlanInput): SubnetPlan[] {
  return input.profile === 'single-vm' ? singleVm(input) : scaled(input);
}
