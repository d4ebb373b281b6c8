import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomDataset } from '../../test/tree-helpers';
import { fitForest } from '../core/fit';
import { ModelError } from '../errors';
import { fitForestParallel } from './fit-forest-parallel';
import { runSearch } from './run-search';
import type { Candidate, SearchOptions } from './run-search';
import { closeIdleWorkers, idleWorkerCount, resolveWorkerScript } from './worker-pool';

const train = randomDataset(400, 4, 1, 2);
const validation = randomDataset(150, 4, 2, 2);
const base: SearchOptions = { kind: 'tree', train, validation, seed: 0, workers: 1 };

describe('runSearch in-process', () => {
  it('scores every candidate of the default tree grid and picks the lowest RMSE', async () => {
    const progress: number[] = [];
    const result = await runSearch({
      ...base,
      onProgress: (done, total) => {
        progress.push(done);
        expect(total).toBe(100);
      },
    });
    expect(result.candidates).toHaveLength(100);
    expect(result.candidates.map((c) => c.index)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(progress).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const minRmse = Math.min(...result.candidates.map((c) => c.metrics.rmse));
    expect(result.best.metrics.rmse).toBe(minRmse);
    expect(result.best.index).toBe(result.candidates.findIndex((c) => c.metrics.rmse === minRmse));
    for (const c of result.candidates) {
      expect(c.fitSeconds).toBeGreaterThanOrEqual(0);
      expect(c.params.seed).toBe(0);
    }
    expect(result.candidates[0]!.params).toMatchObject({
      maxDepth: 1,
      minSamplesLeaf: 1,
      minSamplesSplit: 2,
    });
  });

  it('random search returns the requested count, deterministically by seed', async () => {
    const run = (seed: number): Promise<Candidate[]> =>
      runSearch({ ...base, seed, strategy: { random: 7 } }).then((r) => r.candidates);
    const a = await run(3);
    expect(a).toHaveLength(7);
    expect((await run(3)).map((c) => c.params)).toEqual(a.map((c) => c.params));
    expect((await run(4)).map((c) => c.params)).not.toEqual(a.map((c) => c.params));
  });

  it('k-fold validation averages the folds', async () => {
    const result = await runSearch({
      ...base,
      validation: { kFold: 3 },
      space: { maxDepth: [2, 6] },
    });
    expect(result.candidates).toHaveLength(2);
    expect(result.best.metrics.rmse).toBeGreaterThan(0);
  });

  it('searches forests', async () => {
    const result = await runSearch({
      ...base,
      kind: 'forest',
      space: { nEstimators: [5], maxFeatures: [1, 'sqrt'] },
    });
    expect(result.candidates.map((c) => c.params)).toMatchObject([
      { nEstimators: 5, maxFeatures: 1, bootstrap: true },
      { nEstimators: 5, maxFeatures: 'sqrt' },
    ]);
  });

  it('depth sharing changes nothing but the time: same candidates, metrics and best', async () => {
    const wine = { x: train.x, y: train.y.map((v) => Math.round(v)) };
    const strip = (c: Candidate): unknown => [c.index, c.params, c.metrics];
    const spaces: SearchOptions[] = [
      { ...base, train: wine },
      {
        ...base,
        train: wine,
        validation: { kFold: 3 },
        space: { maxDepth: [3, 7, null], minSamplesSplit: [2, 9] },
      },
      // Random draws with an integer depth range: repeated depths inside a group.
      {
        ...base,
        strategy: { random: 25 },
        space: {
          maxDepth: { min: 1, max: 6, integer: true },
          minSamplesLeaf: [1, 4],
          maxFeatures: [null, 'sqrt'],
        },
      },
      {
        ...base,
        kind: 'forest',
        space: { nEstimators: [4], maxDepth: [2, 5, null], maxFeatures: [1.5 / 4] },
      },
      {
        ...base,
        kind: 'forest',
        space: { nEstimators: [4], maxDepth: [2, 5, null], minSamplesLeaf: [1, 3] },
      },
    ];
    for (const opts of spaces) {
      const shared = await runSearch(opts);
      const alone = await runSearch({ ...opts, depthSharing: false });
      expect(shared.candidates.map(strip)).toEqual(alone.candidates.map(strip));
      expect(shared.best.index).toBe(alone.best.index);
    }
  });

  it('rejects invalid candidates before fitting anything', async () => {
    await expect(runSearch({ ...base, space: { maxDepth: [3, 0] } })).rejects.toThrow(/maxDepth/);
    await expect(runSearch({ ...base, workers: 0 })).rejects.toThrow(ModelError);
  });
});

// The pool runs the compiled worker (dist/); CI builds before testing. Without a build the
// pool tests cannot run: they skip with a warning, or fail under REQUIRE_REAL_SERVICES=1.
const workerDist = path.resolve(__dirname, '..', '..', 'dist', 'search', 'search-worker.js');
const haveDist = existsSync(workerDist);
if (!haveDist) {
  if (process.env.REQUIRE_REAL_SERVICES === '1') {
    it('needs the compiled worker', () => {
      throw new Error(`${workerDist} is missing: run \`pnpm build\` before the tests`);
    });
  } else {
    console.warn(`SKIPPING worker-pool tests: ${workerDist} is missing (run \`pnpm build\`)`);
  }
}
const maybe = haveDist ? it : it.skip;

describe('runSearch on worker threads', () => {
  maybe('gives exactly the in-process result', async () => {
    const inProcess = await runSearch(base);
    let calls = 0;
    const pooled = await runSearch({
      ...base,
      workers: 2,
      onProgress: () => {
        calls++;
      },
    });
    expect(calls).toBe(100);
    const strip = (c: Candidate): unknown => ({
      index: c.index,
      params: c.params,
      metrics: c.metrics,
    });
    expect(pooled.candidates.map(strip)).toEqual(inProcess.candidates.map(strip));
    expect(pooled.best.index).toBe(inProcess.best.index);
  });

  maybe('shares k-fold setups and forests with workers too', async () => {
    const opts: SearchOptions = {
      ...base,
      kind: 'forest',
      validation: { kFold: 2 },
      space: { nEstimators: [3], minSamplesLeaf: [1, 4, 9] },
    };
    const a = await runSearch(opts);
    const b = await runSearch({ ...opts, workers: 2 });
    expect(b.candidates.map((c) => c.metrics)).toEqual(a.candidates.map((c) => c.metrics));
  });

  it('reports a failure inside a worker as a ModelError with its code', async () => {
    // A stand-in worker speaking the real protocol (ready, then claims a task from the run's
    // shared counter and replies) whose first task fails, to exercise the pool's error path
    // without breaking the real learner.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wine-worker-'));
    const script = path.join(dir, 'failing-worker.js');
    writeFileSync(
      script,
      `const { parentPort, workerData } = require('node:worker_threads');
       parentPort.postMessage({ ready: true });
       const t = workerData.tasks[Atomics.add(workerData.claim, 0, 1)];
       if (t !== undefined) parentPort.postMessage({ index: t.index, ok: false, code: 'PARAMS_INVALID', message: 'refused' });`,
    );
    try {
      // Enough main-thread work (60 small forests) that the stand-in is ready before it ends.
      const opts: SearchOptions = {
        ...base,
        kind: 'forest',
        workers: 2,
        workerScript: script,
        space: { nEstimators: [8], minSamplesLeaf: Array.from({ length: 60 }, (_, i) => i + 1) },
      };
      await expect(runSearch(opts)).rejects.toMatchObject({
        code: 'PARAMS_INVALID',
        message: expect.stringMatching(/task \d+: refused/),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects non-finite training data before starting workers', async () => {
    const x = { ...train.x, data: Float64Array.from(train.x.data) };
    x.data[0] = Number.NaN;
    await expect(
      runSearch({ ...base, workers: 2, train: { x, y: train.y } }),
    ).rejects.toMatchObject({
      code: 'DATA_INVALID_VALUE',
    });
  });
});

describe('resolveWorkerScript', () => {
  it('explains what to do when no compiled worker exists', () => {
    expect(() => resolveWorkerScript('/nonexistent/src/search')).toThrow(/run `pnpm build`/);
  });
});

describe('fitForestParallel', () => {
  maybe('fits the same forest as the sequential fit', async () => {
    const params = { nEstimators: 6, maxFeatures: 'sqrt' as const, seed: 9 };
    const sequential = fitForest(train.x, train.y, params);
    const parallel = await fitForestParallel(train.x, train.y, params, { workers: 2 });
    expect(parallel.nTrees).toBe(6);
    expect(Array.from(parallel.predict(validation.x))).toEqual(
      Array.from(sequential.predict(validation.x)),
    );
    expect(parallel.trees.map((t) => Array.from(t.threshold))).toEqual(
      sequential.trees.map((t) => Array.from(t.threshold)),
    );
  });

  it('with one worker fits in this thread', async () => {
    const model = await fitForestParallel(train.x, train.y, { nEstimators: 2 }, { workers: 1 });
    expect(model.kind).toBe('forest');
  });
});

describe('idle workers', () => {
  afterAll(closeIdleWorkers);

  maybe(
    'are reused by the next run, forest then search then forest, with unchanged results',
    async () => {
      await closeIdleWorkers();
      const params = { nEstimators: 12, seed: 4 };
      const sequentialForest = fitForest(train.x, train.y, params);
      const sequential = Array.from(sequentialForest.predict(validation.x));
      // A worker that said ready before the run ended stays, idle (a run this thread finishes
      // alone before the worker has booted ends it instead): grow the run until one does.
      for (let n = 50; idleWorkerCount() === 0 && n <= 6400; n *= 2) {
        await fitForestParallel(train.x, train.y, { ...params, nEstimators: n }, { workers: 2 });
      }
      expect(idleWorkerCount()).toBe(1);
      // The next runs (another mode and data, then a forest again) take it from the idle list
      // as they start, and give the same results.
      const alone = await runSearch({ ...base, workers: 1 });
      const pooledRun = runSearch({ ...base, workers: 2 });
      expect(idleWorkerCount()).toBe(0);
      const pooled = await pooledRun;
      expect(pooled.candidates.map((c) => c.metrics)).toEqual(
        alone.candidates.map((c) => c.metrics),
      );
      const forestRun = fitForestParallel(train.x, train.y, params, { workers: 2 });
      const again = await forestRun;
      expect(Array.from(again.predict(validation.x))).toEqual(sequential);
      // Tree by tree, node by node: whichever thread claimed a tree, it is the same tree.
      const arrays = (trees: typeof again.trees): number[][][] =>
        trees.map((t) => Object.values(t).map((a: Int32Array | Float64Array) => Array.from(a)));
      expect(arrays(again.trees)).toEqual(arrays(sequentialForest.trees));
      expect(idleWorkerCount()).toBeLessThanOrEqual(1);
      await closeIdleWorkers();
      expect(idleWorkerCount()).toBe(0);
    },
  );
});
