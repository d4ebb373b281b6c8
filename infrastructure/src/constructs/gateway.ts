import { ApplicationGateway } from '@cdktf/provider-azurerm/lib/application-gateway';
import { KeyVaultCertificate } from '@cdktf/provider-azurerm/lib/key-vault-certificate';
import type { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { WebApplicationFirewallPolicy } from '@cdktf/provider-azurerm/lib/web-application-firewall-policy';
import { Construct } from 'constructs';
import type { InfraConfig } from '../config.schema';
import { PORTS } from '../services';
import { staticPublicIp } from './compute';

export interface GatewayProps {
  readonly resourceGroupName: string;
  readonly location: string;
  readonly names: {
    readonly gateway: string;
    readonly publicIp: string;
    readonly domainNameLabel: string;
    readonly identity: string;
    readonly firewallPolicy: string;
  };
  /** The public API's host name: <label>.<region>.cloudapp.azure.com. */
  readonly fqdn: string;
  readonly subnetId: string;
  readonly keyVaultId: string;
  /** Object id of whoever runs Terraform: it creates the certificate. */
  readonly deployerObjectId: string;
  readonly settings: InfraConfig['gateway'];
  readonly edge: InfraConfig['edge'];
  readonly tags: Readonly<Record<string, string>>;
}

/** Key Vault certificate (and its backing secret) the HTTPS listener serves. */
export const GATEWAY_CERTIFICATE = 'gateway-tls';

/** TLS 1.2+ with strong ciphers only (Microsoft's predefined policy of 2022). */
export const GATEWAY_SSL_POLICY = 'AppGwSslPolicy20220101S';

/** Paths of the management port; blocked at the edge even though only 9696 is behind it. */
export const MANAGEMENT_PATHS = ['/metrics', '/model'];

const POOL = 'prediction';

/**
 * Application Gateway v2 (WAF_v2) terminating TLS for the public API: HTTPS on 443 with a
 * Key Vault certificate read by the gateway's own identity (that one secret only), HTTP on 80
 * only to redirect, a health probe on /ready, and a WAF policy in front: Microsoft's default
 * rule set, a request-body limit and a per-client rate limit (the edge limits Caddy applies
 * on the single VM).
 */
export class Gateway extends Construct {
  readonly gateway: ApplicationGateway;
  readonly publicIp: PublicIp;
  readonly identity: UserAssignedIdentity;
  /** ARM id of the backend pool the scale set joins. */
  readonly backendPoolId: string;

  constructor(scope: Construct, id: string, props: GatewayProps) {
    super(scope, id);
    const common = { resourceGroupName: props.resourceGroupName, location: props.location };

    this.identity = new UserAssignedIdentity(this, 'identity', {
      ...common,
      name: props.names.identity,
      tags: props.tags,
    });

    // Terraform creates the first (self-signed) certificate; the deployer needs to manage
    // certificates for that, nothing more.
    const deployerCertificates = new RoleAssignment(this, 'deployer-certificates-officer', {
      scope: props.keyVaultId,
      roleDefinitionName: 'Key Vault Certificates Officer',
      principalId: props.deployerObjectId,
      description: 'Lets the identity running Terraform create the gateway certificate',
    });
    const certificate = new KeyVaultCertificate(this, 'certificate', {
      name: GATEWAY_CERTIFICATE,
      keyVaultId: props.keyVaultId,
      certificatePolicy: {
        issuerParameters: { name: 'Self' },
        keyProperties: { exportable: true, keyType: 'RSA', keySize: 2048, reuseKey: false },
        secretProperties: { contentType: 'application/x-pkcs12' },
        lifetimeAction: [
          { action: { actionType: 'AutoRenew' }, trigger: { daysBeforeExpiry: 30 } },
        ],
        x509CertificateProperties: {
          subject: `CN=${props.fqdn}`,
          subjectAlternativeNames: { dnsNames: [props.fqdn] },
          keyUsage: ['digitalSignature', 'keyEncipherment'],
          extendedKeyUsage: ['1.3.6.1.5.5.7.3.1'],
          validityInMonths: 12,
        },
      },
      // A certificate you import as a new version (README, "TLS on the gateway") stays:
      // its policy differs from the self-signed one and must not trigger a replacement.
      lifecycle: { ignoreChanges: ['certificate_policy'] },
      dependsOn: [deployerCertificates],
      tags: props.tags,
    });
    const readCertificate = new RoleAssignment(this, 'reads-certificate', {
      scope: `${props.keyVaultId}/secrets/${GATEWAY_CERTIFICATE}`,
      roleDefinitionName: 'Key Vault Secrets User',
      principalId: this.identity.principalId,
      principalType: 'ServicePrincipal',
      description: 'The Application Gateway reads its TLS certificate',
      dependsOn: [certificate],
    });

    this.publicIp = staticPublicIp(this, 'public-ip', {
      ...common,
      name: props.names.publicIp,
      domainNameLabel: props.names.domainNameLabel,
      tags: props.tags,
    });

    const waf = new WebApplicationFirewallPolicy(this, 'waf', {
      ...common,
      name: props.names.firewallPolicy,
      policySettings: {
        enabled: true,
        mode: props.settings.wafMode,
        requestBodyCheck: true,
        requestBodyEnforcement: true,
        maxRequestBodySizeInKb: Math.ceil(props.edge.maxBodyBytes / 1024),
        fileUploadLimitInMb: 1,
      },
      managedRules: {
        managedRuleSet: [{ type: 'Microsoft_DefaultRuleSet', version: '2.1' }],
      },
      customRules: [
        {
          name: 'RateLimitPerClient',
          priority: 10,
          ruleType: 'RateLimitRule',
          rateLimitDuration: 'OneMin',
          rateLimitThreshold: props.edge.rateLimitPerMinute,
          groupRateLimitBy: 'ClientAddr',
          action: 'Block',
          // Matches every request: no client address equals the broadcast address.
          matchConditions: [
            {
              matchVariables: [{ variableName: 'RemoteAddr' }],
              operator: 'IPMatch',
              negationCondition: true,
              matchValues: ['255.255.255.255/32'],
            },
          ],
        },
        {
          name: 'BlockManagementPaths',
          priority: 20,
          ruleType: 'MatchRule',
          action: 'Block',
          matchConditions: [
            {
              matchVariables: [{ variableName: 'RequestUri' }],
              operator: 'BeginsWith',
              transforms: ['Lowercase', 'UrlDecode'],
              matchValues: MANAGEMENT_PATHS,
            },
          ],
        },
      ],
      tags: props.tags,
    });

    this.gateway = new ApplicationGateway(this, 'gateway', {
      ...common,
      name: props.names.gateway,
      sku: { name: 'WAF_v2', tier: 'WAF_v2' },
      autoscaleConfiguration: {
        minCapacity: props.settings.minCapacity,
        maxCapacity: props.settings.maxCapacity,
      },
      firewallPolicyId: waf.id,
      forceFirewallPolicyAssociation: true,
      enableHttp2: true,
      identity: { type: 'UserAssigned', identityIds: [this.identity.id] },
      gatewayIpConfiguration: [{ name: 'gateway', subnetId: props.subnetId }],
      frontendIpConfiguration: [{ name: 'public', publicIpAddressId: this.publicIp.id }],
      frontendPort: [
        { name: 'https', port: PORTS.https },
        { name: 'http', port: PORTS.http },
      ],
      sslCertificate: [
        // Versionless: the gateway picks up renewed or imported versions within hours.
        { name: GATEWAY_CERTIFICATE, keyVaultSecretId: certificate.versionlessSecretId },
      ],
      sslPolicy: { policyType: 'Predefined', policyName: GATEWAY_SSL_POLICY },
      httpListener: [
        {
          name: 'https',
          frontendIpConfigurationName: 'public',
          frontendPortName: 'https',
          protocol: 'Https',
          sslCertificateName: GATEWAY_CERTIFICATE,
        },
        {
          name: 'http',
          frontendIpConfigurationName: 'public',
          frontendPortName: 'http',
          protocol: 'Http',
        },
      ],
      redirectConfiguration: [
        {
          name: 'http-to-https',
          redirectType: 'Permanent',
          targetListenerName: 'https',
          includePath: true,
          includeQueryString: true,
        },
      ],
      backendAddressPool: [{ name: POOL }],
      // Plain HTTP inside the VNet: the prediction subnet admits 9696 from this subnet only.
      backendHttpSettings: [
        {
          name: POOL,
          port: PORTS.predictionApi,
          protocol: 'Http',
          cookieBasedAffinity: 'Disabled',
          requestTimeout: 30,
          probeName: 'ready',
          connectionDraining: { enabled: true, drainTimeoutSec: 30 },
        },
      ],
      probe: [
        {
          name: 'ready',
          protocol: 'Http',
          host: '127.0.0.1',
          path: '/ready',
          interval: 10,
          timeout: 5,
          unhealthyThreshold: 3,
          match: { statusCode: ['200'] },
        },
      ],
      requestRoutingRule: [
        {
          name: 'https-to-prediction',
          priority: 100,
          ruleType: 'Basic',
          httpListenerName: 'https',
          backendAddressPoolName: POOL,
          backendHttpSettingsName: POOL,
        },
        {
          name: 'http-redirect',
          priority: 200,
          ruleType: 'Basic',
          httpListenerName: 'http',
          redirectConfigurationName: 'http-to-https',
        },
      ],
      dependsOn: [readCertificate],
      tags: props.tags,
    });
    this.backendPoolId = `${this.gateway.id}/backendAddressPools/${POOL}`;
  }
}
