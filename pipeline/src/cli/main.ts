#!/usr/bin/env node
/**
 * `pnpm run pipeline -- run|status|list|worker|api`: the retraining pipeline's one process
 * entry point. Reads the environment once (config.ts), builds the runtime, runs a subcommand.
 */
import { Command, Option } from 'commander';
import { parseOptions, runCli } from '@wine/training-scripts';
import { loadConfig, DEFAULT_API_PORT, SECRET_ENV } from '../config';
import { createRuntime, type Runtime } from '../runtime';
import { STEP_NAMES, type StepName } from '../steps/step-io.schema';
import { apiCommand, listCommand, runCommand, statusCommand, workerCommand } from './commands';
import { runOptionsSchema } from './run-options.schema';

const print = (line: string): void => {
  console.log(line);
};

async function withRuntime(
  name: string,
  body: (runtime: Runtime) => Promise<unknown>,
): Promise<void> {
  const runtime = createRuntime(loadConfig(process.env), { name });
  try {
    const code = await body(runtime);
    if (typeof code === 'number') process.exitCode = code;
  } finally {
    await runtime.close();
  }
}

function parseSteps(raw: string | undefined): StepName[] | undefined {
  if (raw === undefined) return undefined;
  const steps = raw.split(',').map((s) => s.trim());
  const unknown = steps.filter((s) => !(STEP_NAMES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new Error(
      `--steps: unknown step ${unknown.join(', ')}; steps are ${STEP_NAMES.join(', ')}`,
    );
  }
  return steps as StepName[];
}

function program(): Command {
  const root = new Command('pipeline')
    .description(
      'The retraining pipeline (ingest → validate → split → train → evaluate → register+promote) on BullMQ. ' +
        "Triggers: this CLI, PIPELINE_CRON, and Alertmanager alerts through the API's webhook.",
    )
    .showHelpAfterError()
    .addHelpText(
      'after',
      '\nEnvironment: REDIS_URL, DATABASE_URL, MLFLOW_TRACKING_URI, PIPELINE_* (see .env.sample).' +
        '\nExamples:\n  pnpm run pipeline -- run --wait\n  pnpm run pipeline -- run --inline --model forest\n' +
        '  pnpm run pipeline -- worker --concurrency 2\n  ADMIN_TOKEN=… pnpm run pipeline -- api   # bull-board: http://127.0.0.1:' +
        `${DEFAULT_API_PORT}/admin/queues`,
    );

  root
    .command('run')
    .description('Start a run: enqueue it and print its id, or run it here with --inline.')
    .option(
      '--data <location>',
      'data folder, az://<container>/<prefix>/ or https:// URL of the UCI zip (default PIPELINE_DATA, WINE_DATA_DIR, ./data)',
    )
    .option('--data-sha256 <hex>', 'required sha256 of the zip for an https:// location')
    .addOption(
      new Option('--model <kind>', 'learner (default PIPELINE_MODEL or tree)').choices([
        'tree',
        'forest',
      ]),
    )
    .addOption(
      new Option('--search <strategy>', 'search strategy')
        .choices(['grid', 'random'])
        .default('grid'),
    )
    .option('--n-iter <n>', 'candidates for --search random', '50')
    .option(
      '--cv <k>',
      'choose the candidate on k-fold CV of the training rows instead of the validation split',
    )
    .option('--test-size <fraction>', 'final holdout share', '0.2')
    .option('--validation-size <fraction>', 'validation share (candidate selection)', '0.2')
    .option('--seed <n>', 'seed for split, search and learner', '42')
    .option(
      '--min-improvement <rmse>',
      'holdout RMSE a new version must beat the champion by (default PIPELINE_MIN_IMPROVEMENT)',
    )
    .option('--wait', 'follow the run until it finishes; exit 1 if it fails')
    .option(
      '--inline',
      'run the steps in this process, without Redis (same steps, retries and history)',
    )
    .option('--json', 'print JSON instead of text')
    .action(async (raw: unknown) => {
      const options = parseOptions(runOptionsSchema, raw);
      await withRuntime('cli', (runtime) => runCommand(runtime, options, print));
    });

  root
    .command('status [runId]')
    .description(
      "A run's steps, attempts, durations and errors; without an id, the queues, schedule and recent runs.",
    )
    .option('--json', 'print JSON')
    .action(async (runId: string | undefined, opts: { json?: boolean }) => {
      await withRuntime('cli', (runtime) =>
        statusCommand(runtime, runId, opts.json === true, print),
      );
    });

  root
    .command('list')
    .description('Recent runs, newest first.')
    .option('--limit <n>', 'how many', '20')
    .addOption(
      new Option('--status <status>', 'only runs in this state').choices([
        'queued',
        'running',
        'succeeded',
        'failed',
      ]),
    )
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        limit: string;
        status?: 'queued' | 'running' | 'succeeded' | 'failed';
        json?: boolean;
      }) => {
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 500)
          throw new Error('--limit must be 1–500');
        await withRuntime('cli', (runtime) =>
          listCommand(runtime, limit, opts.status, opts.json === true, print),
        );
      },
    );

  root
    .command('worker')
    .description(
      'Process pipeline jobs (run steps and batch-scoring partitions) until SIGTERM (then finish the active ones). Sets the PIPELINE_CRON schedule.',
    )
    .option('--concurrency <n>', 'jobs at once per queue (default PIPELINE_CONCURRENCY or 1)')
    .option('--steps <list>', `only these steps, e.g. train (default all: ${STEP_NAMES.join(',')})`)
    .option(
      '--batch-only',
      'only score batch partitions (`pnpm run batch-predict -- --partitions n`); needs no DATABASE_URL',
    )
    .action(async (opts: { concurrency?: string; steps?: string; batchOnly?: boolean }) => {
      const concurrency = opts.concurrency === undefined ? undefined : Number(opts.concurrency);
      if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
        throw new Error('--concurrency must be a whole number ≥ 1');
      }
      const steps = parseSteps(opts.steps);
      await withRuntime('worker', (runtime) =>
        workerCommand(runtime, {
          ...(concurrency ? { concurrency } : {}),
          ...(steps ? { steps } : {}),
          ...(opts.batchOnly === true ? { batchOnly: true } : {}),
        }),
      );
    });

  root
    .command('api')
    .description(
      `Serve the Alertmanager webhook, bull-board, run history and /metrics (PIPELINE_API_HOST:PIPELINE_API_PORT, default 127.0.0.1:${DEFAULT_API_PORT}).`,
    )
    .action(async () => {
      await withRuntime('api', (runtime) => apiCommand(runtime));
    });
  return root;
}

runCli(
  async () => {
    await program().parseAsync();
  },
  { secrets: SECRET_ENV },
);
