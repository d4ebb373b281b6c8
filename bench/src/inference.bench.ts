/**
 * `pnpm run bench inference`: rows per second of a depth-8 tree scoring one large batch on one
 * thread (TreeEnsemble.predict on a typed-array matrix), next to scikit-learn's `predict` on
 * the same rows in the same run. Also the 100-tree forest's throughput, for reference.
 * Target (issue 2): ≥ 20 million rows/s for the tree.
 */
import { fitForest, fitTree } from '@wine/model';
import type { Matrix, TreeEnsemble } from '@wine/model';
import { loadSplit, machine, median, round, runPeer } from './learner/common';
import type { Benchmark } from './registry';

const BATCH = Number(process.env['BENCH_BATCH'] ?? 1_000_000);
const REPEATS = Number(process.env['BENCH_REPEATS'] ?? 10);

/** Rows of `a` then `b`, tiled to `rows` rows (the Python peer builds the same batch). */
export function tiledBatch(a: Matrix, b: Matrix, rows: number): Matrix {
  const cols = a.cols;
  const source = new Float64Array(a.data.length + b.data.length);
  source.set(a.data);
  source.set(b.data, a.data.length);
  const n = a.rows + b.rows;
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const s = (r % n) * cols;
    data.set(source.subarray(s, s + cols), r * cols);
  }
  return { data, rows, cols };
}

/**
 * Rows per wall-clock second and per CPU second of this (single-threaded) process: on a
 * shared machine the CPU-time rate is the steadier of the two.
 */
function throughput(
  model: TreeEnsemble,
  batch: Matrix,
  repeats: number,
): { wall: number[]; cpu: number[] } {
  model.predict({ ...batch, rows: Math.min(batch.rows, 10_000) });
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    model.predict(batch);
    const elapsed = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpuStart);
    wall.push(batch.rows / elapsed);
    cpu.push(batch.rows / ((used.user + used.system) / 1e6));
  }
  return { wall, cpu };
}

function rates(seconds: unknown, rows: number): number[] {
  return Array.isArray(seconds)
    ? seconds.filter((s): s is number => typeof s === 'number' && s > 0).map((s) => rows / s)
    : [];
}

function field(obj: unknown, key: string): unknown {
  return typeof obj === 'object' && obj !== null
    ? (obj as Record<string, unknown>)[key]
    : undefined;
}

export const inferenceBenchmark: Benchmark = {
  name: 'inference',
  description: 'depth-8 tree batch scoring rows/s (one thread) vs scikit-learn predict',
  async run() {
    const split = await loadSplit();
    try {
      const { train, test } = split;
      const tree = fitTree(train.x, train.y, { maxDepth: 8, seed: 0 });
      const batch = tiledBatch(train.x, test.x, BATCH);
      const treeRates = throughput(tree, batch, REPEATS);
      const forest = fitForest(train.x, train.y, { seed: 0 });
      const forestBatch = { ...batch, rows: Math.min(BATCH, 100_000) };
      const forestRates = throughput(forest, forestBatch, 3);
      const peer = await runPeer('sklearn_predict.py', [
        split.trainCsv,
        split.testCsv,
        String(BATCH),
        String(REPEATS),
      ]);
      const peerWall = rates(field(peer, 'seconds'), BATCH);
      const peerCpu = rates(field(peer, 'cpuSeconds'), BATCH);
      const ourWall = median(treeRates.wall);
      const ourCpu = median(treeRates.cpu);
      return {
        batchRows: BATCH,
        ours: {
          tree: {
            maxDepth: 8,
            nodes: tree.trees[0]?.feature.length ?? 0,
            rowsPerSecond: treeRates.wall.map((r) => Math.round(r)),
            medianRowsPerSecond: Math.round(ourWall),
            bestRowsPerSecond: Math.round(Math.max(...treeRates.wall)),
            medianRowsPerCpuSecond: Math.round(ourCpu),
          },
          forest100: {
            batchRows: forestBatch.rows,
            medianRowsPerSecond: Math.round(median(forestRates.wall)),
          },
        },
        sklearn:
          peerWall.length > 0
            ? {
                ...peer,
                medianRowsPerSecond: Math.round(median(peerWall)),
                bestRowsPerSecond: Math.round(Math.max(...peerWall)),
                medianRowsPerCpuSecond: Math.round(median(peerCpu)),
              }
            : peer,
        ratios: {
          treeRowsPerSecondVsSklearn:
            peerWall.length > 0 ? round(ourWall / median(peerWall), 3) : null,
          treeRowsPerCpuSecondVsSklearn:
            peerCpu.length > 0 ? round(ourCpu / median(peerCpu), 3) : null,
        },
        targets: { treeMedianRowsPerSecond: '≥ 20000000' },
        machine: machine(),
      };
    } finally {
      await split.cleanup();
    }
  },
};
