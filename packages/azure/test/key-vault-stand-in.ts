/**
 * Loopback stand-ins for Azure's managed identity and Key Vault, following the real
 * protocols so the real @azure/identity and @azure/keyvault-secrets clients talk to them:
 * - IMDS (what the VM's managed identity uses): GET /metadata/identity/oauth2/token with
 *   `Metadata: true`, api-version and resource → the token JSON IMDS returns; reached through
 *   AZURE_POD_IDENTITY_AUTHORITY_HOST, the SDK's documented override of the IMDS host.
 * - Key Vault data plane over HTTPS (certificate from a throw-away CA the test trusts through
 *   NODE_EXTRA_CA_CERTS in its child processes only): GET /secrets/{name}/{version}?api-version=…
 *   answers 401 with the `Bearer authorization=…, resource=…` challenge until the bearer
 *   token is presented, then the secret bundle JSON, 404 SecretNotFound or 403 Forbidden.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const VAULT_HOST = 'wine-kv.vault.test';
const RESOURCE = 'https://vault.test';
const TENANT = '00000000-0000-4000-8000-000000000001';

export interface VaultState {
  /** Secrets by name. */
  readonly secrets: Map<string, string>;
  /** Names this identity may not read (403). */
  readonly forbidden: Set<string>;
  /** Requests per path, for "nothing was asked" checks. */
  readonly hits: string[];
}

export interface VaultStandIn {
  readonly vaultUrl: string;
  readonly imdsUrl: string;
  readonly caFile: string;
  readonly state: VaultState;
  close(): Promise<void>;
}

function openssl(args: readonly string[]): void {
  const made = spawnSync('openssl', args, { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl ${args[0] ?? ''} failed: ${made.stderr}`);
}

/** A CA and a server certificate for VAULT_HOST signed by it. */
function certificates(dir: string): { ca: string; key: string; cert: string } {
  const f = (name: string) => path.join(dir, name);
  writeFileSync(f('ext.cnf'), `subjectAltName=DNS:${VAULT_HOST}\n`);
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=wine test CA',
    ].concat(['-keyout', f('ca.key'), '-out', f('ca.pem')]),
  );
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${VAULT_HOST}`].concat([
      '-keyout',
      f('server.key'),
      '-out',
      f('server.csr'),
    ]),
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      f('server.csr'),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
    ].concat(['-days', '1', '-out', f('server.pem'), '-extfile', f('ext.cnf')]),
  );
  return {
    ca: f('ca.pem'),
    key: readFileSync(f('server.key'), 'utf8'),
    cert: readFileSync(f('server.pem'), 'utf8'),
  };
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

export async function startVaultStandIn(): Promise<VaultStandIn> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wine-kv-'));
  const tls = certificates(dir);
  const token = `test-token-${randomBytes(8).toString('hex')}`;
  const state: VaultState = { secrets: new Map(), forbidden: new Set(), hits: [] };

  const imds = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://imds');
    // MSAL asks with a trailing slash; IMDS answers both spellings.
    if (url.pathname.replace(/\/$/, '') !== '/metadata/identity/oauth2/token') {
      json(res, 404, { error: 'not_found' });
      return;
    }
    if (req.headers['metadata'] !== 'true') {
      json(res, 400, {
        error: 'invalid_request',
        error_description: 'Required metadata header not specified',
      });
      return;
    }
    if (
      url.searchParams.get('api-version') === null ||
      url.searchParams.get('resource') !== RESOURCE
    ) {
      json(res, 400, {
        error: 'invalid_resource',
        error_description: `unexpected resource ${url.searchParams.get('resource') ?? ''}`,
      });
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    json(res, 200, {
      access_token: token,
      client_id: '00000000-0000-4000-8000-000000000002',
      expires_in: '3599',
      expires_on: String(now + 3599),
      ext_expires_in: '3599',
      not_before: String(now),
      resource: RESOURCE,
      token_type: 'Bearer',
    });
  });

  const vault = createHttpsServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const url = new URL(req.url ?? '/', `https://${VAULT_HOST}`);
    state.hits.push(url.pathname);
    if (url.searchParams.get('api-version') === null) {
      json(res, 400, {
        error: {
          code: 'MissingApiVersionParameter',
          message: 'The api-version query parameter (?api-version=) is required for all requests.',
        },
      });
      return;
    }
    if (req.headers.authorization !== `Bearer ${token}`) {
      json(
        res,
        401,
        {
          error: {
            code: 'Unauthorized',
            message: 'AKV10000: Request is missing a Bearer or PoP token.',
          },
        },
        {
          'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${TENANT}", resource="${RESOURCE}"`,
        },
      );
      return;
    }
    const match = /^\/secrets\/([A-Za-z0-9-]+)\/?([^/]*)$/.exec(url.pathname);
    if (req.method !== 'GET' || match === null) {
      json(res, 400, { error: { code: 'BadParameter', message: 'unsupported request' } });
      return;
    }
    const name = match[1] as string;
    if (state.forbidden.has(name)) {
      json(res, 403, {
        error: {
          code: 'Forbidden',
          message: `Caller is not authorized to perform action on resource. Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'`,
          innererror: { code: 'ForbiddenByRbac' },
        },
      });
      return;
    }
    const value = state.secrets.get(name);
    if (value === undefined) {
      json(res, 404, {
        error: {
          code: 'SecretNotFound',
          message: `A secret with (name/id) ${name} was not found in this key vault.`,
        },
      });
      return;
    }
    json(res, 200, {
      value,
      id: `https://${VAULT_HOST}/secrets/${name}/0123456789abcdef0123456789abcdef`,
      attributes: {
        enabled: true,
        created: 1_700_000_000,
        updated: 1_700_000_000,
        recoveryLevel: 'Recoverable',
      },
      tags: {},
    });
  });

  const listen = (server: Server) =>
    new Promise<number>((resolve) => {
      server.listen(0, '127.0.0.1', () => {
        resolve((server.address() as AddressInfo).port);
      });
    });
  const [imdsPort, vaultPort] = await Promise.all([listen(imds), listen(vault)]);
  return {
    vaultUrl: `https://${VAULT_HOST}:${vaultPort}/`,
    imdsUrl: `http://127.0.0.1:${imdsPort}`,
    caFile: tls.ca,
    state,
    async close() {
      await Promise.all([imds, vault].map((s) => new Promise((r) => s.close(r))));
    },
  };
}
