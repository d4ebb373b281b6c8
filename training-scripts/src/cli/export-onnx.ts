#!/usr/bin/env node
/** `pnpm run export-onnx <model dir>…`: add model.onnx and the onnx + python_function flavours. */
import { stat } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { DEFAULT_ONNX_OP, ONNX_OPS } from '@wine/model';
import { exportOptionsSchema } from '../export/export-options.schema';
import { exportOnnx } from '../export/run-export';
import { dataDeps } from './data-deps';
import { parseOptions, runCli } from './run-cli';

function program(): Command {
  return new Command('export-onnx')
    .description(
      'Write model.onnx into model directories (for example ones trained before the ONNX export ' +
        'existed) and add the onnx and python_function flavours to their MLmodel, so ' +
        'mlflow.pyfunc.load_model, mlflow models serve, spark_udf and ONNX runtimes can load them. ' +
        'Every other file and MLmodel field is kept. New model directories already carry all of this.',
    )
    .argument('<model-dir...>', 'model directories (MLmodel + model.json)')
    .addOption(
      new Option('--op <operator>', 'ONNX tree operator')
        .choices([...ONNX_OPS])
        .default(DEFAULT_ONNX_OP),
    )
    .option(
      '--verify <data>',
      'data directory or CSV: check that every value in it takes the same branch in float32 ONNX as in our float64 scorer (exit 1 if not)',
    )
    .option('--skip-invalid', 'skip invalid rows of --verify data instead of failing')
    .option('--json', 'print a one-line JSON summary on stdout')
    .addHelpText(
      'after',
      '\nOperators: TreeEnsembleRegressor (ai.onnx.ml 3) loads in every ONNX runtime with the ML' +
        '\ndomain; TreeEnsemble (ai.onnx.ml 5) needs onnxruntime >= 1.21 and is about half the size.\n' +
        '\nExamples:\n  pnpm run export-onnx ./model\n  pnpm run export-onnx ./model --op TreeEnsemble --verify ./data\n',
    );
}

async function main(): Promise<void> {
  const command = program().parse();
  const options = parseOptions(exportOptionsSchema, {
    ...command.opts(),
    dirs: command.args,
  });
  const log = options.json
    ? (): void => undefined
    : (m: string): void => {
        console.error(m);
      };
  const results = await exportOnnx(options, {
    log,
    loadRows: async (source) => {
      const loaded = (await stat(source)).isDirectory()
        ? await dataDeps.loadDir(source, options.skipInvalid)
        : await dataDeps.loadCsv(source, options.skipInvalid);
      return loaded.records;
    },
  });
  if (options.json) {
    console.log(
      JSON.stringify(
        results.map((r) => ({
          dir: r.dir,
          op: r.op,
          onnxBytes: r.onnxBytes,
          files: r.files,
          ...(r.verification
            ? {
                verified: {
                  rows: r.verification.rows,
                  splits: r.verification.splits,
                  mismatches: r.verification.mismatches.length,
                },
              }
            : {}),
        })),
      ),
    );
    return;
  }
  for (const r of results) {
    if (r.verification) {
      console.log(
        `${r.dir}: all ${r.verification.rows} rows of ${r.verification.source} take the same branch at all ${r.verification.splits} splits in float32 as in float64`,
      );
    }
  }
}

runCli(main);
