#!/usr/bin/env node
/** `pnpm run train`: hyperparameter search, then the best model's directory. */
import path from 'node:path';
import { Command, Option } from 'commander';
import { loadWineCsv, loadWineDataDir, ModelError, type LoadResult } from '@wine/model';
import { runTraining, type LoadedData, type TrainDeps } from '../train/run-training';
import { trainOptionsSchema } from '../train/train-options.schema';
import { jsonSummary, renderSummary } from '../train/summary';
import { createProgress } from './progress';
import { runCli } from './run-cli';

function program(): Command {
  return new Command('train')
    .description(
      'Search tree or forest hyperparameters on the wine data and write the best model directory\n' +
        '(MLmodel, model.json, input_example.json).',
    )
    .option(
      '--data <dir>',
      'directory with winequality-red.csv and winequality-white.csv (seeded split)',
    )
    .option('--train <csv>', 'training CSV (use with --test instead of --data)')
    .option('--test <csv>', 'test CSV')
    .addOption(new Option('--model <kind>', 'learner').choices(['tree', 'forest']).default('tree'))
    .addOption(
      new Option('--search <strategy>', 'search strategy')
        .choices(['grid', 'random'])
        .default('grid'),
    )
    .option('--n-iter <n>', 'candidates for --search random', '50')
    .option(
      '--cv <k>',
      'select on k-fold cross-validation of the training set instead of the test set',
    )
    .option('--test-size <fraction>', 'test fraction for --data', '0.2')
    .option('--seed <n>', 'seed for split, search and learner', '42')
    .option('--workers <n>', 'worker threads for the search (default: available cores)')
    .option('-o, --output <dir>', 'model directory to write', 'model')
    .option(
      '--skip-invalid',
      'reject invalid rows (and report them) instead of failing on the first one',
    )
    .option('--json', 'print a one-line JSON summary last on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  pnpm run train --data ./data\n  pnpm run train --train train.csv --test test.csv --model forest --json\n' +
        '\nData: WINE_DATA_DIR is the default for --data (else ./data; fetch it with `pnpm run data:download`).',
    );
}

function toLoaded(results: readonly LoadResult[], description: string): LoadedData {
  return {
    records: results.flatMap((r) => r.records),
    rejected: results.reduce((n, r) => n + r.rejected.length, 0),
    description,
  };
}

async function main(): Promise<void> {
  const cli = program().parse();
  const parsed = trainOptionsSchema.safeParse(cli.opts());
  if (!parsed.success) {
    throw new ModelError('PARAMS_INVALID', 'invalid options (see --help)', {
      details: parsed.error.issues.map(
        (i) => (i.path.length ? `--${i.path.join('.')}: ` : '') + i.message,
      ),
    });
  }
  const options = parsed.data;
  const progress = createProgress('search', { enabled: !options.json });
  const log = options.json
    ? (): void => undefined
    : (m: string): void => {
        console.error(m);
      };
  const onInvalidRow = (skip: boolean): 'reject' | 'fail' => (skip ? 'reject' : 'fail');
  const deps: TrainDeps = {
    loadDir: async (dir, skip) => {
      const { reports } = await loadWineDataDir(dir, { onInvalidRow: onInvalidRow(skip) });
      return toLoaded(reports, dir);
    },
    loadCsv: async (file, skip) =>
      toLoaded([await loadWineCsv(file, { onInvalidRow: onInvalidRow(skip) })], file),
    onProgress: (done, total, last) => {
      progress.update(done, total, `rmse ${last.metrics.rmse.toFixed(4)}`);
    },
    log,
  };
  const defaultDataDir = process.env.WINE_DATA_DIR ?? path.resolve('data');
  try {
    const outcome = await runTraining(options, deps, defaultDataDir);
    progress.stop();
    if (options.json) console.log(jsonSummary(outcome));
    else console.log(renderSummary(outcome));
  } finally {
    progress.stop();
  }
}

runCli(main);
