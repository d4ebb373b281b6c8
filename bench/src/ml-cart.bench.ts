/**
 * `pnpm run bench ml-cart`: why `packages/model` has its own CART. A 20-tree random forest
 * fitted on the seeded 80 % training split by our learner and by the JavaScript forest on npm
 * (`ml-random-forest`, built on `ml-cart`), one thread each, in the same run; test RMSE of
 * both on the 20 % holdout so the reader sees the work was comparable.
 *
 * Same work as far as the two APIs allow: bootstrap rows, every feature at every split,
 * trees grown without a depth limit, and a node split only when it has more than 3 rows
 * (ml-cart's `minNumSamples: 3`, our `minSamplesSplit: 4`). BENCH_MLCART_TREES (default
 * 20) changes the number of trees.
 */
import { createRequire } from 'node:module';
import { fitForest, rmse, type Matrix } from '@wine/model';
import { ratioRow, timeRow } from './headline';
import { loadSplit, machine, round } from './learner/common';
import type { Benchmark } from './registry';

const TREES = Number(process.env['BENCH_MLCART_TREES'] ?? 20);
const MIN_NUM_SAMPLES = 3;

/** The part of ml-random-forest's API used here (its bundled types need ml-matrix's). */
interface MlForest {
  train(x: number[][], y: number[]): void;
  predict(x: number[][]): number[];
}
type MlForestClass = new (options: Record<string, unknown>) => MlForest;

const load = createRequire(__filename);

function rows(m: Matrix): number[][] {
  return Array.from({ length: m.rows }, (_, r) =>
    Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols)),
  );
}

export const mlCartBenchmark: Benchmark = {
  name: 'ml-cart',
  description: `${TREES}-tree forest fit: our CART vs ml-random-forest (ml-cart), one thread each`,
  async run() {
    const { RandomForestRegression } = load('ml-random-forest') as {
      RandomForestRegression: MlForestClass;
    };
    const version = (name: string): string =>
      (load(`${name}/package.json`) as { version: string }).version;
    const split = await loadSplit();
    try {
      const { train, test } = split;
      const t0 = performance.now();
      const ours = fitForest(train.x, train.y, {
        nEstimators: TREES,
        minSamplesSplit: MIN_NUM_SAMPLES + 1,
        seed: 0,
      });
      const oursSeconds = (performance.now() - t0) / 1000;
      const oursRmse = rmse(test.y, ours.predict(test.x));
      console.log(`  ours: ${oursSeconds.toFixed(2)} s`);

      const peer = new RandomForestRegression({
        nEstimators: TREES,
        maxFeatures: train.x.cols, // an integer: all features (1.0 would mean one feature)
        replacement: false,
        useSampleBagging: true,
        noOOB: true,
        seed: 42,
        treeOptions: { minNumSamples: MIN_NUM_SAMPLES, maxDepth: Infinity },
      });
      const trainRows = rows(train.x);
      const trainY = Array.from(train.y);
      const t1 = performance.now();
      peer.train(trainRows, trainY);
      const peerSeconds = (performance.now() - t1) / 1000;
      const peerRmse = rmse(test.y, peer.predict(rows(test.x)));
      console.log(`  ml-random-forest: ${peerSeconds.toFixed(2)} s`);

      const peerName = `ml-random-forest ${version('ml-random-forest')} (ml-cart ${version('ml-cart')})`;
      return {
        headline: [
          timeRow({
            id: 'ml-cart.forest-fit',
            label: `${TREES}-tree forest fit on ${train.x.rows.toLocaleString('en-US')} wines (bootstrap, all features)`,
            ours: round(oursSeconds, 3),
            unit: 's',
            peer: { name: peerName, value: round(peerSeconds, 3) },
            threads: '1 thread each',
          }),
          ratioRow(
            {
              id: 'ml-cart.test-rmse',
              label: `that forest's RMSE on the ${test.x.rows.toLocaleString('en-US')} holdout wines`,
              ours: round(oursRmse),
              unit: '',
              peer: { name: peerName, value: round(peerRmse) },
            },
            "of the peer's error",
          ),
        ],
        trees: TREES,
        trainRows: train.x.rows,
        testRows: test.x.rows,
        ours: { seconds: round(oursSeconds, 3), testRmse: round(oursRmse) },
        peer: { name: peerName, seconds: round(peerSeconds, 3), testRmse: round(peerRmse) },
        machine: machine(),
      };
    } finally {
      await split.cleanup();
    }
  },
};
