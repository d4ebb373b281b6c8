#!/usr/bin/env node
/**
 * `pnpm run register`: register a training run's model and move `champion` to it only if it
 * beats the current champion on the same holdout rows; otherwise it becomes `challenger`.
 */
import { Command } from 'commander';
import { ModelError } from '@wine/model';
import { DEFAULT_MIN_IMPROVEMENT } from '../register/decide-promotion';
import { registerRun, renderRegistration } from '../register/register-model';
import { registerOptionsSchema } from '../register/register-options.schema';
import { loadSplit } from '../train/run-training';
import { registrationJson } from '../train/summary';
import { dataDeps, defaultDataDir, holdoutOf } from './data-deps';
import { connectMlflow } from './mlflow-connection';
import { parseOptions, runCli } from './run-cli';

function program(): Command {
  return new Command('register')
    .description(
      'Create a version of the registered model from a training run, evaluate it and the current ' +
        'champion on the same holdout rows, and set alias champion (if it wins by more than ' +
        '--min-improvement) or challenger. Registering the same run again creates no new version.',
    )
    .option(
      '--run-id <id>',
      'training (parent) run to register (default: the experiment’s finished run with the lowest best_validation_rmse)',
    )
    .option('--experiment <name>', 'MLflow experiment to pick the best run from', 'wine-quality')
    .option('--registered-model <name>', 'registered model name', 'wine-quality')
    .option(
      '--min-improvement <rmse>',
      'absolute holdout RMSE the new version must beat the champion by',
      String(DEFAULT_MIN_IMPROVEMENT),
    )
    .option('--tracking-uri <url>', 'MLflow tracking server (default: $MLFLOW_TRACKING_URI)')
    .option('--data <dir>', 'data directory: its seeded holdout split is the holdout (as in train)')
    .option('--test <csv>', 'holdout CSV instead of --data (the --test given to train)')
    .option('--test-size <fraction>', 'holdout share for --data (as in train)', '0.2')
    .option('--seed <n>', 'split seed for --data (as in train)', '42')
    .option('--skip-invalid', 'reject invalid holdout rows instead of failing')
    .option('--json', 'print a one-line JSON summary on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  pnpm run register --data ./data\n  pnpm run register --run-id 0123…cdef --test test.csv --min-improvement 0.01\n' +
        '\nThe holdout never chose the candidate (train ranks candidates on validation rows or --cv folds),' +
        '\nso new and champion are compared on rows neither was selected on.\n' +
        '\nEnvironment: MLFLOW_TRACKING_URI, MLFLOW_TRACKING_USERNAME/_PASSWORD or MLFLOW_TRACKING_TOKEN;' +
        '\nWINE_DATA_DIR is the default for --data.',
    );
}

async function main(): Promise<void> {
  const options = parseOptions(registerOptionsSchema, program().parse().opts());
  const connection = connectMlflow(options.trackingUri, process.env);
  if (connection === undefined) {
    throw new ModelError(
      'PARAMS_INVALID',
      'register needs a tracking server: set MLFLOW_TRACKING_URI or --tracking-uri',
    );
  }
  // Fail fast on a wrong URI before reading data.
  await connection.preflight.getExperimentByName(options.experiment);
  const holdoutRows =
    options.test === undefined
      ? (await loadSplit(options, dataDeps, defaultDataDir(process.env))).test
      : (await dataDeps.loadCsv(options.test, options.skipInvalid)).records;
  const outcome = await registerRun(
    {
      ...(options.runId === undefined ? {} : { runId: options.runId }),
      experimentName: options.experiment,
      modelName: options.registeredModel,
      minImprovement: options.minImprovement,
    },
    holdoutOf(holdoutRows),
    connection.client,
  );
  console.log(
    options.json ? JSON.stringify(registrationJson(outcome)) : renderRegistration(outcome),
  );
}

runCli(main);
