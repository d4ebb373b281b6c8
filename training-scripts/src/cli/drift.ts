#!/usr/bin/env node
/**
 * `pnpm run drift`: data and prediction drift of a CSV against the training reference (a
 * model directory's sample or profile, or a whole CSV), as a table, `--json` and `--html`.
 */
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, Option } from 'commander';
import { DRIFT_METHODS } from '@wine/drift';
import { loadWineColumns, readModelDir, readModelReference } from '@wine/model';
import { driftOptionsCliSchema } from '../drift/drift-options.schema';
import { renderDriftHtml } from '../drift/html-report';
import { renderDrift } from '../drift/render-text';
import { runDrift, type DriftDeps } from '../drift/run-drift';
import { createProgress } from './progress';
import { parseOptions, runCli } from './run-cli';

/** Exit status of `--fail-on-drift` when the dataset drifts (0 otherwise; errors are 1). */
export const DRIFT_EXIT_CODE = 3;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
const methods = ['auto', ...DRIFT_METHODS];

function program(): Command {
  return new Command('drift')
    .description(
      'Compare a CSV of wines (live traffic, a new batch) with the data a model was trained on: ' +
        'per-column drift (the test or distance Evidently would pick), prediction drift, and a ' +
        'dataset verdict. Prints a table, or JSON with --json; --html writes a one-file report.',
    )
    .requiredOption(
      '--reference <model dir|csv>',
      'model directory (its reference sample) or a reference CSV (used whole)',
    )
    .requiredOption(
      '--current <csv>',
      'the data to check (UCI or snake_case columns; quality and prediction optional)',
    )
    .option(
      '--model <dir>',
      'model that scores rows without a prediction column (default: --reference when it is a model)',
    )
    .option('--json', 'print the result as one JSON object, last line of stdout')
    .option('--html <file>', 'write a one-file HTML report (tables and histograms, no CDN)')
    .option('--min-rows <n>', 'fewer current rows than this: "not enough data", never drift', '200')
    .option('--drift-share <fraction>', 'dataset drift when this share of columns drifts', '0.5')
    .addOption(
      new Option('--num-method <method>', 'method for numerical columns')
        .choices(methods)
        .default('auto'),
    )
    .addOption(
      new Option('--cat-method <method>', 'method for wine_type').choices(methods).default('auto'),
    )
    .option(
      '--threshold <method=value>',
      'threshold of a method, repeatable (e.g. wasserstein=0.15)',
      collect,
    )
    .option(
      '--column <name=method[:threshold]>',
      'per-column method/threshold, repeatable (e.g. alcohol=psi:0.2)',
      collect,
    )
    .option('--psi-bins <n>', 'equal-frequency reference bins for psi', '10')
    .option(
      '--skip-invalid',
      'reject invalid rows (and count them) instead of failing on the first one',
    )
    .option(
      '--fail-on-drift',
      `exit with status ${DRIFT_EXIT_CODE} when the dataset drifts (for CI and schedulers)`,
    )
    .addHelpText(
      'after',
      '\nExamples:\n  pnpm run drift --reference prediction-service/model --current live.csv' +
        '\n  pnpm run drift --reference model/ --current batch.csv --json --html drift.html' +
        '\n  pnpm run drift --reference train.csv --current live.csv --model model/ --column alcohol=psi:0.2' +
        '\n\nDefaults follow Evidently: ≤ 1,000 reference rows → KS (p ≤ 0.05) and chi-square/Z-test,' +
        '\nabove → normed Wasserstein (≥ 0.1) and Jensen–Shannon (≥ 0.1); dataset drift at ≥ 50 % of columns.',
    );
}

async function main(): Promise<void> {
  const options = parseOptions(driftOptionsCliSchema, program().parse().opts());
  const progress = createProgress('read', { enabled: !options.json });
  const log = (m: string): void => {
    if (!options.json) console.error(m);
  };
  const deps: DriftDeps = {
    isDirectory: async (p) => (await stat(p).catch(() => undefined))?.isDirectory() ?? false,
    readModelDir,
    readModelReference,
    loadColumns: (file, skipInvalid, label) =>
      loadWineColumns(file, {
        onInvalidRow: skipInvalid ? 'reject' : 'fail',
        onProgress: (done, total) => {
          progress.update(
            Math.round(done / 1e6),
            Math.max(1, Math.round(total / 1e6)),
            `${label} MB`,
          );
        },
      }),
    log,
  };
  try {
    const outcome = await runDrift(options, deps);
    progress.stop();
    if (options.html !== undefined) {
      const html = renderDriftHtml(outcome, { generatedAt: new Date().toISOString() });
      await writeFile(options.html, html);
      log(`HTML report written to ${path.resolve(options.html)}`);
    }
    console.log(options.json ? JSON.stringify(outcome.report) : renderDrift(outcome));
    if (options.failOnDrift && outcome.report.dataset_drift) process.exitCode = DRIFT_EXIT_CODE;
  } finally {
    progress.stop();
  }
}

runCli(main);
