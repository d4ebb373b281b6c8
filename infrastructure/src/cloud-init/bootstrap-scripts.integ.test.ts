/**
 * Runs the VM's bootstrap scripts with bash, curl, jq, tar and sha256sum against loopback
 * servers. They are hand-written stand-ins for Azure's instance metadata service (plain HTTP,
 * as on Azure) and for Key Vault and the release host (HTTPS with a certificate made for this
 * test and trusted through CURL_CA_BUNDLE only); neither Azure service can run here. They
 * follow the documented protocol: IMDS answers only with the `Metadata: true` header, Key
 * Vault only with the IMDS bearer token, and 403 until the (simulated) role assignment has
 * propagated.
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
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
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
  // Azure access keys are base64: "+", "/" and "=" must be URL-encoded inside REDIS_URL.
  'redis-access-key': 'ab+cd/ef=',
  'hand-edited': 'pa$$word #1',
};

interface FakeAzure {
  forbiddenLeft: number;
  /** Requests per path, on either server. */
  hits: Map<string, number>;
  tarballs: Map<string, Buffer>;
  /** https base URL, for redirects. */
  httpsBase: string;
  httpBase: string;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function handle(state: FakeAzure, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  state.hits.set(url.pathname, (state.hits.get(url.pathname) ?? 0) + 1);
  const secret = /^\/secrets\/([A-Za-z0-9-]+)$/.exec(url.pathname)?.[1];
  const tarball = state.tarballs.get(url.pathname);
  if (url.pathname === '/metadata/identity/oauth2/token') {
    if (req.headers['metadata'] !== 'true') json(res, 400, { error: 'invalid_request' });
    else if (url.searchParams.get('resource') !== 'https://vault.azure.net') json(res, 400, {});
    else json(res, 200, { access_token: TOKEN, token_type: 'Bearer' });
  } else if (secret !== undefined) {
    const value = SECRETS[secret];
    if (url.searchParams.get('api-version') !== KEY_VAULT_API_VERSION) json(res, 400, {});
    else if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      json(res, 401, { error: { code: 'Unauthorized' } });
    } else if (state.forbiddenLeft > 0) {
      state.forbiddenLeft -= 1;
      json(res, 403, { error: { code: 'Forbidden', innererror: { code: 'ForbiddenByRbac' } } });
    } else if (value === undefined) json(res, 404, { error: { code: 'SecretNotFound' } });
    else json(res, 200, { value, id: `https://vault/secrets/${secret}/1` });
  } else if (url.pathname === '/redirect-to-http' || url.pathname === '/redirect-to-https') {
    const base = url.pathname === '/redirect-to-http' ? state.httpBase : state.httpsBase;
    res.writeHead(302, { location: `${base}/release.tar.gz` });
    res.end();
  } else if (tarball !== undefined) {
    res.writeHead(200, { 'content-type': 'application/gzip' });
    res.end(tarball);
  } else {
    json(res, 404, {});
  }
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

function tarballOf(files: Record<string, string>): Buffer {
  const src = mkdtempSync(join(tmpdir(), 'wine-release-src-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(src, path, '..'), { recursive: true });
    writeFileSync(join(src, path), content);
  }
  return spawnSync('tar', ['-czf', '-', '-C', src, '.']).stdout;
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A throw-away CA-less certificate for 127.0.0.1 (openssl), trusted only via CURL_CA_BUNDLE. */
function selfSignedCertificate(dir: string): { key: string; cert: string; certFile: string } {
  const key = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  const made = spawnSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
      ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      ...['-keyout', key, '-out', certFile],
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}

describeWithTool(
  'VM bootstrap scripts against stand-ins for IMDS, Key Vault and the release host',
  {
    envVar: 'JQ_BIN',
    name: 'jq',
    install: 'apt-get install jq; .ci/services/cloud-init.sh does this',
  },
  () => {
    const state: FakeAzure = {
      forbiddenLeft: 0,
      hits: new Map(),
      tarballs: new Map(),
      httpsBase: '',
      httpBase: '',
    };
    const servers: Server[] = [];
    let certFile = '';
    const release = tarballOf({
      'docker-compose.yml': 'services: {}\n',
      'caddy/Caddyfile': ':443\n',
    });
    const incomplete = tarballOf({ 'docker-compose.yml': 'services: {}\n' });

    beforeAll(async () => {
      state.tarballs.set('/release.tar.gz', release);
      state.tarballs.set('/incomplete.tar.gz', incomplete);
      const tls = selfSignedCertificate(mkdtempSync(join(tmpdir(), 'wine-tls-')));
      certFile = tls.certFile;
      const listen = async (server: Server): Promise<string> => {
        servers.push(server);
        await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
        return `127.0.0.1:${(server.address() as AddressInfo).port}`;
      };
      const onRequest = (req: IncomingMessage, res: ServerResponse) => {
        handle(state, req, res);
      };
      state.httpsBase = `https://${await listen(createHttpsServer({ key: tls.key, cert: tls.cert }, onRequest))}`;
      state.httpBase = `http://${await listen(createHttpServer(onRequest))}`;
    });
    afterAll(async () => {
      await Promise.all(servers.map((s) => new Promise((closed) => s.close(closed))));
    });

    function machine(
      overrides: {
        sha256?: string;
        releaseUrl?: string;
        keyVaultUrl?: string;
        required?: string;
      } = {},
    ) {
      const dir = mkdtempSync(join(tmpdir(), 'wine-vm-'));
      const etc = join(dir, 'etc');
      const root = join(dir, 'opt');
      mkdirSync(etc);
      writeFileSync(
        join(etc, 'bootstrap.env'),
        [
          `STACK_ROOT=${root}`,
          `KEY_VAULT_URL=${overrides.keyVaultUrl ?? `${state.httpsBase}/`}`,
          'RELEASE_VERSION=0.1.0',
          `RELEASE_URL=${overrides.releaseUrl ?? `${state.httpsBase}/release.tar.gz`}`,
          `RELEASE_SHA256=${overrides.sha256 ?? sha(release)}`,
          'COMPOSE_FILE=docker-compose.yml',
          `RELEASE_REQUIRED_FILES=${overrides.required ?? 'caddy/Caddyfile'}`,
          '',
        ].join('\n'),
      );
      writeFileSync(join(etc, 'stack-settings.env'), 'AZURE_KEY_VAULT_URL=https://kv.example/\n');
      writeFileSync(
        join(etc, 'secrets.map'),
        [
          'POSTGRES_PASSWORD database-password',
          'DATABASE_URL database-password postgresql://wine:{}@postgres:5432/wine',
          'REDIS_URL redis-access-key rediss://:{}@cache.example:10000',
          'ADMIN_TOKEN service-admin-token',
          '',
        ].join('\n'),
      );
      const env = {
        WINE_ETC: etc,
        IMDS_TOKEN_URL: `${state.httpBase}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net`,
        CURL_CA_BUNDLE: certFile,
        RETRY_DELAY_S: '1',
        RELEASE_DOWNLOAD_RETRIES: '0',
      };
      return { etc, root, env };
    }

    const hits = (path: string) => state.hits.get(path) ?? 0;

    it('installs the pinned release once over HTTPS and points current at it', async () => {
      const vm = machine();
      const before = hits('/release.tar.gz');
      expect(await runScript(FETCH_RELEASE_SCRIPT, vm.env)).toEqual({ code: 0, stderr: '' });
      expect(await runScript(FETCH_RELEASE_SCRIPT, vm.env)).toEqual({ code: 0, stderr: '' });
      expect(hits('/release.tar.gz') - before).toBe(1);
      expect(readlinkSync(join(vm.root, 'current'))).toBe(join(vm.root, 'releases', '0.1.0'));
      expect(existsSync(join(vm.root, 'current', 'caddy', 'Caddyfile'))).toBe(true);
    });

    it('follows a redirect that stays on HTTPS', async () => {
      const vm = machine({ releaseUrl: `${state.httpsBase}/redirect-to-https` });
      expect(await runScript(FETCH_RELEASE_SCRIPT, vm.env)).toEqual({ code: 0, stderr: '' });
    });

    it('refuses a release whose checksum does not match', async () => {
      const vm = machine({ sha256: '0'.repeat(64) });
      const result = await runScript(FETCH_RELEASE_SCRIPT, vm.env);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('does not match RELEASE_SHA256');
      expect(existsSync(join(vm.root, 'current'))).toBe(false);
    });

    it('refuses to download anything without a checksum', async () => {
      const vm = machine({ sha256: '' });
      const before = hits('/release.tar.gz');
      const result = await runScript(FETCH_RELEASE_SCRIPT, vm.env);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('is not a sha256');
      expect(hits('/release.tar.gz')).toBe(before);
    });

    it('refuses a plain-HTTP release URL without connecting', async () => {
      const vm = machine({ releaseUrl: `${state.httpBase}/release.tar.gz` });
      const before = hits('/release.tar.gz');
      const result = await runScript(FETCH_RELEASE_SCRIPT, vm.env);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/Protocol "http" not supported or disabled/);
      expect(hits('/release.tar.gz')).toBe(before);
    });

    it('refuses a redirect to HTTP without following it', async () => {
      const vm = machine({ releaseUrl: `${state.httpsBase}/redirect-to-http` });
      const before = hits('/release.tar.gz');
      const result = await runScript(FETCH_RELEASE_SCRIPT, vm.env);
      expect(result.code).not.toBe(0);
      expect(hits('/redirect-to-http')).toBeGreaterThan(0);
      expect(hits('/release.tar.gz')).toBe(before);
      expect(existsSync(join(vm.root, 'current'))).toBe(false);
    });

    it('refuses a release without a file this machine needs, and keeps nothing of it', async () => {
      const vm = machine({
        releaseUrl: `${state.httpsBase}/incomplete.tar.gz`,
        sha256: sha(incomplete),
      });
      const result = await runScript(FETCH_RELEASE_SCRIPT, vm.env);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('has no caddy/Caddyfile at its root');
      expect(existsSync(join(vm.root, 'releases', '0.1.0'))).toBe(false);
      expect(existsSync(join(vm.root, 'current'))).toBe(false);
    });

    it('writes a 0600 .env from Key Vault, URL-encoding secrets inside URLs, waiting out RBAC propagation', async () => {
      const vm = machine();
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
          'DATABASE_URL=postgresql://wine:db0Secret1Value@postgres:5432/wine\n' +
          'REDIS_URL=rediss://:ab%2Bcd%2Fef%3D@cache.example:10000\n' +
          'ADMIN_TOKEN=tok0Admin1Value\n',
      );
      expect(statSync(envFile).mode & 0o777).toBe(0o600);
    });

    it('refuses a secret a .env cannot carry unquoted, and writes no .env', async () => {
      const vm = machine();
      await runScript(FETCH_RELEASE_SCRIPT, vm.env);
      writeFileSync(join(vm.etc, 'secrets.map'), 'GF_SECURITY_ADMIN_PASSWORD hand-edited\n');
      const result = await runScript(FETCH_SECRETS_SCRIPT, vm.env);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('secret hand-edited holds characters');
      expect(existsSync(join(vm.root, 'current', '.env'))).toBe(false);
    });

    it('never sends the bearer token to a Key Vault URL that is not HTTPS', async () => {
      const vm = machine();
      await runScript(FETCH_RELEASE_SCRIPT, vm.env);
      writeFileSync(
        join(vm.etc, 'bootstrap.env'),
        readFileSync(join(vm.etc, 'bootstrap.env'), 'utf8').replace(
          /^KEY_VAULT_URL=.*$/m,
          `KEY_VAULT_URL=${state.httpBase}/`,
        ),
      );
      const before = hits('/secrets/database-password');
      const result = await runScript(FETCH_SECRETS_SCRIPT, { ...vm.env, SECRETS_TIMEOUT_S: '1' });
      expect(result.code).not.toBe(0);
      expect(hits('/secrets/database-password')).toBe(before);
      expect(existsSync(join(vm.root, 'current', '.env'))).toBe(false);
    });

    it('gives up after its deadline and leaves no partial .env', async () => {
      const vm = machine();
      await runScript(FETCH_RELEASE_SCRIPT, vm.env);
      writeFileSync(join(vm.etc, 'secrets.map'), 'MISSING missing-secret\n');
      const result = await runScript(FETCH_SECRETS_SCRIPT, { ...vm.env, SECRETS_TIMEOUT_S: '1' });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('giving up');
      expect(existsSync(join(vm.root, 'current', '.env'))).toBe(false);
    });
  },
);
