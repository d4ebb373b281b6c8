#!/usr/bin/env node
/** `pnpm run train`: hyperparameter search, the best model's directory, and MLflow tracking. */
import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { checkSpace, ModelError, parseSpace } from '@wine/model';
import { DEFAULT_MIN_IMPROVEMENT } from '../register/decide-promotion';
import type * as Register from '../register/register-model';
import type * as Tracking from '../tracking/mlflow-tracker';
import { currentUser, gitCommit } from '../tracking/source-info';
import { runTraining, type TrainDeps } from '../train/run-training';
import { trainOptionsSchema } from '../train/train-options.schema';
import { jsonSummary, renderSummary, renderTracking } from '../train/summary';
import { dataDeps, defaultDataDir, holdoutOf } from './data-deps';
import { connectMlflow, TRACKING_OFF } from './mlflow-connection';
import { createProgress } from './progress';
import { parseOptions, runCli } from './run-cli';

function program(): Command {
  return new Command('train')
    .description(
      'Search tree or forest hyperparameters on the wine data and write the best model directory ' +
        '(MLmodel, model.json, input_example.json, and model.onnx with the onnx and python_function ' +
        'flavours for Python, Spark and ONNX runtimes). With a tracking server, every candidate is an ' +
        'MLflow run and the best model is logged (and, with --register, registered).',
    )
    .option(
      '--data <dir>',
      'folder (or az://<container>/<prefix>/) with winequality-red.csv and winequality-white.csv (seeded train/validation/holdout split)',
    )
    .option('--train <csv>', 'training CSV, local or az:// (use with --test instead of --data)')
    .option('--test <csv>', 'holdout CSV: reported and gated on, never used to pick a candidate')
    .option(
      '--validation <csv>',
      'validation CSV for choosing the candidate (default: --validation-size of the --train rows)',
    )
    .addOption(new Option('--model <kind>', 'learner').choices(['tree', 'forest']).default('tree'))
    .addOption(
      new Option('--search <strategy>', 'search strategy')
        .choices(['grid', 'random'])
        .default('grid'),
    )
    .option('--n-iter <n>', 'candidates for --search random', '50')
    .option(
      '--space <json|@file>',
      'hyperparameters to search, as JSON with scikit-learn names (or @file.json): lists for a grid, ' +
        '{"min", "max", "log", "integer"} ranges for --search random. As in scikit-learn, 1 is a count ' +
        'and 1.0 a fraction: "max_features": [1.0, 0.5, "sqrt"] (default: max_depth 1–20 × ' +
        'min_samples_leaf for trees, max_features × min_samples_leaf for forests)',
    )
    .option(
      '--cv <k>',
      'choose the candidate on k-fold cross-validation of the training rows instead of a validation split',
    )
    .option('--test-size <fraction>', 'holdout share of the rows for --data', '0.2')
    .option(
      '--validation-size <fraction>',
      'validation share for choosing the candidate: of all rows with --data, of the --train rows otherwise',
      '0.2',
    )
    .option('--seed <n>', 'seed for split, search and learner', '42')
    .option('--workers <n>', 'worker threads for the search (default: available cores)')
    .option(
      '--no-depth-sharing',
      'fit every candidate on its own instead of one grow per max_depth family (identical results, ' +
        'slower; to check that claim)',
    )
    .option('-o, --output <dir>', 'model directory to write', 'model')
    .option(
      '--skip-invalid',
      'reject invalid rows (and report them) instead of failing on the first one',
    )
    .option('--tracking-uri <url>', 'MLflow tracking server (default: $MLFLOW_TRACKING_URI)')
    .option('--experiment <name>', 'MLflow experiment', 'wine-quality')
    .option('--register', 'register the best model and set its alias (see `register --help`)')
    .option('--registered-model <name>', 'registered model name for --register', 'wine-quality')
    .option(
      '--min-improvement <rmse>',
      'holdout RMSE a new version must beat the champion by to take the alias',
      String(DEFAULT_MIN_IMPROVEMENT),
    )
    .option('--json', 'print a one-line JSON summary last on stdout')
    .addHelpText(
      'after',
      '\nSelection: candidates are ranked on the validation rows (or --cv folds); the winner is refit on' +
        '\ntrain + validation and measured once on the holdout, which --register then gates on.\n' +
        '\nExamples:\n  pnpm run train --data ./data\n  pnpm run train --train train.csv --test test.csv --model forest --json\n' +
        `  pnpm run train --data ./data --model forest --space '{"max_features": [1.0, 0.5], "min_samples_leaf": [1, 5]}'\n` +
        '  MLFLOW_TRACKING_URI=http://127.0.0.1:5000 pnpm run train --data ./data --register\n' +
        '\nData: WINE_DATA_DIR is the default for --data (else ./data; fetch it with `pnpm run data:download`).' +
        '\nTracking: MLFLOW_TRACKING_URI, MLFLOW_TRACKING_USERNAME/_PASSWORD or MLFLOW_TRACKING_TOKEN,' +
        '\nMLFLOW_HTTP_REQUEST_TIMEOUT (s), MLFLOW_HTTP_REQUEST_MAX_RETRIES.',
    );
}

/**
 * A module loaded on first use: tracking (its plots load vega) and registration cost ~0.2 s
 * of start-up that a run without a tracking server does not need.
 */
function trackingModule(): typeof Tracking {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose, see above
  return require('../tracking/mlflow-tracker') as typeof Tracking;
}

function registerModule(): typeof Register {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose, see above
  return require('../register/register-model') as typeof Register;
}

/** `--space` text, or the file it names with a leading @. */
async function spaceText(arg: string): Promise<string> {
  if (!arg.startsWith('@')) return arg;
  try {
    return await readFile(arg.slice(1), 'utf8');
  } catch (error) {
    throw new ModelError(
      'PARAMS_INVALID',
      `--space ${arg}: cannot read ${arg.slice(1)} (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

async function main(): Promise<void> {
  const options = parseOptions(trainOptionsSchema, program().parse().opts());
  const paramSpace =
    options.space === undefined ? undefined : parseSpace(await spaceText(options.space));
  // Before any data or tracking: a misspelt name fails in a moment.
  if (paramSpace !== undefined) checkSpace(paramSpace, options.model);
  const connection = connectMlflow(options.trackingUri, process.env);
  if (options.register && connection === undefined) {
    throw new ModelError(
      'PARAMS_INVALID',
      '--register needs a tracking server: set MLFLOW_TRACKING_URI or --tracking-uri',
    );
  }
  const progress = createProgress('search', { enabled: !options.json });
  const log = options.json
    ? (): void => undefined
    : (m: string): void => {
        console.error(m);
      };
  if (connection === undefined) log(TRACKING_OFF);
  const deps: TrainDeps = {
    ...dataDeps,
    onProgress: (done, total, last) => {
      progress.update(done, total, `rmse ${last.metrics.rmse.toFixed(4)}`);
    },
    log,
    ...(connection === undefined
      ? {}
      : {
          // Loaded only with a tracking server: the tracker and its plots (vega) take ~0.2 s.
          tracker: trackingModule().createMlflowTracker({
            client: connection.client,
            preflight: connection.preflight,
            experimentName: options.experiment,
            sourceName: 'training-scripts/train',
            gitCommit: await gitCommit(),
            user: currentUser(),
          }),
        }),
  };
  try {
    const outcome = await runTraining(
      { ...options, ...(paramSpace === undefined ? {} : { paramSpace }) },
      deps,
      defaultDataDir(process.env),
    );
    progress.stop();
    const register =
      options.register && connection && outcome.tracked ? registerModule() : undefined;
    const registration =
      register && connection && outcome.tracked
        ? await register.registerRun(
            {
              runId: outcome.tracked.runId,
              experimentName: options.experiment,
              modelName: options.registeredModel,
              minImprovement: options.minImprovement,
            },
            holdoutOf(outcome.test),
            connection.client,
          )
        : undefined;
    if (options.json) {
      console.log(jsonSummary(outcome, registration));
      return;
    }
    console.log(renderSummary(outcome));
    console.log(renderTracking(outcome.tracked));
    if (register && registration) console.log(`\n${register.renderRegistration(registration)}`);
  } finally {
    progress.stop();
  }
}

runCli(main);
