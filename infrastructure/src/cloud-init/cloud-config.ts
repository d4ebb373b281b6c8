import { stringify } from 'yaml';
import { InfraError } from '../errors';
import type { MachineEnv } from '../stack-env';
import { SECRET_PLACEHOLDER } from '../stack-env';
import {
  FETCH_RELEASE_SCRIPT,
  FETCH_SECRETS_SCRIPT,
  PATHS,
  STACK_UNIT,
  UNIT_NAME,
} from './bootstrap-scripts';

export interface CloudConfigInput {
  readonly keyVaultUrl: string;
  readonly release: {
    readonly version: string;
    readonly url: string;
    readonly sha256: string;
    readonly composeFile: string;
  };
  /** Files the release must hold besides the compose file (e.g. caddy/Caddyfile). */
  readonly requiredFiles: readonly string[];
  /**
   * The machine's .env: settings in clear, secrets by name only (values are fetched from
   * Key Vault at boot, URL templates filled in there).
   */
  readonly env: MachineEnv;
}

/**
 * Docker from Ubuntu's own archive (docker.io + docker-compose-v2, kept current under Ubuntu's
 * SRU exception for Docker) rather than download.docker.com: no third-party apt key to pin.
 */
export const PACKAGES = ['docker.io', 'docker-compose-v2', 'jq', 'curl', 'ca-certificates'];

// Values land unquoted in files read by bash `.` and systemd EnvironmentFile=.
const SAFE_VALUE = /^[A-Za-z0-9._:/@%+=,~-]*$/;
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;
const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;
// URL templates are read with `read -r`, never sourced; "&" and "?" are fine, spaces are not.
const URL_TEMPLATE = /^[A-Za-z0-9._:/@%+=,~&?{}-]+$/;
const RELATIVE_FILE = /^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[A-Za-z0-9._/-]+$/;

function envFile(entries: Readonly<Record<string, string>>): string {
  return Object.entries(entries)
    .map(([key, value]) => {
      if (!ENV_NAME.test(key) || !SAFE_VALUE.test(value)) {
        throw new InfraError(
          'CLOUD_INIT_UNSAFE_VALUE',
          `cloud-init setting ${key}=${JSON.stringify(value)} would need shell quoting; use letters, digits and URL characters only`,
        );
      }
      return `${key}=${value}\n`;
    })
    .join('');
}

function secretsMap(secrets: MachineEnv['secrets']): string {
  return secrets
    .map(({ envVar, name, template }) => {
      if (!ENV_NAME.test(envVar) || !SECRET_NAME.test(name)) {
        throw new InfraError(
          'CLOUD_INIT_UNSAFE_VALUE',
          `secret mapping ${envVar} -> ${name} is not a valid variable/secret name`,
        );
      }
      if (template === undefined) return `${envVar} ${name}\n`;
      if (!URL_TEMPLATE.test(template) || template.split(SECRET_PLACEHOLDER).length !== 2) {
        throw new InfraError(
          'CLOUD_INIT_UNSAFE_VALUE',
          `URL template of ${envVar} must be URL characters with exactly one ${SECRET_PLACEHOLDER}: ${template}`,
        );
      }
      return `${envVar} ${name} ${template}\n`;
    })
    .join('');
}

function requiredFiles(files: readonly string[]): string {
  for (const file of files) {
    if (!RELATIVE_FILE.test(file)) {
      throw new InfraError(
        'CLOUD_INIT_UNSAFE_VALUE',
        `release file ${file} must be a relative path`,
      );
    }
  }
  return files.join(',');
}

/** The cloud-config as a plain object (cloud-init 22.4 schema: write_files, packages, runcmd). */
export function buildCloudConfig(input: CloudConfigInput): Record<string, unknown> {
  const bootstrapEnv = envFile({
    STACK_ROOT: PATHS.stackRoot,
    KEY_VAULT_URL: input.keyVaultUrl,
    RELEASE_VERSION: input.release.version,
    RELEASE_URL: input.release.url,
    RELEASE_SHA256: input.release.sha256,
    COMPOSE_FILE: input.release.composeFile,
    RELEASE_REQUIRED_FILES: requiredFiles(input.requiredFiles),
  });
  const file = (path: string, content: string, permissions: string) => ({
    path,
    content,
    owner: 'root:root',
    permissions,
  });
  return {
    // Unattended-upgrades (on by default in Ubuntu images) applies security updates; a full
    // upgrade here would only slow the first boot.
    package_update: true,
    package_upgrade: false,
    packages: PACKAGES,
    write_files: [
      file(PATHS.bootstrapEnv, bootstrapEnv, '0644'),
      file(PATHS.stackSettings, envFile(input.env.settings), '0644'),
      file(PATHS.secretsMap, secretsMap(input.env.secrets), '0644'),
      file(PATHS.fetchRelease, FETCH_RELEASE_SCRIPT, '0755'),
      file(PATHS.fetchSecrets, FETCH_SECRETS_SCRIPT, '0755'),
      file(PATHS.unit, STACK_UNIT, '0644'),
    ],
    // runcmd runs after packages are installed (cloud-final). --no-block: the unit may wait
    // up to its timeout for RBAC to propagate; cloud-init need not wait with it.
    runcmd: [
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', '--now', 'docker.service'],
      ['systemctl', 'enable', '--now', '--no-block', UNIT_NAME],
    ],
  };
}

/** Renders the cloud-config document, header line included. */
export function renderCloudConfig(input: CloudConfigInput): string {
  return `#cloud-config\n${stringify(buildCloudConfig(input), { lineWidth: 0 })}`;
}

/** What goes into `custom_data`: encoded here, so the Terraform JSON holds no template to evaluate. */
export function cloudConfigBase64(input: CloudConfigInput): string {
  return Buffer.from(renderCloudConfig(input), 'utf8').toString('base64');
}
