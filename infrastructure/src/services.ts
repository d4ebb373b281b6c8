/**
 * The stack's network surface and secrets in one place: the NSG, the outputs and the
 * cloud-init bootstrap all read these tables, so a port or secret is added once.
 */

export interface ServicePort {
  /** Output/rule name fragment, kebab-case. */
  readonly name: string;
  readonly port: number;
  /** `public`: open to the internet; `admin`: only from the allowed admin CIDR. */
  readonly exposure: 'public' | 'admin';
  /** URL scheme for the output; undefined for non-HTTP ports. */
  readonly scheme?: 'http';
}

export const SERVICE_PORTS: readonly ServicePort[] = [
  { name: 'prediction-api', port: 9696, exposure: 'public', scheme: 'http' },
  { name: 'ssh', port: 22, exposure: 'admin' },
  { name: 'grafana', port: 3000, exposure: 'admin', scheme: 'http' },
  { name: 'mlflow', port: 5000, exposure: 'admin', scheme: 'http' },
  { name: 'prometheus', port: 9090, exposure: 'admin', scheme: 'http' },
  { name: 'alertmanager', port: 9093, exposure: 'admin', scheme: 'http' },
];

export interface StackSecret {
  /** Key Vault secret name (letters, digits, hyphens). */
  readonly name: string;
  /** Variable the compose stack reads from its `.env`. */
  readonly envVar: string;
  readonly length: number;
  readonly description: string;
}

// Alphanumeric only (random_password special = false): values go into URLs such as
// DATABASE_URL and into .env files, where symbols need quoting or escaping.
export const STACK_SECRETS: readonly StackSecret[] = [
  {
    name: 'database-password',
    envVar: 'POSTGRES_PASSWORD',
    length: 32,
    description: 'PostgreSQL password of the stack user',
  },
  {
    name: 'mlflow-basic-auth-password',
    envVar: 'MLFLOW_TRACKING_PASSWORD',
    length: 32,
    description: 'MLflow basic-auth password',
  },
  {
    name: 'grafana-admin-password',
    envVar: 'GF_SECURITY_ADMIN_PASSWORD',
    length: 32,
    description: 'Grafana admin password',
  },
  {
    name: 'service-admin-token',
    envVar: 'ADMIN_TOKEN',
    length: 48,
    description: 'Bearer token for the prediction service admin endpoints',
  },
];
