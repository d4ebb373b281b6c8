/**
 * Key Vault configuration end to end: the built processes (prediction service, model
 * monitor, pipeline CLI, train CLI) start with AZURE_KEY_VAULT_URL and resolve their secrets
 * through the real @azure/identity (managed identity, IMDS protocol) and
 * @azure/keyvault-secrets (challenge auth, api-version, secret bundle) clients against the
 * loopback stand-ins. Explicit variables win; a missing secret, a 403 and an unreachable
 * vault each stop startup with one line naming secret and vault (exit 1); no secret value
 * appears in any output. Costs ≈ 20 s (process starts; the unreachable vault's retries).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startVaultStandIn, type VaultStandIn } from './key-vault-stand-in';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..', '..');
const SHIM = path.join(__dirname, 'fixtures', 'vault-dns.cjs');
const SERVICE = path.join(ROOT, 'prediction-service', 'dist', 'main.js');
const MONITOR = path.join(ROOT, 'model-monitor', 'dist', 'main.js');
const PIPELINE = path.join(ROOT, 'pipeline', 'dist', 'cli', 'main.js');
const TRAIN = path.join(ROOT, 'training-scripts', 'dist', 'cli', 'train.js');

const ADMIN = `admin-${Math.random().toString(36).slice(2)}-secret`;
const DB_PASSWORD = `db-${Math.random().toString(36).slice(2)}-secret`;
const MLFLOW_PASSWORD = `mlflow-${Math.random().toString(36).slice(2)}-secret`;
const SECRET_VALUES = [ADMIN, DB_PASSWORD, MLFLOW_PASSWORD];

let kv: VaultStandIn;
const outputs: string[] = [];

function envFor(vaultUrl: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    LOG_LEVEL: 'info',
  };
  return {
    ...env,
    AZURE_KEY_VAULT_URL: vaultUrl,
    AZURE_POD_IDENTITY_AUTHORITY_HOST: kv.imdsUrl,
    NODE_EXTRA_CA_CERTS: kv.caFile,
    NODE_OPTIONS: `--require ${SHIM}`,
    ...extra,
  };
}

/** Runs a process that is expected to stop at startup; returns exit code and output. */
async function startupFailure(file: string, args: readonly string[], env: NodeJS.ProcessEnv) {
  try {
    const done = await run(process.execPath, [file, ...args], { env, timeout: 60_000 });
    outputs.push(done.stdout, done.stderr);
    return { code: 0, stderr: done.stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    outputs.push(e.stdout, e.stderr);
    return { code: e.code, stderr: e.stderr };
  }
}

/** Starts the service, returns its management port and a stop function. */
async function startService(
  env: NodeJS.ProcessEnv,
): Promise<{ management: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [SERVICE], {
    env: { ...env, PORT: '0', MANAGEMENT_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const append = (d: Buffer) => {
    log += d.toString();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    outputs.push(log);
  };
  for (let i = 0; i < 300; i++) {
    const m = /"management_port":(\d+)/.exec(log);
    if (m !== null) return { management: Number(m[1]), stop };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`service did not start:\n${log}`);
}

const reload = (port: number, token: string) =>
  fetch(`http://127.0.0.1:${port}/model/reload`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  }).then((r) => r.status);

beforeAll(async () => {
  for (const file of [SERVICE, MONITOR, PIPELINE, TRAIN]) {
    if (!existsSync(file)) throw new Error(`${file} missing: run pnpm build first`);
  }
  kv = await startVaultStandIn();
});
afterAll(async () => {
  await kv.close();
  // No secret value in any line any process printed.
  const all = outputs.join('\n');
  for (const value of SECRET_VALUES) expect(all).not.toContain(value);
});

describe('Key Vault configuration', () => {
  beforeEach(() => {
    kv.state.secrets.clear();
    kv.state.forbidden.clear();
    kv.state.secrets.set('service-admin-token', ADMIN);
    kv.state.secrets.set('database-password', DB_PASSWORD);
    kv.state.secrets.set('mlflow-basic-auth-password', MLFLOW_PASSWORD);
  });

  it('the service takes ADMIN_TOKEN from the vault', async () => {
    const service = await startService(envFor(kv.vaultUrl));
    try {
      expect(await reload(service.management, ADMIN)).toBe(200);
      expect(await reload(service.management, 'wrong')).toBe(401);
    } finally {
      await service.stop();
    }
    expect(kv.state.hits).toContain('/secrets/service-admin-token/');
  }, 60_000);

  it('an explicit variable wins: the vault is not asked', async () => {
    const before = kv.state.hits.length;
    const service = await startService(envFor(kv.vaultUrl, { ADMIN_TOKEN: 'explicit-token' }));
    try {
      expect(await reload(service.management, 'explicit-token')).toBe(200);
      expect(await reload(service.management, ADMIN)).toBe(401);
    } finally {
      await service.stop();
    }
    expect(kv.state.hits.length).toBe(before);
  }, 60_000);

  it.each([
    ['service', SERVICE, [], {}],
    ['monitor', MONITOR, [], { DATABASE_URL: 'postgresql://wine@127.0.0.1:1/wine' }],
    ['pipeline CLI', PIPELINE, ['list'], { DATABASE_URL: 'postgresql://wine@127.0.0.1:1/wine' }],
    ['train CLI', TRAIN, ['--help'], { MLFLOW_TRACKING_USERNAME: 'admin' }],
  ] as const)(
    '%s: a missing secret stops startup with one line and exit 1',
    async (_name, file, args, extra) => {
      kv.state.secrets.clear();
      const { code, stderr } = await startupFailure(file, args, envFor(kv.vaultUrl, extra));
      expect(code).toBe(1);
      const lines = stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^error \[KEY_VAULT_SECRET_MISSING\]: Key Vault https:\/\/wine-kv\.vault\.test:\d+\/: secret "[a-z-]+" \(for [A-Z_]+\) does not exist/,
      );
    },
    60_000,
  );

  it('a 403 names the secret, the vault and the role to grant', async () => {
    kv.state.forbidden.add('database-password');
    const { code, stderr } = await startupFailure(
      MONITOR,
      [],
      envFor(kv.vaultUrl, { DATABASE_URL: 'postgresql://wine@127.0.0.1:1/wine' }),
    );
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^error \[KEY_VAULT_FORBIDDEN\]: Key Vault https:\/\/wine-kv\.vault\.test:\d+\/: secret "database-password" \(for DATABASE_URL\) cannot be read \(HTTP 403 Forbidden\); grant this identity "Key Vault Secrets User"/,
      ),
    ]);
  }, 60_000);

  it('a wrong vault (nothing listening) is one line too', async () => {
    const { code, stderr } = await startupFailure(
      SERVICE,
      [],
      envFor('https://other.vault.test:1/'),
    );
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^error \[KEY_VAULT_UNREACHABLE\]: Key Vault https:\/\/other\.vault\.test:1\/: secret "service-admin-token" \(for ADMIN_TOKEN\): the vault cannot be reached/,
      ),
    ]);
  }, 60_000);

  it('fills the password into a user-only DATABASE_URL (the CLI then tries that database)', async () => {
    const { code, stderr } = await startupFailure(
      PIPELINE,
      ['list'],
      envFor(kv.vaultUrl, { DATABASE_URL: 'postgresql://wine@127.0.0.1:1/wine' }),
    );
    // Past Key Vault: now the database (nothing on port 1) stops it, without echoing the URL.
    expect(code).toBe(1);
    expect(stderr).not.toMatch(/KEY_VAULT/);
    expect(stderr).toMatch(/ECONNREFUSED|connect/i);
    expect(kv.state.hits).toContain('/secrets/database-password/');
  }, 60_000);
});
