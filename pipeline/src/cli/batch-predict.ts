#!/usr/bin/env node
/**
 * `pnpm run batch-predict -- --input <csv|dir|az://…> --output <csv|az://…>`: streaming batch
 * scoring in this process, or with --partitions n as jobs on the pipeline's BullMQ queue that
 * `pnpm run pipeline -- worker` processes on any number of machines.
 */
import { Command } from 'commander';
import { Queue } from 'bullmq';
import { formatLocation, looksLikeFolder, parseLocation, type Location } from '@wine/azure';
import { BatchError, partJobs, planBatch, runBatch } from '@wine/batch';
import { createProgress, parseOptions, runCli } from '@wine/training-scripts';
import { z } from 'zod';
import { batchFlow, BATCH_QUEUE, manifestJobId, newBatchId, partJobId } from '../batch/batch-jobs';
import { loadBatchModel } from '../batch/batch-model';
import { loadConfig, SECRET_ENV } from '../config';
import { connection } from '../engine/queues';
import { createRuntime, type Runtime } from '../runtime';

const optionsSchema = z.object({
  input: z.string().min(1),
  output: z.string().min(1),
  model: z.string().min(1).optional(),
  rejected: z.string().min(1).optional(),
  modelVersion: z.boolean().default(true),
  partitions: z.coerce.number().int().min(1).max(10_000).optional(),
  wait: z.boolean().default(true),
  json: z.boolean().default(false),
});
type Options = z.infer<typeof optionsSchema>;

function program(): Command {
  return new Command('batch-predict')
    .description(
      'Score a CSV file, a folder of CSVs or an az:// blob/prefix with a model and write the input columns + prediction ' +
        '(+ model_version) in input order. Streams: memory stays flat however large the input. Invalid rows go to a ' +
        'rejected-rows file with line and reason. Outputs appear atomically, only when complete.',
    )
    .requiredOption(
      '--input <location>',
      'CSV file, folder of *.csv, az://<container>/<blob> or az://<container>/<prefix>/',
    )
    .requiredOption(
      '--output <location>',
      'output CSV (local or az://); with --partitions a folder/prefix for part-NNNNN.csv + manifest.json',
    )
    .option(
      '--model <uri>',
      'models:/wine-quality@champion, models:/wine-quality/3, runs:/<id>/model, file:<dir> (default: $MODEL_URI, else the bundled model)',
    )
    .option(
      '--rejected <location>',
      'rejected-rows CSV (default: <output>.rejected.csv; with --partitions <output>/rejected.csv)',
    )
    .option('--no-model-version', 'leave out the model_version column')
    .option(
      '--partitions <n>',
      'split the input into n jobs on the pipeline queue (byte ranges / files); workers: `pnpm run pipeline -- worker`',
    )
    .option(
      '--no-wait',
      'with --partitions: enqueue and print the batch id instead of waiting for the manifest',
    )
    .option('--json', 'print one JSON object last: {"rows","rejected","seconds","output"}')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  pnpm run batch-predict -- --input data/winequality-red.csv --output scored.csv\n' +
        '  pnpm run batch-predict -- --input az://datasets/wine/ --output az://scored/wine.csv --model models:/wine-quality@champion\n' +
        '  pnpm run batch-predict -- --input az://datasets/big.csv --output az://scored/big/ --partitions 8 --json\n' +
        '\nEnvironment: AZURE_STORAGE_ACCOUNT_URL or AZURE_STORAGE_CONNECTION_STRING (az://), MLFLOW_TRACKING_URI (models:/, runs:/),' +
        '\nREDIS_URL and PIPELINE_QUEUE_PREFIX (--partitions), MODEL_URI (default model). See .env.sample.',
    );
}

interface Outcome {
  readonly rows: number;
  readonly rejected: number;
  readonly seconds: number;
  readonly output: string;
  readonly rejectedOutput: string;
}

async function scoreHere(
  runtime: Runtime,
  options: Options,
  model: Awaited<ReturnType<typeof loadBatchModel>>,
): Promise<Outcome> {
  const bar = createProgress('score', { enabled: !options.json });
  try {
    const summary = await runBatch(
      {
        input: parseLocation(options.input),
        output: parseLocation(options.output),
        ...(options.rejected === undefined ? {} : { rejected: parseLocation(options.rejected) }),
        modelVersionColumn: options.modelVersion,
        onProgress: (done, total) => {
          bar.update(Math.floor(done / 1e6), Math.max(1, Math.ceil(total / 1e6)), 'MB');
        },
      },
      { storage: runtime.batchDeps().storage, model: model.model },
    );
    const mb = Math.max(1, Math.ceil(summary.bytesIn / 1e6));
    bar.update(mb, mb, 'MB');
    return summary;
  } finally {
    bar.stop();
  }
}

async function scoreOnWorkers(
  runtime: Runtime,
  options: Options & { partitions: number },
  model: Awaited<ReturnType<typeof loadBatchModel>>,
  log: (line: string) => void,
): Promise<Outcome | string> {
  const started = performance.now();
  const output: Location = parseLocation(options.output);
  if (/\.csv$/i.test(options.output) && !looksLikeFolder(output)) {
    throw new BatchError(
      'BATCH_OPTIONS_INVALID',
      '--output: with --partitions it is a folder or prefix (part-NNNNN.csv + manifest.json), e.g. az://scored/run-1/',
    );
  }
  if (options.rejected !== undefined) {
    throw new BatchError(
      'BATCH_OPTIONS_INVALID',
      '--rejected: with --partitions the rejected rows go to <output>/rejected.csv',
    );
  }
  const storage = runtime.batchDeps().storage;
  const plan = await planBatch(storage, parseLocation(options.input), {
    partitions: options.partitions,
    modelVersionColumn: options.modelVersion,
  });
  const batchId = newBatchId();
  const settings = runtime.engineSettings();
  const flow = batchFlow(
    {
      batchId,
      model: { uri: model.pinnedUri, version: model.info.version, sha256: model.sha256 },
      output: formatLocation(output),
      input: plan.files.map((f) => formatLocation(f.location)),
      header: plan.header,
      parts: plan.parts.length,
    },
    partJobs(plan.parts, { header: plan.header, output, modelVersionColumn: options.modelVersion }),
    settings,
  );
  await runtime.queues().flow.add(flow);
  if (!options.wait) return batchId;
  log(
    `batch ${batchId}: ${plan.parts.length} parts queued; waiting for workers (\`pnpm run pipeline -- worker\`)…`,
  );
  const queue = new Queue(BATCH_QUEUE, {
    connection: connection(settings.redisUrl),
    prefix: settings.prefix,
  });
  const bar = createProgress('parts', { enabled: !options.json });
  try {
    for (;;) {
      const manifest = await queue.getJob(manifestJobId(batchId));
      const state = manifest === undefined ? 'unknown' : await manifest.getState();
      if (state === 'completed' && manifest !== undefined) {
        const value = manifest.returnvalue as { rows: number; rejected: number };
        return {
          rows: value.rows,
          rejected: value.rejected,
          seconds: (performance.now() - started) / 1000,
          output: formatLocation(output),
          rejectedOutput: `${formatLocation(output).replace(/\/?$/, '/')}rejected.csv`,
        };
      }
      if (state === 'failed') {
        throw new BatchError(
          'BATCH_PART_INVALID',
          `batch ${batchId} failed: ${manifest?.failedReason ?? 'see the worker logs / bull-board'}`,
        );
      }
      let done = 0;
      for (let i = 0; i < plan.parts.length; i++) {
        const part = await queue.getJob(partJobId(batchId, i));
        if (part !== undefined && (await part.getState()) === 'completed') done++;
      }
      bar.update(done, plan.parts.length, state);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    bar.stop();
    await queue.close();
  }
}

async function main(): Promise<void> {
  const options = parseOptions(optionsSchema, program().parse().opts());
  const log = options.json
    ? () => undefined
    : (line: string) => {
        console.error(line);
      };
  const runtime = createRuntime(loadConfig(process.env), { name: 'batch' });
  try {
    const uri = options.model ?? process.env['MODEL_URI'];
    const model = await loadBatchModel(uri, {
      mlflow: () => {
        if (runtime.config.mlflow === undefined) {
          throw new BatchError(
            'BATCH_OPTIONS_INVALID',
            `--model ${uri ?? ''}: a registry model needs MLFLOW_TRACKING_URI (e.g. http://127.0.0.1:5000)`,
          );
        }
        return runtime.mlflow();
      },
    });
    log(`model ${model.info.version} (${model.pinnedUri})`);
    const outcome =
      options.partitions === undefined
        ? await scoreHere(runtime, options, model)
        : await scoreOnWorkers(runtime, { ...options, partitions: options.partitions }, model, log);
    if (typeof outcome === 'string') {
      console.log(options.json ? JSON.stringify({ batchId: outcome, status: 'queued' }) : outcome);
      return;
    }
    if (options.json) {
      const { rows, rejected, seconds, output } = outcome;
      console.log(JSON.stringify({ rows, rejected, seconds: Number(seconds.toFixed(3)), output }));
      return;
    }
    console.log(
      `scored ${outcome.rows} rows in ${outcome.seconds.toFixed(2)} s → ${outcome.output}` +
        (outcome.rejected > 0
          ? `; ${outcome.rejected} rejected → ${outcome.rejectedOutput}`
          : '; none rejected'),
    );
  } finally {
    await runtime.close();
  }
}

runCli(main, { secrets: SECRET_ENV });
