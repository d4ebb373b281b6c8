import { PostgresqlFlexibleServer } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server';
import { PostgresqlFlexibleServerConfiguration } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server-configuration';
import { PostgresqlFlexibleServerDatabase } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server-database';
import { Construct } from 'constructs';
import type { InfraConfig } from '../config.schema';
import { privateDnsZone } from './private-dns';

export interface DatabaseProps {
  readonly resourceGroupName: string;
  readonly location: string;
  readonly serverName: string;
  readonly dnsZoneName: string;
  readonly delegatedSubnetId: string;
  readonly virtualNetworkId: string;
  /** The generated `database-password` (Key Vault holds the same value). */
  readonly administratorPassword: string;
  readonly settings: InfraConfig['postgres'];
  readonly tags: Readonly<Record<string, string>>;
}

/** Server admin login; Azure reserves admin, administrator, root, azure_superuser, guest. */
export const POSTGRES_ADMIN_LOGIN = 'wineadmin';

/** Databases the stack uses: the application's tables and MLflow's backend store. */
export const POSTGRES_DATABASES = ['wine', 'mlflow'] as const;

/**
 * Azure Database for PostgreSQL Flexible Server with private access only: injected into a
 * delegated subnet, resolved through a private DNS zone linked to the VNet, public network
 * access off, TLS 1.2+ required, password auth with a generated password held in Key Vault.
 */
export class Database extends Construct {
  readonly server: PostgresqlFlexibleServer;
  /** `<name>.postgres.database.azure.com`: resolves to the private address inside the VNet. */
  readonly fqdn: string;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const { settings } = props;

    const { zone, link } = privateDnsZone(this, {
      name: props.dnsZoneName,
      resourceGroupName: props.resourceGroupName,
      virtualNetworkId: props.virtualNetworkId,
      tags: props.tags,
    });

    this.server = new PostgresqlFlexibleServer(this, 'server', {
      name: props.serverName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      version: settings.version,
      skuName: settings.skuName,
      storageMb: settings.storageMb,
      autoGrowEnabled: true,
      administratorLogin: POSTGRES_ADMIN_LOGIN,
      administratorPassword: props.administratorPassword,
      authentication: { passwordAuthEnabled: true, activeDirectoryAuthEnabled: false },
      delegatedSubnetId: props.delegatedSubnetId,
      privateDnsZoneId: zone.id,
      publicNetworkAccessEnabled: false,
      backupRetentionDays: settings.backupRetentionDays,
      geoRedundantBackupEnabled: settings.geoRedundantBackup,
      ...(settings.highAvailability !== 'off' && {
        highAvailability: { mode: settings.highAvailability },
      }),
      // Azure picks the zones; Terraform must not fight it afterwards (provider docs).
      lifecycle: { ignoreChanges: ['zone', 'high_availability[0].standby_availability_zone'] },
      dependsOn: [link],
      tags: props.tags,
    });
    this.fqdn = `${props.serverName}.postgres.database.azure.com`;

    // Defaults on Flexible Server today; pinned so a changed default cannot weaken them.
    new PostgresqlFlexibleServerConfiguration(this, 'require-tls', {
      serverId: this.server.id,
      name: 'require_secure_transport',
      value: 'on',
    });
    new PostgresqlFlexibleServerConfiguration(this, 'tls-min-version', {
      serverId: this.server.id,
      name: 'ssl_min_protocol_version',
      value: 'TLSv1.2',
    });

    for (const name of POSTGRES_DATABASES) {
      new PostgresqlFlexibleServerDatabase(this, `database-${name}`, {
        serverId: this.server.id,
        name,
        charset: 'UTF8',
        collation: 'en_US.utf8',
      });
    }
  }
}
