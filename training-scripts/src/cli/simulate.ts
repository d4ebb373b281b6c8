#!/usr/bin/env node
/**
 * `pnpm run simulate`: replays wines to the prediction service at a rate with Poisson gaps,
 * optionally drifted, and sends the true quality of some of them back as delayed feedback.
 */
import { Command, Option } from 'commander';
import { describeInjection, type DriftInjection } from '../simulate/drift-injection';
import { createRowSource } from '../simulate/row-source';
import { renderSimulation, runSimulation } from '../simulate/run-simulation';
import { simulateOptionsSchema } from '../simulate/simulate-options.schema';
import { streamTarget } from '../simulate/stream-target';
import { csvTarget, httpTarget } from '../simulate/targets';
import { dataDeps, defaultDataDir } from './data-deps';
import { createProgress } from './progress';
import { parseOptions, runCli } from './run-cli';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function program(): Command {
  return new Command('simulate')
    .description(
      'Replay wines to the prediction service (POST /predict) — or onto the stream scorer’s input stream — at a mean rate with Poisson gaps, ' +
        'inject drift if asked, and send the true quality of a share of them as delayed feedback ' +
        '(POST /feedback) — traffic that makes the monitoring visible. Prints a summary.',
    )
    .option(
      '--url <url>',
      'prediction service (with --to stream: where feedback goes, if a feedback token is set)',
      'http://127.0.0.1:9696',
    )
    .addOption(
      new Option(
        '--to <target>',
        'where the traffic goes: the service (http), a CSV file, or the stream scorer’s input stream',
      )
        .choices(['http', 'csv', 'stream'])
        .default('http'),
    )
    .option('--out <file>', 'CSV to write with --to csv (read it with `drift --current`)')
    .option(
      '--redis-url <url>',
      'Redis for --to stream (default: $REDIS_URL, else redis://127.0.0.1:6379)',
    )
    .option(
      '--stream <name>',
      'input stream for --to stream (default: $STREAM_INPUT, else wine:measurements)',
    )
    .option(
      '--data <dir>',
      'replay the UCI files of this directory (default: $WINE_DATA_DIR, else ./data)',
    )
    .option('--csv <file>', 'replay this wine CSV instead (needs a quality column for feedback)')
    .option('--rate <n>', 'mean requests per second', '20')
    .option('--requests <n>', 'stop after this many requests (default 1000 when no --duration)')
    .option('--duration <s>', 'stop after this many seconds')
    .option('--concurrency <n>', 'requests in flight at most', '32')
    .option('--shift <feature=delta>', 'add to a feature, repeatable (e.g. alcohol=+1.5)', collect)
    .option(
      '--scale <feature=factor>',
      'multiply a feature, repeatable (e.g. sulphates=1.3)',
      collect,
    )
    .option('--white-share <fraction>', 'share of white wines in the stream (e.g. 0.8)')
    .option(
      '--feedback-fraction <f>',
      'share of answered requests that get their true quality back',
      '0.3',
    )
    .option('--feedback-delay <s>', 'seconds between an answer and its feedback', '5')
    .option(
      '--feedback-token <token>',
      'bearer token for POST /feedback (default: $FEEDBACK_TOKEN)',
    )
    .addOption(
      new Option('--order <order>', 'replay order')
        .choices(['shuffle', 'sequential'])
        .default('shuffle'),
    )
    .option('--seed <n>', 'seed for order, gaps, colours and feedback choice', '42')
    .option('--timeout <s>', 'per-request timeout', '10')
    .option('--json', 'print the summary as one JSON object, last line of stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  pnpm run simulate --rate 50 --duration 60' +
        '\n  pnpm run simulate --shift alcohol=+1.5 --scale sulphates=1.3 --white-share 0.8 --requests 2000' +
        '\n  FEEDBACK_TOKEN=… pnpm run simulate --feedback-fraction 0.5 --feedback-delay 10' +
        '\n  pnpm run simulate --to csv --out drifted.csv --shift alcohol=+1.5 --requests 1000' +
        '\n  pnpm run simulate --to stream --rate 1000 --duration 60   # for `pnpm run stream-score`' +
        '\n\nCtrl-C stops sending, lets requests in flight finish and prints the summary.',
    );
}

async function main(): Promise<void> {
  const raw = program().parse().opts<Record<string, unknown>>();
  const options = parseOptions(simulateOptionsSchema, {
    ...raw,
    feedbackToken: raw.feedbackToken ?? (process.env['FEEDBACK_TOKEN'] || undefined),
    redisUrl: raw.redisUrl ?? (process.env['REDIS_URL'] || undefined),
    stream: raw.stream ?? (process.env['STREAM_INPUT'] || undefined),
  });
  const drift: DriftInjection = {
    shift: Object.fromEntries(options.shift),
    scale: Object.fromEntries(options.scale),
    ...(options.whiteShare === undefined ? {} : { whiteShare: options.whiteShare }),
  };
  const loaded =
    options.csv === undefined
      ? await dataDeps.loadDir(options.data ?? defaultDataDir(process.env), false)
      : await dataDeps.loadCsv(options.csv, false);
  const service = httpTarget({
    url: options.url,
    timeoutMs: options.timeout * 1000,
    ...(options.feedbackToken === undefined ? {} : { feedbackToken: options.feedbackToken }),
  });
  // Streamed predictions are labelled through the service that shares their log.
  const feedback =
    options.feedbackToken === undefined ? undefined : service.feedback?.bind(service);
  const target =
    options.to === 'csv'
      ? csvTarget(options.out as string)
      : options.to === 'stream'
        ? streamTarget({
            redisUrl: options.redisUrl,
            stream: options.stream,
            ...(feedback === undefined ? {} : { feedback }),
          })
        : service;
  const total =
    options.requests ??
    (options.duration === undefined ? 1000 : Math.ceil(options.rate * options.duration));
  const progress = createProgress('simulate', { enabled: !options.json });
  const stop = new AbortController();
  process.once('SIGINT', () => {
    stop.abort();
  });
  try {
    const summary = await runSimulation(
      {
        rate: options.rate,
        ...(options.requests === undefined && options.duration === undefined
          ? { requests: 1000 }
          : {}),
        ...(options.requests === undefined ? {} : { requests: options.requests }),
        ...(options.duration === undefined ? {} : { durationS: options.duration }),
        concurrency: options.concurrency,
        feedbackFraction: options.feedbackFraction,
        feedbackDelayMs: options.feedbackDelay * 1000,
        seed: options.seed,
      },
      {
        target,
        rows: createRowSource(loaded.records, { seed: options.seed, order: options.order, drift }),
        signal: stop.signal,
        onProgress: (p) => {
          progress.update(
            Math.min(p.sent, total),
            total,
            `ok ${p.ok} failed ${p.failed} feedback ${p.feedbackOk} · ${(p.sent / Math.max(p.elapsedS, 1e-3)).toFixed(1)} req/s`,
          );
        },
      },
    );
    progress.stop();
    console.log(
      options.json
        ? JSON.stringify({ ...summary, drift: describeInjection(drift) })
        : renderSimulation(summary, describeInjection(drift)),
    );
    if (summary.requests.ok === 0 && summary.requests.sent > 0) process.exitCode = 1;
  } finally {
    progress.stop();
  }
}

runCli(main);
