import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import { STACK_SECRETS } from '../services';
import { onlyResource, synthJson, testConfig, type SynthJson } from '../testing/fixtures';
import { FETCH_RELEASE_SCRIPT, FETCH_SECRETS_SCRIPT, IMDS_TOKEN_URL } from './bootstrap-scripts';
import { renderCloudConfig } from './cloud-config';

interface WriteFile {
  path: string;
  content: string;
  permissions: string;
}

function customDataOf(json: SynthJson): string {
  const encoded = onlyResource(json, 'azurerm_linux_virtual_machine')['custom_data'];
  return Buffer.from(String(encoded), 'base64').toString('utf8');
}

/** Every string in the synthesized JSON, with its JSON path. */
function strings(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => strings(child, `${path}/${key}`));
}

describe('cloud-init document', () => {
  const json = synthJson();
  const vmEncoded = String(onlyResource(json, 'azurerm_linux_virtual_machine')['custom_data']);
  const text = customDataOf(json);
  const doc = parse(text) as { write_files: WriteFile[]; packages: string[]; runcmd: string[][] };

  it('matches the snapshot (review changes to the bootstrap here)', () => {
    expect(text).toMatchSnapshot();
  });

  it('is a #cloud-config document installing Docker Engine and the compose plugin', () => {
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    expect(doc.packages).toEqual(expect.arrayContaining(['docker.io', 'docker-compose-v2', 'jq']));
    expect(doc.runcmd).toContainEqual([
      'systemctl',
      'enable',
      '--now',
      '--no-block',
      'wine-stack.service',
    ]);
  });

  it('stays under the 64 KiB custom-data limit', () => {
    expect(Buffer.byteLength(text)).toBeLessThan(65535);
  });

  describe('holds no secret value', () => {
    it('is a literal in the Terraform JSON, so Terraform cannot interpolate any value into it', () => {
      // Base64 has no "${", so the value is fixed at synth time, before any secret exists.
      expect(vmEncoded).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
      expect(Buffer.from(text).toString('base64')).toBe(vmEncoded);
    });

    it('lets generated passwords flow only into Key Vault secrets', () => {
      // random_password results may appear only as the value of a Key Vault secret.
      const uses = strings(json.resource).filter(([, value]) => value.includes('random_password.'));
      expect(uses.length).toBe(STACK_SECRETS.length);
      for (const [path] of uses) {
        expect(path).toMatch(/^\/azurerm_key_vault_secret\/[^/]+\/value$/);
      }
    });

    it('names every secret but assigns none', () => {
      for (const secret of STACK_SECRETS) {
        expect(text).toContain(`${secret.envVar} ${secret.name}\n`);
        expect(text).not.toMatch(new RegExp(`${secret.envVar}=`));
      }
      const secretsMap = doc.write_files.find((f) => f.path === '/etc/wine/secrets.map');
      expect(secretsMap?.content.trim().split('\n')).toHaveLength(STACK_SECRETS.length);
    });

    it('contains no long random-looking token', () => {
      // Generated secrets are 32+ alphanumerics; the only run that long allowed here is the
      // release checksum, which is public.
      const runs = text.match(/[A-Za-z0-9]{24,}/g) ?? [];
      expect(runs.filter((run) => run !== testConfig().release.sha256)).toEqual([]);
    });
  });

  it('writes the .env with mode 600 and keeps the bearer token off the command line', () => {
    expect(FETCH_SECRETS_SCRIPT).toContain('umask 077');
    expect(FETCH_SECRETS_SCRIPT).toContain('chmod 600 "$tmp"');
    expect(FETCH_SECRETS_SCRIPT).toContain(IMDS_TOKEN_URL);
    expect(FETCH_SECRETS_SCRIPT).toContain('-H @"$private/auth-header"');
    expect(FETCH_SECRETS_SCRIPT).toContain('api-version=7.4');
  });

  it('ships scripts bash accepts, with root-only write permissions', () => {
    for (const script of [FETCH_RELEASE_SCRIPT, FETCH_SECRETS_SCRIPT]) {
      const result = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    }
    for (const file of doc.write_files) {
      expect(['0644', '0755']).toContain(file.permissions);
    }
  });

  it('refuses settings that would need shell quoting', () => {
    expect(() =>
      renderCloudConfig({
        keyVaultUrl: 'https://kv.vault.azure.net/',
        release: { version: '1', url: 'https://x/$(reboot)', composeFile: 'c.yml' },
        secrets: [],
        stackSettings: {},
      }),
    ).toThrow(/would need shell quoting/);
  });
});
