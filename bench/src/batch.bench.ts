/**
 * `pnpm run bench batch`: `pnpm run batch-predict` as users run it — a new Node process
 * scoring a 1,000,000-row CSV (contract names, wine_type column) with a depth-8 tree and
 * writing input columns + prediction — from local disk and through Azurite (az:// in and
 * out), next to pandas + scikit-learn (read_csv, predict, to_csv) with the same tree settings
 * fitted on the same rows, one thread each, in the same run. Targets (issue 10): < 5 s and
 * peak RSS < 300 MB for the local file; faster than the peer. BENCH_BATCH_ROWS shrinks the file
 * for smoke runs; the peer needs pandas + scikit-learn (BENCH_PYTHON picks the interpreter).
 */
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { copyLocation, createStorage, parseLocation } from '@wine/azure';
import { startAzurite } from '@wine/azure/testing';
import { FEATURE_NAMES, LEARNER, fitTree, writeModelDir, type Matrix } from '@wine/model';
import { ROOT, loadSplit, machine, median, round, runPeer } from './learner/common';
import { goal, timeRow, valueRow } from './headline';
import type { Benchmark } from './registry';

const ROWS = Number(process.env['BENCH_BATCH_ROWS'] ?? 1_000_000);
const REPEATS = Number(process.env['BENCH_REPEATS'] ?? 3);
const CLI = path.join(ROOT, 'pipeline', 'dist', 'cli', 'batch-predict.js');
/** Preloaded into the measured CLI (node --require): its peak RSS on stderr at exit. */
const MAX_RSS_PRELOAD = `process.on('exit', () => {
  require('node:fs').writeSync(2, '\\nMAX_RSS_KB=' + process.resourceUsage().maxRSS + '\\n');
});
`;
const run = promisify(execFile);

/** Rows of train then test, tiled to `rows`, as a contract-name CSV (what users score). */
async function writeInput(file: string, a: Matrix, b: Matrix, rows: number): Promise<void> {
  const out = createWriteStream(file);
  out.write(`${[...FEATURE_NAMES, 'wine_type'].join(',')}\n`);
  const n = a.rows + b.rows;
  let chunk = '';
  for (let r = 0; r < rows; r++) {
    const i = r % n;
    const m = i < a.rows ? a : b;
    const row = i < a.rows ? i : i - a.rows;
    const cells: string[] = [];
    for (let c = 0; c < FEATURE_NAMES.length; c++) cells.push(String(m.data[row * m.cols + c]));
    cells.push(m.data[row * m.cols + FEATURE_NAMES.length] === 1 ? 'white' : 'red');
    chunk += `${cells.join(',')}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

interface CliRun {
  readonly seconds: number;
  readonly wallSeconds: number;
  readonly maxRssMegabytes: number;
  readonly rows: number;
}

async function score(
  preload: string,
  input: string,
  output: string,
  model: string,
  env: NodeJS.ProcessEnv,
): Promise<CliRun> {
  const t0 = performance.now();
  const { stdout, stderr } = await run(
    process.execPath,
    [
      '--require',
      preload,
      CLI,
      '--input',
      input,
      '--output',
      output,
      '--model',
      `file:${model}`,
      '--json',
    ],
    { env: { ...process.env, ...env }, maxBuffer: 1 << 24 },
  );
  const wallSeconds = (performance.now() - t0) / 1000;
  const summary = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
    seconds: number;
    rows: number;
  };
  const rss = Number(/MAX_RSS_KB=(\d+)/.exec(stderr)?.[1] ?? NaN);
  return {
    seconds: summary.seconds,
    wallSeconds,
    maxRssMegabytes: round(rss / 1024, 1),
    rows: summary.rows,
  };
}

function summarise(runs: readonly CliRun[]) {
  return {
    seconds: runs.map((r) => round(r.seconds, 3)),
    medianSeconds: round(median(runs.map((r) => r.seconds)), 3),
    medianWallSeconds: round(median(runs.map((r) => r.wallSeconds)), 3),
    maxRssMegabytes: Math.max(...runs.map((r) => r.maxRssMegabytes)),
    rowsPerSecond: Math.round((runs[0]?.rows ?? 0) / median(runs.map((r) => r.seconds))),
  };
}

export const batchBenchmark: Benchmark = {
  name: 'batch',
  python: true,
  description: `pnpm run batch-predict on a ${ROWS}-row CSV (local and Azurite) vs pandas + scikit-learn`,
  async run() {
    const split = await loadSplit();
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'wine-bench-batch-'));
    const azurite = await startAzurite({ containers: ['bench'] });
    try {
      const tree = fitTree(split.train.x, split.train.y, { maxDepth: 8, seed: 0 });
      const modelDir = path.join(tmp, 'model');
      await writeModelDir(
        modelDir,
        tree.toDocument({
          training: {
            kind: 'tree',
            params: { maxDepth: 8 },
            learner: { ...LEARNER },
            nTrain: split.train.x.rows,
          },
        }),
        { inputExample: [] },
      );
      const preload = path.join(tmp, 'max-rss.cjs');
      await writeFile(preload, MAX_RSS_PRELOAD);
      const input = path.join(tmp, 'input.csv');
      await writeInput(input, split.train.x, split.test.x, ROWS);
      const bytes = (await stat(input)).size;

      const local: CliRun[] = [];
      for (let i = 0; i < REPEATS; i++)
        local.push(await score(preload, input, path.join(tmp, 'scored.csv'), modelDir, {}));

      const storage = createStorage({ env: azurite.env });
      await copyLocation(storage, parseLocation(input), parseLocation('az://bench/input.csv'));
      const viaAzurite: CliRun[] = [];
      for (let i = 0; i < REPEATS; i++) {
        viaAzurite.push(
          await score(
            preload,
            'az://bench/input.csv',
            'az://bench/scored.csv',
            modelDir,
            azurite.env,
          ),
        );
      }

      const peer = await runPeer('pandas_batch.py', [
        split.trainCsv,
        input,
        path.join(tmp, 'pandas.csv'),
        String(REPEATS),
      ]);
      const ours = summarise(local);
      const peerRuns: unknown = 'seconds' in peer ? peer['seconds'] : undefined;
      const peerSeconds = Array.isArray(peerRuns) ? median(peerRuns.map(Number)) : NaN;
      const n = ROWS.toLocaleString('en-US');
      const via = summarise(viaAzurite);
      const pandas = 'pandas' in peer && typeof peer['pandas'] === 'string' ? peer['pandas'] : '?';
      const sklearn =
        'sklearn' in peer && typeof peer['sklearn'] === 'string' ? peer['sklearn'] : '?';
      // The absolute goals are for 1,000,000 rows; a smoke run is not judged against them.
      const fullSize = ROWS === 1_000_000;
      const headline = [
        timeRow({
          id: 'batch.vs-pandas',
          label: `score a ${n}-row CSV with a depth-8 tree and write it (read + score + write, median)`,
          ours: ours.medianSeconds,
          unit: 's',
          peer: Number.isFinite(peerSeconds)
            ? { name: `pandas ${pandas} + scikit-learn ${sklearn}`, value: round(peerSeconds, 3) }
            : undefined,
          goal: goal('<', 1, 'faster than the peer (issue 10)'),
          threads: '1 thread each',
        }),
        valueRow({
          id: 'batch.local-time',
          label: `the same, local CSV: time`,
          ours: ours.medianSeconds,
          unit: 's',
          goal: fullSize ? goal('<', 5, '< 5 s for 1,000,000 rows (issue 10)') : undefined,
          threads: '1 process',
        }),
        valueRow({
          id: 'batch.local-rss',
          label: `the same, local CSV: peak RSS`,
          ours: ours.maxRssMegabytes,
          unit: 'MB',
          goal: fullSize ? goal('<', 300, '< 300 MB for 1,000,000 rows (issue 10)') : undefined,
          threads: '1 process',
        }),
        valueRow({
          id: 'batch.azurite-time',
          label: `the same through Azurite (az:// in and out): time`,
          ours: via.medianSeconds,
          unit: 's',
          threads: '1 process',
        }),
      ];
      return {
        headline,
        rows: ROWS,
        fileMegabytes: round(bytes / 1e6, 1),
        model: { kind: 'tree', maxDepth: 8, trainRows: split.train.x.rows },
        ours,
        azurite: via,
        peer,
        peerOverOurs: Number.isFinite(peerSeconds)
          ? round(peerSeconds / ours.medianSeconds, 2)
          : null,
        targets: {
          medianSeconds: '< 5 (1,000,000 rows, local CSV)',
          maxRssMegabytes: '< 300',
          peer: 'slower than ours',
        },
        machine: machine(),
      };
    } finally {
      await azurite.stop();
      await split.cleanup();
      await rm(tmp, { recursive: true, force: true });
    }
  },
};
