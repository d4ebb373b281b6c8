import { randomDataset } from '../../test/tree-helpers';
import { ModelError } from '../errors';
import { FEATURE_NAMES } from './features';
import type { WineRecord } from './features';
import { LEARNER } from './ensemble-document';
import type { EnsembleDocument, TrainingMetadata } from './ensemble-document';
import { loadModel, serializeModel, TreeEnsemble } from './ensemble';
import { fitForest, fitTree } from './fit';
import { canonicalParams, fraction } from './tree/params';
import { MODEL_COLUMNS } from './matrix';
import type { Matrix } from './matrix';

/** 12-column data shaped like the model's input (last column wine_type 0/1). */
function wineShaped(rows: number, seed: number): { x: Matrix; y: Float64Array } {
  const ds = randomDataset(rows, 12, seed, 2);
  for (let r = 0; r < rows; r++) ds.x.data[r * 12 + 11] = r % 3 === 0 ? 1 : 0;
  return ds;
}

const training = (kind: 'tree' | 'forest'): TrainingMetadata => ({
  kind,
  params: { maxDepth: 6, seed: 1 },
  learner: LEARNER,
  nTrain: 250,
});

const train = wineShaped(250, 1);
const test = wineShaped(100, 2);

describe.each(['tree', 'forest'] as const)('%s serialisation', (kind) => {
  const fit = (): TreeEnsemble =>
    kind === 'tree'
      ? fitTree(train.x, train.y, { maxDepth: 6, seed: 1 })
      : fitForest(train.x, train.y, { nEstimators: 8, maxDepth: 6, seed: 1 });

  it('round-trips with identical predictions and byte-identical text', () => {
    const model = fit();
    const text = serializeModel(model.toDocument({ training: training(kind) }));
    const loaded = loadModel(text);
    expect(loaded.model.kind).toBe(kind);
    expect(loaded.model.nTrees).toBe(model.nTrees);
    expect(Array.from(loaded.model.predict(test.x))).toEqual(Array.from(model.predict(test.x)));
    expect(loaded.model.featureImportances()).toEqual(model.featureImportances());
    expect(serializeModel(loaded.document)).toBe(text);
  });

  it('same data, params and seed give a byte-identical model.json', () => {
    const a = serializeModel(fit().toDocument({ training: training(kind) }));
    const b = serializeModel(fit().toDocument({ training: training(kind) }));
    expect(b).toBe(a);
  });
});

describe('document layout', () => {
  const model = fitTree(train.x, train.y, { maxDepth: 3 });
  const doc = model.toDocument({ training: training('tree') });

  it('starts with the format header and lists the contract features', () => {
    const text = serializeModel(doc);
    expect(
      text.startsWith('{\n  "format": "wine-quality/tree-ensemble",\n  "formatVersion": 1,'),
    ).toBe(true);
    expect(doc.features.map((f) => f.name)).toEqual(MODEL_COLUMNS);
    expect(doc.features[11]).toEqual({
      name: 'wine_type',
      type: 'category',
      categories: ['red', 'white'],
    });
    expect(doc.aggregation).toBe('mean');
  });

  it('writes count-or-fraction params explicitly and still loads files from learner 1.0.0', () => {
    const explicit = serializeModel(
      model.toDocument({
        training: {
          ...training('forest'),
          params: canonicalParams({ maxFeatures: fraction(1), maxSamples: 1 }),
        },
      }),
    );
    expect(explicit).toContain(
      '"maxFeatures": {\n        "kind": "fraction",\n        "value": 1\n      }',
    );
    expect(explicit).toContain(
      '"maxSamples": {\n        "kind": "count",\n        "value": 1\n      }',
    );
    expect(loadModel(explicit).document.training.params['maxFeatures']).toEqual(fraction(1));
    // learner 1.0.0 wrote plain numbers (its "maxFeatures": 1 meant all features).
    const old = serializeModel(
      model.toDocument({
        training: {
          ...training('forest'),
          params: { maxFeatures: 1 },
          learner: { name: 'wine-cart', version: '1.0.0' },
        },
      }),
    );
    expect(loadModel(old).document.training.params['maxFeatures']).toBe(1);
  });

  it('refuses to serialise non-finite numbers', () => {
    const bad = { ...doc, training: { ...doc.training, nTrain: Number.NaN } };
    expect(() => serializeModel(bad)).toThrow(/\$\.training\.nTrain: NaN is not a finite number/);
  });

  it('refuses models on other columns', () => {
    const ds = randomDataset(30, 3, 1);
    expect(() => fitTree(ds.x, ds.y).toDocument({ training: training('tree') })).toThrow(
      ModelError,
    );
  });
});

describe('loadModel rejects broken files', () => {
  const doc = fitTree(train.x, train.y, { maxDepth: 3 }).toDocument({ training: training('tree') });
  const text = serializeModel(doc);
  const mutate = (change: (d: EnsembleDocument) => void): string => {
    const copy = JSON.parse(text) as EnsembleDocument;
    change(copy);
    return JSON.stringify(copy);
  };
  const codeOf = (source: string): [string, string] => {
    try {
      loadModel(source);
    } catch (error) {
      if (error instanceof ModelError) return [error.code, error.message];
      throw error;
    }
    throw new Error('loadModel accepted a broken file');
  };

  it.each<[string, string, string, RegExp]>([
    ['not JSON', '{"format":', 'MODEL_INVALID', /not valid JSON/],
    ['an array', '[]', 'MODEL_INVALID', /JSON object/],
    [
      'another format',
      mutate((d) => ((d as { format: string }).format = 'sklearn-pickle')),
      'MODEL_FORMAT_UNSUPPORTED',
      /"sklearn-pickle"/,
    ],
    [
      'a newer version',
      mutate((d) => ((d as { formatVersion: number }).formatVersion = 2)),
      'MODEL_FORMAT_UNSUPPORTED',
      /formatVersion 2.*upgrade/,
    ],
    [
      'a missing array',
      mutate((d) => delete (d.trees[0] as Partial<EnsembleDocument['trees'][0]>).impurity),
      'MODEL_INVALID',
      /trees\.0\.impurity/,
    ],
    [
      'arrays of different lengths',
      mutate((d) => d.trees[0]!.value.pop()),
      'MODEL_INVALID',
      /trees\[0\]\.value has \d+ entries/,
    ],
    [
      'a child out of range',
      mutate((d) => (d.trees[0]!.right[0] = 999)),
      'MODEL_INVALID',
      /node 0: right child 999 is out of range/,
    ],
    [
      'a non-preorder left child',
      mutate((d) => (d.trees[0]!.left[0] = 5)),
      'MODEL_INVALID',
      /left child must be 1/,
    ],
    [
      'a feature out of range',
      mutate((d) => (d.trees[0]!.feature[0] = 12)),
      'MODEL_INVALID',
      /feature 12 is out of range/,
    ],
    [
      'a leaf with children',
      mutate((d) => (d.trees[0]!.feature[0] = -1)),
      'MODEL_INVALID',
      /a leaf \(feature -1\) must have/,
    ],
    [
      'renamed features',
      mutate((d) => (d.features[0]!.name = 'acidity')),
      'MODEL_INVALID',
      /features must be \[fixed_acidity/,
    ],
    ['no trees', mutate((d) => (d.trees = [])), 'MODEL_INVALID', /trees/],
    [
      'a string threshold',
      mutate((d) => ((d.trees[0]!.threshold as unknown[])[0] = 'x')),
      'MODEL_INVALID',
      /trees\.0\.threshold\.0/,
    ],
  ])('%s', (_name, source, code, message) => {
    const [gotCode, gotMessage] = codeOf(source);
    expect(gotCode).toBe(code);
    expect(gotMessage).toMatch(message);
  });

  it('fromDocument applies the same validation', () => {
    expect(() => TreeEnsemble.fromDocument({ format: 'x' })).toThrow(ModelError);
    expect(TreeEnsemble.fromDocument(JSON.parse(text)).nTrees).toBe(1);
  });
});

describe('feature importances', () => {
  it('sum to 1 and rank the informative feature first', () => {
    // y depends on column 3 only.
    const ds = wineShaped(300, 9);
    const y = Float64Array.from(
      { length: 300 },
      (_, r) => 5 * ds.x.data[r * 12 + 3]! + 0.01 * ds.y[r]!,
    );
    for (const model of [
      fitTree(ds.x, y, { maxDepth: 5 }),
      fitForest(ds.x, y, { nEstimators: 10, maxDepth: 5 }),
    ]) {
      const imp = model.featureImportances();
      expect(Object.keys(imp)).toEqual(MODEL_COLUMNS);
      expect(Object.values(imp).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(imp.residual_sugar).toBeGreaterThan(0.9);
    }
  });

  it('are all zero for a tree without splits', () => {
    const ds = wineShaped(20, 9);
    const model = fitTree(ds.x, new Float64Array(20).fill(6));
    expect(Object.values(model.featureImportances()).every((v) => v === 0)).toBe(true);
  });
});

describe('predict', () => {
  it('rejects a matrix with the wrong number of columns', () => {
    const model = fitTree(train.x, train.y, { maxDepth: 2 });
    expect(() => model.predict({ data: new Float64Array(6), rows: 2, cols: 3 })).toThrow(
      /12-column matrix/,
    );
  });
});

describe('predictRecords', () => {
  it('scores API records like the matrix path', () => {
    const model = fitTree(train.x, train.y, { maxDepth: 5 });
    const records: WineRecord[] = [0, 1, 2].map((r) => {
      const row = Array.from(test.x.data.subarray(r * 12, r * 12 + 12));
      const record = Object.fromEntries(FEATURE_NAMES.map((name, c) => [name, row[c]!]));
      return { ...record, wine_type: row[11] === 1 ? 'white' : 'red' } as WineRecord;
    });
    const expected = Array.from(
      model.predict({ ...test.x, rows: 3, data: test.x.data.subarray(0, 36) }),
    );
    expect(model.predictRecords(records)).toEqual(expected);
  });
});
