/**
 * PostgreSQL for the process twin, as the compose `postgres` service's image provides it: a
 * server found on the port gets the stack's role and databases (once, as a superuser it lets
 * in); a private one is initialised with initdb and the *.sql files of
 * /docker-entrypoint-initdb.d on its first start.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { chownTree, identity, StackError } from './host';
import type { ProcessService } from './plan';

const run = promisify(execFile);

/** psql against 127.0.0.1:port as `user`, stopping at the first error. */
function psqlAt(
  psql: string,
  port: number,
  user: string,
  password: string,
  db: string,
  args: readonly string[],
) {
  const conn = ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', db];
  return run(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', ...conn, ...args], {
    env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' },
  });
}

/**
 * A PostgreSQL found on the port: the stack's role and databases as compose's first start
 * creates them, made once with the superuser the server lets in (PGUSER, else postgres).
 */
export async function provisionFoundPostgres(
  service: ProcessService,
  port: number,
  status: (line: string) => void,
): Promise<void> {
  const init = service.postgres;
  if (init?.psql === undefined) return;
  const psql = init.psql;
  const as = async (user: string, password: string, db: string, sql: string) =>
    psqlAt(psql, port, user, password, db, ['-Atc', sql]);
  const dbs = [
    init.database,
    ...init.scripts.flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/CREATE DATABASE\s+"?(\w+)"?/gi)].map((m) => m[1] ?? ''),
    ),
  ];
  const ok = await Promise.all(
    dbs.map((db) =>
      as(init.user, init.password, db, 'select 1').then(
        () => true,
        () => false,
      ),
    ),
  );
  if (ok.every(Boolean)) return;
  const admin = process.env['PGUSER'] ?? 'postgres';
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  try {
    const exists =
      (
        await as(
          admin,
          process.env['PGPASSWORD'] ?? '',
          'postgres',
          `select 1 from pg_roles where rolname = ${quote(init.user)}`,
        )
      ).stdout.trim() === '1';
    await as(
      admin,
      process.env['PGPASSWORD'] ?? '',
      'postgres',
      `${exists ? 'ALTER' : 'CREATE'} ROLE "${init.user}" LOGIN PASSWORD ${quote(init.password)}`,
    );
    for (const db of dbs) {
      const has =
        (
          await as(
            admin,
            process.env['PGPASSWORD'] ?? '',
            'postgres',
            `select 1 from pg_database where datname = ${quote(db)}`,
          )
        ).stdout.trim() === '1';
      if (!has)
        await as(
          admin,
          process.env['PGPASSWORD'] ?? '',
          'postgres',
          `CREATE DATABASE "${db}" OWNER "${init.user}"`,
        );
    }
    status(
      `${service.name}: role ${init.user} and databases ${dbs.join(', ')} ready on 127.0.0.1:${port} (made as ${admin}, like compose's first start)`,
    );
  } catch (error) {
    throw new StackError(
      'STACK_DATA_SERVICE',
      `the PostgreSQL on 127.0.0.1:${port} does not let ${init.user} into ${dbs.join(', ')}, and creating them as ${admin} failed (${(error as Error).message.split('\n').slice(-2).join(' ').trim()}). Create them (psql -h 127.0.0.1 -p ${port} -U <superuser> -c "CREATE ROLE ${init.user} LOGIN PASSWORD '<POSTGRES_PASSWORD>'" -c "CREATE DATABASE ${init.database} OWNER ${init.user}" …), set PGUSER/PGPASSWORD to a superuser, or start a private PostgreSQL with --port-offset 1000.`,
    );
  }
}

/** initdb on the first start, as the postgres image's entrypoint does. */
export async function initPostgres(
  service: ProcessService,
  status: (line: string) => void,
): Promise<void> {
  const init = service.postgres;
  if (init === undefined) return;
  const owner = identity(service);
  mkdirSync(init.socketDir, { recursive: true });
  if (owner) chownSync(init.socketDir, owner.uid, owner.gid);
  if (existsSync(path.join(init.dataDir, 'PG_VERSION'))) return;
  status(`${service.name}: initdb ${init.dataDir} (first start)`);
  mkdirSync(init.dataDir, { recursive: true, mode: 0o700 });
  const pwfile = path.join(service.root, 'pwfile');
  writeFileSync(pwfile, `${init.password}\n`, { mode: 0o600 });
  chownTree(init.dataDir, owner);
  if (owner) chownSync(pwfile, owner.uid, owner.gid);
  try {
    await run(
      init.initdb,
      [
        '-D',
        init.dataDir,
        '-U',
        init.user,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '-E',
        'UTF8',
        '--no-instructions',
      ],
      {
        ...(owner ?? {}),
        cwd: '/',
      },
    );
  } catch (error) {
    rmSync(init.dataDir, { recursive: true, force: true });
    throw new StackError(
      'STACK_DATA_SERVICE',
      `${service.name}: initdb failed: ${(error as Error).message}`,
    );
  } finally {
    rmSync(pwfile, { force: true });
  }
}

/** The database and the *.sql of /docker-entrypoint-initdb.d, once, like the image. */
export async function firstStartScripts(service: ProcessService): Promise<void> {
  const init = service.postgres;
  const port = service.ports[0]?.port;
  if (init === undefined || port === undefined) return;
  const marker = path.join(service.root, 'initialised');
  if (existsSync(marker)) return;
  if (init.psql === undefined) {
    throw new StackError(
      'STACK_PROGRAM_MISSING',
      `${service.name}: psql is needed for the first start (sudo apt-get install postgresql-client)`,
    );
  }
  const psql = (db: string, args: string[]) =>
    psqlAt(init.psql as string, port, init.user, init.password, db, args);
  // The port answers before the server accepts logins (start-up): wait for one.
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await psql('postgres', ['-c', 'select 1']);
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(300);
    }
  }
  if (init.database !== 'postgres')
    await psql('postgres', ['-c', `CREATE DATABASE "${init.database}"`]);
  for (const script of init.scripts) await psql(init.database, ['-f', script]);
  writeFileSync(marker, `${new Date().toISOString()}\n`);
}
