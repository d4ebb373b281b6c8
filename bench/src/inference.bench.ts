/**
 * `pnpm run bench inference`: rows per second of a depth-8 tree scoring one large batch, and
 * of the 100-tree forest scoring 100k rows, one thread each (TreeEnsemble.predict on a
 * typed-array matrix), next to scikit-learn's `predict` on the same rows in the same run.
 * scikit-learn compares in float32, so it gets a C-contiguous float32 array (what a user who
 * cares passes; float64 costs it a converted copy per call, also reported); it runs with
 * n_jobs=1 and threadpoolctl limiting native pools to one thread.
 * Goals: forest ≥ 2× scikit-learn's float32 predict, one thread (issue 14); tree ≥ 20
 * million rows/s (issue 2).
 */
import { fitForest, fitTree } from '@wine/model';
import type { Matrix, TreeEnsemble } from '@wine/model';
import { loadSplit, machine, median, pick, pickText, runPeer } from './learner/common';
import { goal, rateRow } from './headline';
import type { Benchmark, HeadlineRow } from './registry';

const BATCH = Number(process.env['BENCH_BATCH'] ?? 1_000_000);
const FOREST_BATCH = Math.min(BATCH, Number(process.env['BENCH_FOREST_BATCH'] ?? 100_000));
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
    ? seconds.filter((v): v is number => typeof v === 'number' && v > 0).map((v) => rows / v)
    : [];
}

/** The peer's rows/s for one model and dtype (wall and CPU), empty when it did not run. */
function peerRates(peer: unknown, model: string, dtype: string): { wall: number[]; cpu: number[] } {
  const rows = pick(peer, model, dtype, 'rows');
  if (typeof rows !== 'number') return { wall: [], cpu: [] };
  return {
    wall: rates(pick(peer, model, dtype, 'seconds'), rows),
    cpu: rates(pick(peer, model, dtype, 'cpuSeconds'), rows),
  };
}

function summary(r: { wall: number[]; cpu: number[] }): Record<string, number> | null {
  if (r.wall.length === 0) return null;
  return {
    medianRowsPerSecond: Math.round(median(r.wall)),
    bestRowsPerSecond: Math.round(Math.max(...r.wall)),
    medianRowsPerCpuSecond: Math.round(median(r.cpu)),
  };
}

/** Our median rows/s against the peer's (a rate row: bigger is better). */
function rows(
  id: string,
  label: string,
  ours: number,
  peerName: string,
  peer: number[],
  target?: HeadlineRow['goal'],
): HeadlineRow {
  return rateRow({
    id,
    label,
    ours: Math.round(ours),
    unit: 'rows/s',
    peer: peer.length > 0 ? { name: peerName, value: Math.round(median(peer)) } : undefined,
    goal: target,
    threads: '1 thread each',
  });
}

export const inferenceBenchmark: Benchmark = {
  name: 'inference',
  description:
    'depth-8 tree and 100-tree forest batch scoring rows/s vs scikit-learn predict (float32 and float64), one thread each',
  python: true,
  async run() {
    const split = await loadSplit();
    try {
      const { train, test } = split;
      const tree = fitTree(train.x, train.y, { maxDepth: 8, seed: 0 });
      const batch = tiledBatch(train.x, test.x, BATCH);
      const treeRates = throughput(tree, batch, REPEATS);
      const forest = fitForest(train.x, train.y, { seed: 0 });
      const forestBatch = { ...batch, rows: FOREST_BATCH };
      const forestRates = throughput(forest, forestBatch, Math.max(3, Math.floor(REPEATS / 3)));
      const peer = await runPeer('sklearn_predict.py', [
        split.trainCsv,
        split.testCsv,
        String(BATCH),
        String(REPEATS),
        String(FOREST_BATCH),
      ]);
      const version = pickText(peer, 'sklearn');
      const sk = {
        tree32: peerRates(peer, 'tree', 'float32'),
        tree64: peerRates(peer, 'tree', 'float64'),
        forest32: peerRates(peer, 'forest', 'float32'),
        forest64: peerRates(peer, 'forest', 'float64'),
      };
      const ourTree = median(treeRates.wall);
      const ourForest = median(forestRates.wall);
      const name = (model: string, dtype: string): string =>
        `scikit-learn ${version} ${model}.predict(${dtype})`;
      const headline: HeadlineRow[] = [
        rows(
          'forest.predict-float32',
          `100-tree forest scoring ${FOREST_BATCH.toLocaleString('en')} rows, 1 thread each`,
          ourForest,
          name('RandomForestRegressor', 'float32'),
          sk.forest32.wall,
          goal('>=', 2, '≥ 2× scikit-learn (issue 14)'),
        ),
        rows(
          'forest.predict-float64',
          `100-tree forest scoring ${FOREST_BATCH.toLocaleString('en')} rows, 1 thread each`,
          ourForest,
          name('RandomForestRegressor', 'float64'),
          sk.forest64.wall,
        ),
        rows(
          'tree.predict-float32',
          `depth-8 tree scoring ${BATCH.toLocaleString('en')} rows, 1 thread each`,
          ourTree,
          name('DecisionTreeRegressor', 'float32'),
          sk.tree32.wall,
        ),
        rows(
          'tree.predict-float64',
          `depth-8 tree scoring ${BATCH.toLocaleString('en')} rows, 1 thread each`,
          ourTree,
          name('DecisionTreeRegressor', 'float64'),
          sk.tree64.wall,
        ),
      ];
      return {
        headline,
        batchRows: BATCH,
        forestBatchRows: FOREST_BATCH,
        ours: {
          input: 'Float64Array matrix (row-major)',
          tree: {
            maxDepth: 8,
            nodes: tree.trees[0]?.feature.length ?? 0,
            rowsPerSecond: treeRates.wall.map((r) => Math.round(r)),
            ...summary(treeRates),
          },
          forest100: {
            nodes: forest.trees.reduce((n, t) => n + t.feature.length, 0),
            rowsPerSecond: forestRates.wall.map((r) => Math.round(r)),
            ...summary(forestRates),
          },
        },
        sklearn: {
          ...peer,
          tree: { float32: summary(sk.tree32), float64: summary(sk.tree64) },
          forest: { float32: summary(sk.forest32), float64: summary(sk.forest64) },
          raw: { tree: pick(peer, 'tree'), forest: pick(peer, 'forest') },
        },
        targets: { treeMedianRowsPerSecond: '≥ 20000000', forestVsSklearnFloat32: '≥ 2' },
        machine: machine(),
      };
    } finally {
      await split.cleanup();
    }
  },
};
