/**
 * Pure builders for what goes into MLflow: run params, metrics, tags and the dataset input.
 * Kept apart from the HTTP code so the exact payloads are unit-tested.
 */
import {
  FEATURE_NAMES,
  paramText,
  type Candidate,
  type ParamScalar,
  type RegressionMetrics,
} from '@wine/model';
import type { DatasetInput, MetricInput } from 'mlflow-ts-client';
import type { DatasetInfo } from './tracker';

/** Custom tag names (MLflow's own system tags come from the client's SYSTEM_TAGS). */
export const WINE_TAGS = {
  /** 'search' on parent runs, 'candidate' on nested runs: how `register` finds parents. */
  role: 'wine.role',
  dataSha256: 'wine.data.sha256',
  learnerName: 'wine.learner.name',
  learnerVersion: 'wine.learner.version',
  modelKind: 'wine.model.kind',
} as const;

export const PARENT_METRICS = {
  testRmse: 'test_rmse',
  testMae: 'test_mae',
  testR2: 'test_r2',
  bestValidationRmse: 'best_validation_rmse',
} as const;

/** MLflow's digest field holds ≤ 36 characters; the full sha256 is in the wine.data.sha256 tag. */
export const DIGEST_LENGTH = 36;

const snake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Learner params as snake_case MLflow params with scikit-learn's names and spelling
 * (max_depth=None, max_features=1.0 for all features, max_features=1 for one).
 */
export function candidateParams(
  params: Candidate['params'],
  kind: 'tree' | 'forest',
): Record<string, string> {
  const out: Record<string, string> = { model_kind: kind };
  const values: Readonly<Record<string, ParamScalar>> = { ...params };
  for (const [key, value] of Object.entries(values)) out[snake(key)] = paramText(key, value);
  return out;
}

/** Validation metrics of one candidate plus its fit time (holdout or k-fold mean). */
export function candidateMetrics(candidate: Candidate, timestamp: number): MetricInput[] {
  const { rmse, mae, r2 } = candidate.metrics;
  return [
    { key: 'rmse', value: rmse, timestamp },
    { key: 'mae', value: mae, timestamp },
    { key: 'r2', value: r2, timestamp },
    { key: 'fit_seconds', value: candidate.fitSeconds, timestamp },
  ];
}

export function candidateRunName(candidate: Candidate, total: number): string {
  const width = String(Math.max(1, total - 1)).length;
  return `candidate-${String(candidate.index).padStart(width, '0')}`;
}

/** The search's summary on the parent run (not measurements of the final model). */
export function searchMetrics(
  extra: { searchSeconds: number; candidates: number; bestValidationRmse: number },
  timestamp: number,
): MetricInput[] {
  return [
    { key: PARENT_METRICS.bestValidationRmse, value: extra.bestValidationRmse, timestamp },
    { key: 'search_seconds', value: extra.searchSeconds, timestamp },
    { key: 'candidates', value: extra.candidates, timestamp },
  ];
}

/**
 * The final model's holdout scores, linked to the eval dataset like mlflow.evaluate does.
 * Logged with the LoggedModel's id, so the model page shows them under "Datasets used".
 */
export function modelMetrics(
  test: RegressionMetrics,
  timestamp: number,
  evalDataset?: { name: string; digest: string },
): MetricInput[] {
  const linked = evalDataset
    ? { datasetName: evalDataset.name, datasetDigest: evalDataset.digest }
    : {};
  return [
    { key: PARENT_METRICS.testRmse, value: test.rmse, timestamp, ...linked },
    { key: PARENT_METRICS.testMae, value: test.mae, timestamp, ...linked },
    { key: PARENT_METRICS.testR2, value: test.r2, timestamp, ...linked },
  ];
}

/**
 * A dataset input shaped like the one mlflow.data.from_pandas logs: an MLflow column-spec
 * schema and a row-count profile, so the UI's dataset drawer shows columns and size.
 */
export function datasetInput(info: DatasetInfo): DatasetInput {
  const colspec = [
    ...FEATURE_NAMES.map((name) => ({ type: 'double', name, required: true })),
    { type: 'string', name: 'wine_type', required: true },
    { type: 'long', name: 'quality', required: true },
  ];
  return {
    name: info.name,
    digest: info.sha256.slice(0, DIGEST_LENGTH),
    sourceType: 'local',
    source: JSON.stringify({ uri: info.source }),
    schema: JSON.stringify({ mlflow_colspec: colspec }),
    profile: JSON.stringify({
      num_rows: info.rows,
      num_elements: info.rows * colspec.length,
      quality_counts: info.qualityCounts,
      sha256: info.sha256,
    }),
    context: info.context,
  };
}

/** Rows per quality score, keys sorted numerically. */
export function qualityCounts(qualities: readonly number[]): Record<string, number> {
  const counts = new Map<number, number>();
  for (const q of qualities) counts.set(q, (counts.get(q) ?? 0) + 1);
  return Object.fromEntries(
    [...counts.entries()].sort(([a], [b]) => a - b).map(([q, n]) => [String(q), n]),
  );
}
