import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import type { HostRole } from '../services';
import { envNamesFor } from '../services';
import { secretsOf } from '../stack';
import {
  decodedCustomData,
  onlyResource,
  scaledConfig,
  stringsIn,
  synthJson,
  testConfig,
  type SynthJson,
} from '../testing/fixtures';
import { FETCH_RELEASE_SCRIPT, FETCH_SECRETS_SCRIPT, IMDS_TOKEN_URL } from './bootstrap-scripts';
import { renderCloudConfig } from './cloud-config';

interface WriteFile {
  path: string;
  content: string;
  permissions: string;
}

interface CloudConfigDoc {
  write_files: WriteFile[];
  packages: string[];
  runcmd: string[][];
}

const singleVm = synthJson();
const scaled = synthJson(scaledConfig());

/** The machines of both profiles: which resource boots which role. */
const MACHINES: readonly (readonly [HostRole, SynthJson, string])[] = [
  ['all-in-one', singleVm, 'azurerm_linux_virtual_machine'],
  ['control', scaled, 'azurerm_linux_virtual_machine'],
  ['prediction', scaled, 'azurerm_linux_virtual_machine_scale_set'],
];

function fileOf(doc: CloudConfigDoc, path: string): string {
  const file = doc.write_files.find((f) => f.path === path);
  if (file === undefined) throw new TypeError(`no ${path}`);
  return file.content;
}

describe.each(MACHINES)('cloud-init document (%s)', (role, json, type) => {
  const encoded = String(onlyResource(json, type)['custom_data']);
  const text = decodedCustomData(onlyResource(json, type));
  const doc = parse(text) as CloudConfigDoc;
  const settings = fileOf(doc, '/etc/wine/stack-settings.env');
  const secretsMap = fileOf(doc, '/etc/wine/secrets.map');

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

  it(`writes exactly the ${role} variables of the contract (services.ts STACK_ENV)`, () => {
    const fromSettings = settings
      .trim()
      .split('\n')
      .map((line) => line.split('=')[0]);
    const fromSecrets = secretsMap
      .trim()
      .split('\n')
      .map((line) => line.split(' ')[0]);
    expect([...fromSettings, ...fromSecrets].sort()).toEqual(envNamesFor(role).sort());
  });

  it('pins the release with its checksum and the files this machine needs', () => {
    const bootstrap = fileOf(doc, '/etc/wine/bootstrap.env');
    expect(bootstrap).toContain(`RELEASE_SHA256=${testConfig().release.sha256}\n`);
    expect(bootstrap).toContain(
      `RELEASE_REQUIRED_FILES=${role === 'all-in-one' ? 'caddy/Caddyfile' : ''}\n`,
    );
  });

  it('pairs the MLflow password with its user name', () => {
    expect(settings).toContain('MLFLOW_TRACKING_USERNAME=admin\n');
    expect(secretsMap).toContain('MLFLOW_TRACKING_PASSWORD mlflow-basic-auth-password\n');
  });

  describe('holds no secret value', () => {
    it('is a literal in the Terraform JSON, so Terraform cannot interpolate any value into it', () => {
      // Base64 has no "${", so the value is fixed at synth time, before any secret exists.
      expect(encoded).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
      expect(Buffer.from(text).toString('base64')).toBe(encoded);
    });

    it('names the secrets it needs but assigns none', () => {
      for (const line of secretsMap.trim().split('\n')) {
        const [envVar] = line.split(' ');
        expect(text).not.toMatch(new RegExp(`\\b${envVar ?? ''}=`));
      }
    });

    it('contains no long random-looking token', () => {
      // Generated secrets are 32+ alphanumerics; the only run that long allowed here is the
      // release checksum, which is public.
      const runs = text.match(/[A-Za-z0-9]{24,}/g) ?? [];
      expect(runs.filter((run) => run !== testConfig().release.sha256)).toEqual([]);
    });
  });
});

describe('secret values in the Terraform JSON', () => {
  it.each([
    ['single-vm', singleVm, [] as string[]],
    ['scaled', scaled, ['azurerm_postgresql_flexible_server']],
  ])(
    'let generated passwords flow only into Key Vault secrets (%s; and the server they protect)',
    (profile, json, alsoAllowed) => {
      const uses = stringsIn(json.resource).filter(([, value]) =>
        value.includes('random_password.'),
      );
      const generated = secretsOf(profile as 'single-vm').filter((s) => 'generated' in s.value);
      expect(uses.length).toBe(generated.length + alsoAllowed.length);
      for (const [path] of uses) {
        const allowed = [
          /^\/azurerm_key_vault_secret\/[^/]+\/value$/,
          ...alsoAllowed.map((type) => new RegExp(`^/${type}/[^/]+/administrator_password$`)),
        ];
        expect(allowed.some((pattern) => pattern.test(path))).toBe(true);
      }
    },
  );
});

describe('bootstrap scripts', () => {
  it('write the .env with mode 600 and keep the bearer token off the command line', () => {
    expect(FETCH_SECRETS_SCRIPT).toContain('umask 077');
    expect(FETCH_SECRETS_SCRIPT).toContain('chmod 600 "$tmp"');
    expect(FETCH_SECRETS_SCRIPT).toContain(IMDS_TOKEN_URL);
    expect(FETCH_SECRETS_SCRIPT).toContain('-H @"$private/auth-header"');
    expect(FETCH_SECRETS_SCRIPT).toContain('api-version=7.4');
  });

  it('are scripts bash accepts, with root-only write permissions', () => {
    for (const script of [FETCH_RELEASE_SCRIPT, FETCH_SECRETS_SCRIPT]) {
      const result = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    }
    const doc = parse(decodedCustomData(onlyResource(singleVm, 'azurerm_linux_virtual_machine')));
    for (const file of (doc as CloudConfigDoc).write_files) {
      expect(['0644', '0755']).toContain(file.permissions);
    }
  });
});

describe('renderCloudConfig', () => {
  const base = {
    keyVaultUrl: 'https://kv.vault.azure.net/',
    release: { version: '1', url: 'https://x/r.tgz', sha256: 'a'.repeat(64), composeFile: 'c.yml' },
    requiredFiles: [],
    env: { settings: {}, secrets: [] },
  };

  it('refuses settings that would need shell quoting', () => {
    expect(() =>
      renderCloudConfig({ ...base, release: { ...base.release, url: 'https://x/$(reboot)' } }),
    ).toThrow(/would need shell quoting/);
  });

  it.each([
    ['no placeholder', 'postgresql://u:pw@h/db'],
    ['two placeholders', 'postgresql://{}:{}@h/db'],
    ['a space', 'postgresql://u:{}@h/db x'],
    ['a dollar sign', 'postgresql://u:{}@h/$db'],
  ])('refuses a URL template with %s', (_label, template) => {
    expect(() =>
      renderCloudConfig({
        ...base,
        env: {
          settings: {},
          secrets: [{ envVar: 'DATABASE_URL', name: 'database-password', template }],
        },
      }),
    ).toThrow(/URL template of DATABASE_URL/);
  });

  it.each([['/etc/passwd'], ['../up'], ['a/../../b']])(
    'refuses a required file outside the release (%s)',
    (file) => {
      expect(() => renderCloudConfig({ ...base, requiredFiles: [file] })).toThrow(
        /must be a relative path/,
      );
    },
  );
});
