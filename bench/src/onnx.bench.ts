/**
 * `pnpm run bench onnx`: should the service score with onnxruntime-node instead of our packed
 * trees? Rows per second on one large batch (default 1M rows, BENCH_BATCH), both on ONE
 * thread — the packed scorer is single-threaded and the service scales out with processes
 * (WEB_CONCURRENCY) — for a depth-8 tree and a 100-tree forest (scikit-learn defaults), with
 * model.onnx in both operator encodings. onnxruntime gets a ready float32 tensor and ours a
 * ready float64 matrix, so neither pays for encoding. onnxruntime on every core is reported
 * for reference. Single records too (BENCH_SINGLE_CALLS calls per side), since that is how
 * the service scores most requests. The service adopts onnxruntime only if it is faster
 * there (issue 12).
 */
import os from 'node:os';
import { ONNX_OPS, encodeOnnxModel, fitForest, fitTree, LEARNER } from '@wine/model';
import type { Matrix, TreeEnsemble } from '@wine/model';
import { InferenceSession, Tensor, env as ortEnv } from 'onnxruntime-node';
import { tiledBatch } from './inference.bench';
import { loadSplit, machine, median, round } from './learner/common';
import { rateRow } from './headline';
import type { Benchmark, HeadlineRow } from './registry';

const BATCH = Number(process.env['BENCH_BATCH'] ?? 1_000_000);
const REPEATS = Number(process.env['BENCH_REPEATS'] ?? 5);
/** Single-record calls per side: how the service scores most requests. */
const SINGLE_CALLS = Number(process.env['BENCH_SINGLE_CALLS'] ?? 20_000);

/** Rows per second of each of `repeats` calls (awaited; a sync call costs one microtask more). */
async function timeRepeats(repeats: number, rows: number, once: () => unknown): Promise<number[]> {
  const rates: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    await once();
    rates.push(rows / ((performance.now() - started) / 1000));
  }
  return rates;
}

/**
 * Calls per second scoring one record per call, as the service does for most requests
 * (each call builds its own 1-row input; rows cycle through the batch). Median of 3 runs.
 */
async function singleRecord(
  batch: Matrix,
  calls: number,
  score: (row: Matrix) => unknown,
): Promise<number> {
  const row = (i: number): Matrix => {
    const r = i % batch.rows;
    return {
      data: batch.data.subarray(r * batch.cols, (r + 1) * batch.cols),
      rows: 1,
      cols: batch.cols,
    };
  };
  for (let i = 0; i < 1000; i++) await score(row(i)); // warm-up
  const rates: number[] = [];
  for (let repeat = 0; repeat < 3; repeat++) {
    const started = performance.now();
    for (let i = 0; i < calls; i++) await score(row(i));
    rates.push(calls / ((performance.now() - started) / 1000));
  }
  return median(rates);
}

async function session(bytes: Uint8Array, threads: number): Promise<InferenceSession> {
  return InferenceSession.create(bytes, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
}

async function compare(model: TreeEnsemble, batch: Matrix, repeats: number) {
  const document = model.toDocument({
    training: { kind: model.kind, params: {}, learner: { ...LEARNER }, nTrain: 0 },
  });
  const input = new Tensor('float32', Float32Array.from(batch.data), [batch.rows, batch.cols]);
  const check = Math.min(batch.rows, 10_000);
  const expected = model.predict({ ...batch, rows: check });
  model.predict({ ...batch, rows: check }); // warm-up
  const packed = median(await timeRepeats(repeats, batch.rows, () => model.predict(batch)));
  const byOp: Record<
    string,
    {
      onnxBytes: number;
      maxAbsDiffVsOurs: number;
      medianRowsPerSecondOneThread: number;
      medianRowsPerSecondAllCores: number;
      packedVsOnnxruntimeOneThread: number;
      singleRecordCallsPerSecond: number;
      packedVsOnnxruntimeSingleRecord: number;
    }
  > = {};
  const packedSingle = await singleRecord(batch, SINGLE_CALLS, (row) => model.predict(row));
  for (const op of ONNX_OPS) {
    const bytes = encodeOnnxModel(document, { op });
    const one = await session(bytes, 1);
    const all = await session(bytes, os.availableParallelism());
    const run = (s: InferenceSession) => s.run({ features: input });
    const warm = await one.run({
      features: new Tensor('float32', Float32Array.from(batch.data.subarray(0, check * 12)), [
        check,
        12,
      ]),
    });
    const out = warm['quality']?.data as Float32Array;
    const maxAbsDiff = expected.reduce((m, v, i) => Math.max(m, Math.abs(v - (out[i] ?? NaN))), 0);
    await run(all);
    const oneThread = median(await timeRepeats(repeats, batch.rows, () => run(one)));
    const ortSingle = await singleRecord(batch, SINGLE_CALLS, (row) =>
      one.run({ features: new Tensor('float32', Float32Array.from(row.data), [1, row.cols]) }),
    );
    const allThreads = median(await timeRepeats(repeats, batch.rows, () => run(all)));
    await Promise.all([one.release(), all.release()]);
    byOp[op] = {
      onnxBytes: bytes.byteLength,
      maxAbsDiffVsOurs: maxAbsDiff,
      medianRowsPerSecondOneThread: Math.round(oneThread),
      medianRowsPerSecondAllCores: Math.round(allThreads),
      packedVsOnnxruntimeOneThread: round(packed / oneThread, 3),
      singleRecordCallsPerSecond: Math.round(ortSingle),
      packedVsOnnxruntimeSingleRecord: round(packedSingle / ortSingle, 3),
    };
  }
  return {
    nodes: model.trees.reduce((n, t) => n + t.feature.length, 0),
    batchRows: batch.rows,
    packedMedianRowsPerSecond: Math.round(packed),
    packedSingleRecordCallsPerSecond: Math.round(packedSingle),
    onnxruntime: byOp,
  };
}

export const onnxBenchmark: Benchmark = {
  name: 'onnx',
  description: 'packed trees vs onnxruntime-node, rows/s on one thread (tree and 100-tree forest)',
  async run() {
    const split = await loadSplit();
    try {
      const { train, test } = split;
      const batch = tiledBatch(train.x, test.x, BATCH);
      const tree = await compare(
        fitTree(train.x, train.y, { maxDepth: 8, seed: 0 }),
        batch,
        REPEATS,
      );
      const forest = await compare(
        fitForest(train.x, train.y, { seed: 0 }),
        batch,
        Math.min(REPEATS, 3),
      );
      const faster = (r: typeof tree) =>
        Object.values(r.onnxruntime).some((o) => o.packedVsOnnxruntimeOneThread < 1);
      const fasterSingle = (r: typeof tree) =>
        Object.values(r.onnxruntime).some((o) => o.packedVsOnnxruntimeSingleRecord < 1);
      const ortVersion = ortEnv.versions.common;
      type Result = typeof tree;
      type Measures = Result['onnxruntime'][string];
      /** Ours against onnxruntime's faster operator encoding on one measure, one thread each. */
      const versus = (
        id: string,
        label: string,
        unit: string,
        ours: number,
        peerRate: (m: Measures) => number,
        how: string,
        r: Result,
      ): HeadlineRow => {
        const [op, best] = Object.entries(r.onnxruntime).sort(
          (x, y) => peerRate(y[1]) - peerRate(x[1]),
        )[0] ?? ['none', undefined];
        return rateRow({
          id,
          label,
          ours,
          unit,
          peer:
            best === undefined
              ? undefined
              : { name: `onnxruntime-node ${ortVersion} (${op})${how}`, value: peerRate(best) },
          threads: '1 thread each',
        });
      };
      const row = (id: string, what: string, r: Result): HeadlineRow =>
        versus(
          id,
          `${what}: scoring a ready ${BATCH.toLocaleString('en-US')}-row batch`,
          'rows/s',
          r.packedMedianRowsPerSecond,
          (m) => m.medianRowsPerSecondOneThread,
          '',
          r,
        );
      const single = (id: string, what: string, r: Result): HeadlineRow =>
        versus(
          id,
          `${what}: one record per call (how the service scores most requests)`,
          'calls/s',
          r.packedSingleRecordCallsPerSecond,
          (m) => m.singleRecordCallsPerSecond,
          ', session.run per record',
          r,
        );
      return {
        headline: [
          row('onnx.tree', 'depth-8 tree', tree),
          row('onnx.forest', '100-tree forest', forest),
          single('onnx.tree-single', 'depth-8 tree', tree),
          single('onnx.forest-single', '100-tree forest', forest),
        ],
        machine: machine(),
        versions: {
          onnxruntimeNode: ortEnv.versions.node ?? 'unknown',
          onnxruntime: ortEnv.versions.common,
        },
        threads: 1,
        tree: { maxDepth: 8, ...tree },
        forest100: { maxDepth: null, ...forest },
        // The service scores single records (and small batches); a scorer that wins only on
        // million-row batches belongs in batch scoring, not in the service.
        decision:
          fasterSingle(tree) || fasterSingle(forest)
            ? 'onnxruntime-node is faster on single records for at least one model: consider an ONNX scorer in the service'
            : faster(tree) || faster(forest)
              ? 'onnxruntime-node is faster only on large batches: the service keeps the packed scorer; batch scoring could use it'
              : 'the packed scorer is faster: the service keeps it (onnxruntime-node not adopted)',
      };
    } finally {
      await split.cleanup();
    }
  },
};
