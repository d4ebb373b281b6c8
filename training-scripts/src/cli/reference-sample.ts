#!/usr/bin/env node
/**
 * `pnpm run reference-sample`: gives a model directory trained before reference samples
 * existed its exact drift reference, from the rows it was trained on (verified against the
 * profile in model.json).
 */
import { Command } from 'commander';
import { addReferenceSample, encodeRecords, targetsOf } from '@wine/model';
import { referenceSampleOptionsSchema } from '../drift/reference-sample-options.schema';
import { loadSplit } from '../train/run-training';
import { dataDeps, defaultDataDir } from './data-deps';
import { parseOptions, runCli } from './run-cli';

function program(): Command {
  return new Command('reference-sample')
    .description(
      'Add the drift reference sample (reference_sample.csv.gz: training rows with their ' +
        'predictions) to a model directory written before samples existed. The rows must be the ' +
        "model's training rows: their profile has to equal the one in model.json.",
    )
    .requiredOption('--model <dir>', 'model directory to upgrade (rewritten in place)')
    .option('--data <dir>', 'data directory: the training rows are its seeded split (as in train)')
    .option('--train <csv>', 'CSV of exactly the rows the model was fitted on, instead of --data')
    .option('--test-size <fraction>', 'holdout share of the split for --data (as in train)', '0.2')
    .option('--seed <n>', 'split seed for --data (as in train); also seeds the sample', '42')
    .option('--skip-invalid', 'reject invalid rows (as train did with --skip-invalid)')
    .addHelpText(
      'after',
      '\nExamples:\n  pnpm run reference-sample --model prediction-service/model --data ./data' +
        '\n  pnpm run reference-sample --model ./model --train fitted-rows.csv' +
        '\n\nWINE_DATA_DIR is the default for --data.',
    );
}

async function main(): Promise<void> {
  const options = parseOptions(referenceSampleOptionsSchema, program().parse().opts());
  // A model's fitting rows: everything but the holdout (train refits on train + validation).
  const rows =
    options.train === undefined
      ? (await loadSplit({ ...options, data: options.data }, dataDeps, defaultDataDir(process.env)))
          .train
      : (await dataDeps.loadCsv(options.train, options.skipInvalid)).records;
  const added = await addReferenceSample(
    options.model,
    { x: encodeRecords(rows), y: targetsOf(rows) },
    { seed: options.seed },
  );
  console.log(
    `${added.dir}: reference_sample.csv.gz holds ${added.rows} of ${added.sourceRows} training rows` +
      (added.profileVerified ? ' (they reproduce the stored profile exactly)' : ''),
  );
}

runCli(main);
