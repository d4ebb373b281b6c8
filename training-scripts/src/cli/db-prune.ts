#!/usr/bin/env node
/**
 * `pnpm run db:prune`: the prediction log's retention. Deletes the rows predicted more than
 * PREDICTION_LOG_RETENTION_DAYS (or --days) ago, in batches, with their feedback labels;
 * --every repeats it (a long-running job for compose or a VM), otherwise it runs once (cron,
 * a systemd timer).
 */
import { Command, Option } from 'commander';
import {
  RETENTION_DEFAULTS,
  assertMigrated,
  countRowsBefore,
  createPool,
  prunePredictionLog,
  redactConnectionString,
  retentionCutoff,
} from '@wine/db';
import { ModelError } from '@wine/model';
import { runCli } from './run-cli';

function program(): Command {
  return new Command('db:prune')
    .description(
      'Delete prediction-log rows (and their feedback labels) older than the retention, in batches.',
    )
    .addOption(
      new Option('--days <n>', 'keep this many days of predictions').env(
        'PREDICTION_LOG_RETENTION_DAYS',
      ),
    )
    .option(
      '--batch-rows <n>',
      `rows per DELETE statement (default ${RETENTION_DEFAULTS.batchRows})`,
    )
    .option('--every <hours>', 'keep running and prune every <hours> hours (default: once)')
    .option('--dry-run', 'count the rows that would be deleted; delete nothing')
    .addOption(new Option('--database-url <url>', 'PostgreSQL of the log').env('DATABASE_URL'))
    .addHelpText(
      'after',
      '\nExamples:\n  PREDICTION_LOG_RETENTION_DAYS=90 DATABASE_URL=postgres://postgres@127.0.0.1:5432/wine pnpm run db:prune\n' +
        '  pnpm run db:prune --days 30 --dry-run\n  pnpm run db:prune --days 90 --every 6\n' +
        '\nEnvironment: PREDICTION_LOG_RETENTION_DAYS (or --days), DATABASE_URL (or --database-url).',
    );
}

function positive(flag: string, raw: string | undefined, integer: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new ModelError(
      'PARAMS_INVALID',
      `${flag} ${raw}: must be a ${integer ? 'whole' : 'positive'} number${integer ? ' ≥ 1' : ''}`,
    );
  }
  return n;
}

async function main(): Promise<void> {
  const opts = program().parse().opts<{
    days?: string;
    batchRows?: string;
    every?: string;
    dryRun?: boolean;
    databaseUrl?: string;
  }>();
  const days = positive(
    '--days (PREDICTION_LOG_RETENTION_DAYS)',
    opts.days === '' ? undefined : opts.days,
    false,
  );
  if (days === undefined) {
    throw new ModelError(
      'PARAMS_INVALID',
      'how many days of predictions to keep? set PREDICTION_LOG_RETENTION_DAYS (or --days), e.g. 90',
    );
  }
  const batchRows = positive('--batch-rows', opts.batchRows, true);
  const everyHours = positive('--every', opts.every, false);
  const url = opts.databaseUrl;
  if (url === undefined || url === '') {
    throw new ModelError(
      'PARAMS_INVALID',
      'set DATABASE_URL (or --database-url), e.g. postgres://postgres@127.0.0.1:5432/wine',
    );
  }
  const where = redactConnectionString(url);
  const pool = createPool({ connectionString: url, applicationName: 'db-prune', max: 1 });
  const state = { stopping: false };
  const stopped = (): boolean => state.stopping;
  let sleeping: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  const stop = (): void => {
    state.stopping = true;
    if (sleeping !== undefined) {
      clearTimeout(sleeping.timer);
      sleeping.wake();
    }
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    await assertMigrated(pool);
    for (;;) {
      const cutoff = retentionCutoff(days);
      if (opts.dryRun === true) {
        const n = await countRowsBefore(pool, cutoff);
        console.log(`${where}: ${n} rows predicted before ${cutoff.toISOString()} (dry run)`);
        return;
      }
      const started = performance.now();
      const result = await prunePredictionLog(pool, {
        before: cutoff,
        ...(batchRows === undefined ? {} : { batchRows }),
        onBatch: (n) => {
          console.error(`  deleted ${n} rows…`);
        },
      });
      console.log(
        `${where}: deleted ${result.deletedRows} prediction-log rows predicted before ${cutoff.toISOString()} ` +
          `(${result.batches} batches, ${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
      if (everyHours === undefined || stopped()) return;
      await new Promise<void>((resolve) => {
        sleeping = { timer: setTimeout(resolve, everyHours * 3_600_000), wake: resolve };
      });
      sleeping = undefined;
      if (stopped()) return;
    }
  } finally {
    await pool.end();
  }
}

runCli(main);
