/**
 * Azurite (the Azure Blob emulator from npm) for integration tests of every package that
 * touches az:// — started per test file on an ephemeral loopback port with its own data
 * folder, stopped (process group) and removed afterwards. Not part of the runtime API: other
 * packages import it as `@wine/azure/testing`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';

/** Azurite's well-known development account (public, documented by Microsoft). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  readonly blobEndpoint: string;
  readonly connectionString: string;
  /** Environment that points az:// at this Azurite. */
  readonly env: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/** AZURITE_BLOB_BIN (main.js or an executable) if set, else this package's devDependency. */
export function findAzuriteBlob(): string | undefined {
  const explicit = process.env['AZURITE_BLOB_BIN'];
  if (explicit !== undefined && explicit !== '') return existsSync(explicit) ? explicit : undefined;
  try {
    return require.resolve('azurite/dist/src/blob/main.js', { paths: [__dirname] });
  } catch {
    return undefined;
  }
}

/**
 * Registers `body` when Azurite is installed; otherwise skips loudly, or fails under
 * REQUIRE_REAL_SERVICES=1 (set by .ci/run).
 */
export function describeWithAzurite(title: string, body: () => void): void {
  if (findAzuriteBlob() !== undefined) {
    describe(title, body);
    return;
  }
  const reason =
    'azurite not found: run pnpm install (devDependency of @wine/azure) or set AZURITE_BLOB_BIN';
  if (process.env['REQUIRE_REAL_SERVICES'] === '1') {
    it(`${title}: Azurite required (REQUIRE_REAL_SERVICES=1)`, () => {
      throw new TypeError(reason);
    });
  } else {
    console.warn(`SKIPPED ${title}: ${reason}`);
    // Skipped (not failed) only outside CI: Azurite is absent and REQUIRE_REAL_SERVICES is unset.
    it.skip(`${title} (Azurite missing)`, () => undefined);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

function stopGroup(child: ChildProcess, exited: Promise<unknown>): Promise<unknown> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null) return Promise.resolve();
  const kill = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  kill('SIGTERM');
  const timer = setTimeout(() => {
    kill('SIGKILL');
  }, 5000);
  return exited.finally(() => {
    clearTimeout(timer);
  });
}

/** Starts Azurite; `containers` are created before it is handed over. */
export async function startAzurite(
  options: { containers?: readonly string[] } = {},
): Promise<Azurite> {
  const script = findAzuriteBlob();
  if (script === undefined) throw new Error('azurite-blob not found (AZURITE_BLOB_BIN)');
  const location = await mkdtemp(path.join(tmpdir(), 'wine-azurite-'));
  const port = await freePort();
  const log = path.join(location, 'azurite.log');
  const [command, ...prefix] = script.endsWith('.js') ? [process.execPath, script] : [script];
  const out = openSync(log, 'a');
  const child = spawn(
    command,
    [
      ...prefix,
      ...['--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', location],
      // The SDK may speak a newer API version than this Azurite knows.
      ...['--skipApiVersionCheck', '--loose', '--silent'],
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const blobEndpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  const stop = async (): Promise<void> => {
    await stopGroup(child, exited);
    await rm(location, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      const tail = readFileSync(log, 'utf8').slice(-2000);
      await stop();
      throw new Error(`azurite exited at start:\n${tail}`);
    }
    try {
      const response = await fetch(`${blobEndpoint}?comp=list`, {
        signal: AbortSignal.timeout(2000),
      });
      await response.body?.cancel();
      break; // any HTTP answer means it listens
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error('azurite did not answer within 30 s');
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const connectionString =
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
    `BlobEndpoint=${blobEndpoint};`;
  const service = BlobServiceClient.fromConnectionString(connectionString);
  for (const name of options.containers ?? []) await service.getContainerClient(name).create();
  return {
    blobEndpoint,
    connectionString,
    env: { AZURE_STORAGE_CONNECTION_STRING: connectionString },
    stop,
  };
}
