import {
  count,
  DEFAULT_FOREST_PARAMS,
  DEFAULT_TREE_PARAMS,
  fraction,
  type Candidate,
} from '@wine/model';
import {
  candidateMetrics,
  candidateParams,
  candidateRunName,
  datasetInput,
  modelMetrics,
  searchMetrics,
  qualityCounts,
} from './run-payloads';

const candidate = (index: number): Candidate => ({
  index,
  params: { ...DEFAULT_TREE_PARAMS, maxDepth: 7 },
  metrics: { rmse: 0.71, mae: 0.55, r2: 0.33 },
  fitSeconds: 0.012,
});

describe('run payloads', () => {
  it('spells learner params the scikit-learn way, null as None', () => {
    expect(candidateParams({ ...DEFAULT_TREE_PARAMS, maxDepth: null }, 'tree')).toEqual({
      model_kind: 'tree',
      max_depth: 'None',
      min_samples_split: '2',
      min_samples_leaf: '1',
      min_impurity_decrease: '0',
      max_features: 'None',
      seed: '0',
    });
    expect(candidateParams(DEFAULT_FOREST_PARAMS, 'forest')).toMatchObject({
      n_estimators: '100',
      bootstrap: 'true',
      max_samples: 'None',
      max_features: '1.0', // all features, as scikit-learn's default prints
    });
  });

  it('logs count-or-fraction params unambiguously: 1 is one, 1.0 all', () => {
    const params = { ...DEFAULT_FOREST_PARAMS, maxFeatures: 1, maxSamples: fraction(1) };
    expect(candidateParams(params, 'forest')).toMatchObject({
      max_features: '1',
      max_samples: '1.0',
    });
    expect(
      candidateParams({ ...params, maxFeatures: fraction(0.5), maxSamples: count(200) }, 'forest'),
    ).toMatchObject({ max_features: '0.5', max_samples: '200' });
  });

  it('logs rmse, mae, r2 and fit_seconds per candidate', () => {
    expect(candidateMetrics(candidate(0), 5)).toEqual([
      { key: 'rmse', value: 0.71, timestamp: 5 },
      { key: 'mae', value: 0.55, timestamp: 5 },
      { key: 'r2', value: 0.33, timestamp: 5 },
      { key: 'fit_seconds', value: 0.012, timestamp: 5 },
    ]);
  });

  it('zero-pads run names so the UI sorts them in search order', () => {
    expect(candidateRunName(candidate(7), 100)).toBe('candidate-07');
    expect(candidateRunName(candidate(7), 101)).toBe('candidate-007');
    expect(candidateRunName(candidate(0), 1)).toBe('candidate-0');
  });

  it('links the model metrics to the eval dataset; the search summary stays unlinked', () => {
    const metrics = modelMetrics({ rmse: 0.7, mae: 0.5, r2: 0.3 }, 1, {
      name: 'wine-quality-test',
      digest: 'abc',
    });
    expect(metrics.map((m) => m.key)).toEqual(['test_rmse', 'test_mae', 'test_r2']);
    expect(metrics.find((m) => m.key === 'test_rmse')).toMatchObject({
      value: 0.7,
      datasetName: 'wine-quality-test',
      datasetDigest: 'abc',
    });
    const search = searchMetrics(
      { searchSeconds: 2, candidates: 100, bestValidationRmse: 0.69 },
      1,
    );
    expect(search.map((m) => m.key)).toEqual([
      'best_validation_rmse',
      'search_seconds',
      'candidates',
    ]);
    for (const m of search) expect(m).not.toHaveProperty('datasetName');
  });

  it('describes a dataset within MLflow limits, with a column schema and a profile', () => {
    const sha256 = 'a'.repeat(64);
    const input = datasetInput({
      name: 'wine-quality-train',
      source: '/data',
      sha256,
      rows: 10,
      context: 'training',
      qualityCounts: { '5': 4, '6': 6 },
    });
    expect(input.digest).toBe(sha256.slice(0, 36));
    expect(input.context).toBe('training');
    expect(JSON.parse(input.source)).toEqual({ uri: '/data' });
    const schema = JSON.parse(input.schema!) as { mlflow_colspec: { name: string }[] };
    expect(schema.mlflow_colspec.map((c) => c.name)).toContain('wine_type');
    expect(schema.mlflow_colspec).toHaveLength(13);
    expect(JSON.parse(input.profile!)).toMatchObject({ num_rows: 10, num_elements: 130, sha256 });
  });

  it('counts rows per quality score in numeric order', () => {
    expect(Object.entries(qualityCounts([6, 5, 10, 6]))).toEqual([
      ['5', 1],
      ['6', 2],
      ['10', 1],
    ]);
  });
});
