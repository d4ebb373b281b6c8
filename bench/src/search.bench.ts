/**
 * `pnpm run bench search`: the default 100-candidate tree search (max_depth 1–20 ×
 * min_samples_leaf {1,2,5,10,20}, worker threads) and a 100-tree random forest on the
 * red+white data, next to scikit-learn doing the same on the identical split.
 * Targets (issue 2): search ≤ 0.5× scikit-learn's time; best tree RMSE within 0.5% of
 * scikit-learn's best; forest RMSE within 2% of RandomForestRegressor(100).
 */
import { fitForest, fitForestParallel, runSearch } from '@wine/model';
import type { SearchResult } from '@wine/model';
import { loadSplit, machine, median, round, runPeer } from './learner/common';
import type { Benchmark } from './registry';

const REPEATS = Number(process.env['BENCH_REPEATS'] ?? 3);

function rmse(y: Float64Array, p: Float64Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += ((y[i] ?? 0) - (p[i] ?? 0)) ** 2;
  return Math.sqrt(s / y.length);
}

function seconds(started: number): number {
  return (performance.now() - started) / 1000;
}

function numbers(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((v): v is number => typeof v === 'number') : [];
}

function field(obj: unknown, key: string): unknown {
  return typeof obj === 'object' && obj !== null
    ? (obj as Record<string, unknown>)[key]
    : undefined;
}

export const searchBenchmark: Benchmark = {
  name: 'search',
  description: 'default tree search + 100-tree forest vs scikit-learn on the same split',
  async run() {
    const split = await loadSplit();
    try {
      const { train, test } = split;
      const gridSeconds: number[] = [];
      let search: SearchResult | undefined;
      for (let r = 0; r < REPEATS; r++) {
        search = await runSearch({ kind: 'tree', train, validation: test, seed: 0 });
        gridSeconds.push(search.seconds);
        process.stdout.write(`  tree search ${r + 1}/${REPEATS}: ${search.seconds.toFixed(3)} s\n`);
      }
      const forestSeconds: number[] = [];
      const forestSerialSeconds: number[] = [];
      let forestRmse = NaN;
      for (let r = 0; r < REPEATS; r++) {
        let started = performance.now();
        const forest = await fitForestParallel(train.x, train.y, { seed: 0 });
        forestSeconds.push(seconds(started));
        forestRmse = rmse(test.y, forest.predict(test.x));
        started = performance.now();
        fitForest(train.x, train.y, { seed: 0 });
        forestSerialSeconds.push(seconds(started));
        process.stdout.write(
          `  forest ${r + 1}/${REPEATS}: ${forestSeconds.at(-1)?.toFixed(3)} s\n`,
        );
      }
      const peer = await runPeer('sklearn_search.py', [
        split.trainCsv,
        split.testCsv,
        String(REPEATS),
      ]);
      const best = search?.best;
      const skGrid = numbers(field(field(peer, 'grid'), 'seconds'));
      const skForest = numbers(field(field(peer, 'forest'), 'seconds'));
      const skBestRmse = field(field(field(peer, 'grid'), 'best'), 'rmse');
      const skForestRmse = field(field(peer, 'forest'), 'rmse');
      const ratio = (a: number, b: unknown): number | null =>
        typeof b === 'number' && b > 0 ? round(a / b) : null;
      const ours = {
        treeSearch: {
          candidates: search?.candidates.length ?? 0,
          workers: 'os.availableParallelism()',
          seconds: gridSeconds.map((s) => round(s)),
          medianSeconds: round(median(gridSeconds)),
          best: best === undefined ? null : { rmse: best.metrics.rmse, params: best.params },
        },
        forest: {
          nEstimators: 100,
          seconds: forestSeconds.map((s) => round(s)),
          medianSeconds: round(median(forestSeconds)),
          singleThreadMedianSeconds: round(median(forestSerialSeconds)),
          rmse: forestRmse,
        },
      };
      return {
        data: { dir: split.dataDir, train: train.x.rows, test: test.x.rows, columns: train.x.cols },
        ours,
        sklearn: peer,
        ratios: {
          treeSearchTimeVsSklearn:
            skGrid.length > 0 ? ratio(median(gridSeconds), median(skGrid)) : null,
          forestTimeVsSklearn:
            skForest.length > 0 ? ratio(median(forestSeconds), median(skForest)) : null,
          bestTreeRmseVsSklearn: best === undefined ? null : ratio(best.metrics.rmse, skBestRmse),
          forestRmseVsSklearn: ratio(forestRmse, skForestRmse),
        },
        targets: {
          treeSearchTimeVsSklearn: '≤ 0.5',
          bestTreeRmseVsSklearn: '≤ 1.005',
          forestRmseVsSklearn: '≤ 1.02',
        },
        machine: machine(),
      };
    } finally {
      await split.cleanup();
    }
  },
};
