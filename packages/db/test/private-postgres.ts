/**
 * A PostgreSQL server of the test's own (initdb + pg_ctl in a temp dir, an ephemeral port),
 * for tests that stop and restart the database mid-load. The machine's shared server is
 * never stopped. initdb refuses to run as root, so as root the cluster is created and run as
 * the `postgres` system user.
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../mlflow-client/test/real-services';

const run = promisify(execFile);

/** initdb/pg_ctl: on PATH, else the newest /usr/lib/postgresql/<v>/bin (Debian/Ubuntu layout). */
export function findPgBin(): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(path.delimiter);
  if (dirs.some((d) => existsSync(path.join(d, 'initdb')))) return '';
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(path.join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : path.join(base, versions[0], 'bin');
}

export function missingPrivatePostgres(): string[] {
  return findPgBin() === undefined ? ['initdb/pg_ctl not found (PostgreSQL server binaries)'] : [];
}

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  readonly url: string;
  readonly port: number;
  start(): Promise<void>;
  /** Fast shutdown: connections are cut, as when the server dies. */
  stop(): Promise<void>;
  /** Stops the server and deletes its directory. */
  destroy(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = findPgBin();
  if (bin === undefined) throw new Error(missingPrivatePostgres().join('; '));
  const exe = (name: string): string => (bin === '' ? name : path.join(bin, name));
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'wine-pg-'));
  const data = path.join(dir, 'data');
  if (root) {
    chmodSync(dir, 0o755);
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const as = (command: string, args: string[]): Promise<unknown> =>
    root ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, args);
  await as(exe('initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const start = async (): Promise<void> => {
    await as(exe('pg_ctl'), [
      '-D',
      data,
      '-o',
      options,
      '-l',
      path.join(dir, 'log'),
      '-w',
      '-t',
      '30',
      'start',
    ]);
  };
  const stop = async (): Promise<void> => {
    await as(exe('pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    destroy: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
