/**
 * Runs the VM's bootstrap scripts with bash, curl, jq, tar and sha256sum against a loopback
 * HTTP server. The server is a hand-written stand-in for Azure's instance metadata service and
 * Key Vault (neither can run here); it follows their documented protocol: IMDS answers only
 * with the `Metadata: true` header, Key Vault only with the IMDS bearer token, and answers 403
 * until the (simulated) role assignment has propagated.
 */
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithTool } from '../testing/real-tool';
import {
  FETCH_RELEASE_SCRIPT,
  FETCH_SECRETS_SCRIPT,
  KEY_VAULT_API_VERSION,
} from './bootstrap-scripts';

const TOKEN = 'fake-imds-token';
const SECRETS: Record<string, string> = {
  'database-password': 'db0Secret1Value',
  'service-admin-token': 'tok0Admin1Value',
};

interface FakeAzure {
  forbiddenLeft: number;
  releaseDownloads: number;
  tarball: Buffer;
}

function handle(state: FakeAzure, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const json = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (url.pathname === '/metadata/identity/oauth2/token') {
    if (req.headers['metadata'] !== 'true') {
      json(400, { error: 'invalid_request' });
      return;
    }
    if (url.searchParams.get('resource') !== 'https://vault.azure.net') {
      json(400, {});
      return;
    }
    json(200, {
      access_token: TOKEN,
      token_type: 'Bearer',
      resource: 'https://vault.azure.net',
    });
    return;
  }
  const secret = /^\/secrets\/([A-Za-z0-9-]+)$/.exec(url.pathname)?.[1];
  if (secret !== undefined) {
    if (url.searchParams.get('api-version') !== KEY_VAULT_API_VERSION) {
      json(400, {});
      return;
    }
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      json(401, { error: { code: 'Unauthorized' } });
      return;
    }
    if (state.forbiddenLeft > 0) {
      state.forbiddenLeft -= 1;
      json(403, { error: { code: 'Forbidden', innererror: { code: 'ForbiddenByRbac' } } });
      return;
    }
    const value = SECRETS[secret];
    if (value === undefined) {
      json(404, { error: { code: 'SecretNotFound' } });
      return;
    }
    json(200, {
      value,
      id: `https://vault/secrets/${secret}/1`,
      attributes: { enabled: true },
    });
    return;
  }
  if (url.pathname === '/release.tar.gz') {
    state.releaseDownloads += 1;
    res.writeHead(200, { 'content-type': 'application/gzip' });
    res.end(state.tarball);
    return;
  }
  json(404, {});
}

function runScript(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(
      'bash',
      ['-c', script],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (error, _out, stderr) => {
        done({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
          stderr,
        });
      },
    );
    child.stdin?.end();
  });
}

describeWithTool(
  'VM bootstrap scripts against a stand-in IMDS and Key Vault',
  {
    envVar: 'JQ_BIN',
    name: 'jq',
    install: 'apt-get install jq; .ci/services/cloud-init.sh does this',
  },
  () => {
    const state: FakeAzure = { forbiddenLeft: 0, releaseDownloads: 0, tarball: Buffer.alloc(0) };
    let server: Server;
    let base = '';
    let sha256 = '';

    beforeAll(async () => {
      const src = mkdtempSync(join(tmpdir(), 'wine-release-src-'));
      writeFileSync(join(src, 'docker-compose.yml'), 'services: {}\n');
      const tar = spawnSync('tar', ['-czf', '-', '-C', src, '.']);
      state.tarball = tar.stdout;
      sha256 = createHash('sha256').update(state.tarball).digest('hex');
      server = createServer((req, res) => {
        handle(state, req, res);
      });
      await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise((closed) => server.close(closed));
    });

    function machine(releaseSha: string): {
      etc: string;
      root: string;
      env: Record<string, string>;
    } {
      const dir = mkdtempSync(join(tmpdir(), 'wine-vm-'));
      const etc = join(dir, 'etc');
      const root = join(dir, 'opt');
      mkdirSync(etc);
      writeFileSync(
        join(etc, 'bootstrap.env'),
        [
          `STACK_ROOT=${root}`,
          `KEY_VAULT_URL=${base}/`,
          'RELEASE_VERSION=0.1.0',
          `RELEASE_URL=${base}/release.tar.gz`,
          `RELEASE_SHA256=${releaseSha}`,
          'COMPOSE_FILE=docker-compose.yml',
          '',
        ].join('\n'),
      );
      writeFileSync(join(etc, 'stack-settings.env'), 'AZURE_KEY_VAULT_URL=https://kv.example/\n');
      writeFileSync(
        join(etc, 'secrets.map'),
        'POSTGRES_PASSWORD database-password\nADMIN_TOKEN service-admin-token\n',
      );
      const env = {
        WINE_ETC: etc,
        IMDS_TOKEN_URL: `${base}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net`,
        RETRY_DELAY_S: '1',
      };
      return { etc, root, env };
    }

    it('installs the pinned release once and points current at it', async () => {
      const vm = machine(sha256);
      const before = state.releaseDownloads;
      expect(await runScript(FETCH_RELEASE_SCRIPT, vm.env)).toEqual({ code: 0, stderr: '' });
      expect(await runScript(FETCH_RELEASE_SCRIPT, vm.env)).toEqual({ code: 0, stderr: '' });
      expect(state.releaseDownloads - before).toBe(1);
      expect(readlinkSync(join(vm.root, 'current'))).toBe(join(vm.root, 'releases', '0.1.0'));
      expect(existsSync(join(vm.root, 'current', 'docker-compose.yml'))).toBe(true);
    });

    it('refuses a release whose checksum does not match', async () => {
      const vm = machine('0'.repeat(64));
      const result = await runScript(FETCH_RELEASE_SCRIPT, vm.env);
      expect(result.code).not.toBe(0);
      expect(existsSync(join(vm.root, 'current'))).toBe(false);
    });

    it('writes a 0600 .env from Key Vault, waiting out RBAC propagation', async () => {
      const vm = machine(sha256);
      await runScript(FETCH_RELEASE_SCRIPT, vm.env);
      state.forbiddenLeft = 2;
      const result = await runScript(FETCH_SECRETS_SCRIPT, vm.env);
      expect(result.code).toBe(0);
      // curl's complaints go to the unit's journal, one per refused attempt.
      expect(result.stderr.match(/error: 403/g)).toHaveLength(2);
      expect(state.forbiddenLeft).toBe(0);
      const envFile = join(vm.root, 'current', '.env');
      expect(readFileSync(envFile, 'utf8')).toBe(
        'AZURE_KEY_VAULT_URL=https://kv.example/\n' +
          'POSTGRES_PASSWORD=db0Secret1Value\n' +
          'ADMIN_TOKEN=tok0Admin1Value\n',
      );
      expect(statSync(envFile).mode & 0o777).toBe(0o600);
    });

    it('gives up after its deadline and leaves no partial .env', async () => {
      const vm = machine(sha256);
      await runScript(FETCH_RELEASE_SCRIPT, vm.env);
      writeFileSync(join(vm.etc, 'secrets.map'), 'MISSING missing-secret\n');
      const result = await runScript(FETCH_SECRETS_SCRIPT, { ...vm.env, SECRETS_TIMEOUT_S: '1' });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('giving up');
      expect(existsSync(join(vm.root, 'current', '.env'))).toBe(false);
    });
  },
);
