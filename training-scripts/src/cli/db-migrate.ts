#!/usr/bin/env node
/**
 * `pnpm run db:migrate [up|down|status|create <name>]`: applies, reverts or lists the
 * schema migrations of every table of the platform (packages/db/migrations) on DATABASE_URL.
 */
import { Command, Option } from 'commander';
import {
  MIGRATIONS_DIR,
  createMigrationFile,
  createPool,
  migrationStatus,
  redactConnectionString,
  runMigrations,
} from '@wine/db';
import { ModelError } from '@wine/model';
import { runCli } from './run-cli';

function program(): Command {
  return new Command('db:migrate')
    .description(
      'Apply (up), revert (down) or list (status) the PostgreSQL schema migrations of the platform ' +
        '(prediction log, feedback, and every later table), or write an empty migration (create).',
    )
    .argument('[command]', 'up | down | status | create', 'status')
    .argument('[name]', 'for create: what the migration adds, e.g. pipeline-runs')
    .option('--count <n>', 'up: apply at most n pending migrations; down: revert n (default 1)')
    .addOption(new Option('--database-url <url>', 'PostgreSQL to migrate').env('DATABASE_URL'))
    .addHelpText(
      'after',
      '\nExamples:\n  DATABASE_URL=postgres://postgres@127.0.0.1:5432/wine pnpm run db:migrate up\n' +
        '  pnpm run db:migrate status\n  pnpm run db:migrate down --count 1\n  pnpm run db:migrate create pipeline-runs\n' +
        `\nMigrations: ${MIGRATIONS_DIR}\nEnvironment: DATABASE_URL (or --database-url).`,
    );
}

function parseCount(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new ModelError('PARAMS_INVALID', `--count ${raw}: must be a whole number ≥ 1`);
  }
  return Number(raw);
}

async function main(): Promise<void> {
  const cli = program().parse();
  const [command = 'status', name] = cli.processedArgs as [string | undefined, string | undefined];
  const opts = cli.opts<{ count?: string; databaseUrl?: string }>();
  if (command === 'create') {
    if (name === undefined)
      throw new ModelError(
        'PARAMS_INVALID',
        'create needs a name, e.g. `pnpm run db:migrate create pipeline-runs`',
      );
    console.log(`wrote ${await createMigrationFile(name)}`);
    return;
  }
  if (command !== 'up' && command !== 'down' && command !== 'status') {
    throw new ModelError(
      'PARAMS_INVALID',
      `unknown command "${command}": use up, down, status or create (see --help)`,
    );
  }
  const url = opts.databaseUrl;
  if (url === undefined || url === '') {
    throw new ModelError(
      'PARAMS_INVALID',
      'set DATABASE_URL (or --database-url), e.g. postgres://postgres@127.0.0.1:5432/wine',
    );
  }
  const where = redactConnectionString(url);
  if (command === 'status') {
    const pool = createPool({ connectionString: url, applicationName: 'db-migrate', max: 1 });
    try {
      const status = await migrationStatus(pool);
      console.log(
        `${where}: ${status.applied.length} applied, ${status.pending.length} pending${status.unknown.length > 0 ? `, ${status.unknown.length} unknown to this release` : ''}`,
      );
      for (const n of status.applied) console.log(`  applied  ${n}`);
      for (const n of status.pending) console.log(`  pending  ${n}`);
      for (const n of status.unknown) console.log(`  unknown  ${n}`);
    } finally {
      await pool.end();
    }
    return;
  }
  const count = parseCount(opts.count);
  const ran = await runMigrations({
    databaseUrl: url,
    direction: command,
    ...(count === undefined ? {} : { count }),
    log: (line) => {
      console.error(line);
    },
  });
  const verb = command === 'up' ? 'applied' : 'reverted';
  console.log(
    ran.length === 0
      ? `${where}: nothing to do (schema is current)`
      : `${where}: ${verb} ${ran.join(', ')}`,
  );
}

runCli(main);
