/**
 * The default tree search's 100 candidates (max_depth 1–20 × min_samples_leaf {1, 2, 5, 10,
 * 20}, the other params at their defaults) with plausible validation metrics: the same
 * params/metrics/tags per run as a real search logs, without spending the bench's time fitting.
 */
import type { Candidate } from '@wine/model';

export function defaultSearchCandidates(): Candidate[] {
  const candidates: Candidate[] = [];
  for (let depth = 1; depth <= 20; depth++) {
    for (const leaf of [1, 2, 5, 10, 20]) {
      const index = candidates.length;
      const rmse = 0.7 + 0.3 / depth + 0.001 * leaf + 1e-6 * index;
      candidates.push({
        index,
        params: {
          maxDepth: depth,
          minSamplesSplit: 2,
          minSamplesLeaf: leaf,
          minImpurityDecrease: 0,
          maxFeatures: null,
          seed: 42,
        },
        metrics: { rmse, mae: rmse * 0.78, r2: 1 - (rmse * rmse) / 0.77 },
        fitSeconds: 0.002 + depth * 0.0004,
      });
    }
  }
  return candidates;
}
